// Where messages leave the server: e-mail over SMTP (nodemailer) and SMS through a gateway. Each
// is a small interface so that the delivery loop, the tests and the demo use the same code path.
// A transport throws when the message was not accepted; the delivery loop then retries.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ServerConfig } from '../config.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  ics?: { method: 'REQUEST' | 'CANCEL'; content: string } | undefined;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmsGateway {
  send(to: string, text: string): Promise<void>;
}

type EmailConfig = ServerConfig['messages']['email'];
type SmsConfig = ServerConfig['messages']['sms'];

/** SMTP through nodemailer; undefined when no host is configured (e-mail off). */
export function smtpTransport(c: EmailConfig): MailTransport | undefined {
  if (!c.host) return undefined;
  const transporter: Transporter = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.secure,
    requireTLS: c.requireTls,
    ...(c.user ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
    connectionTimeout: c.timeoutSeconds * 1000,
    greetingTimeout: c.timeoutSeconds * 1000,
    socketTimeout: c.timeoutSeconds * 1000,
    // Certificates are checked, except on loopback where the demo's and tests' sinks run.
    tls: { rejectUnauthorized: !['127.0.0.1', '::1', 'localhost'].includes(c.host) },
  });
  return {
    async send(mail) {
      await transporter.sendMail({
        from: c.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.ics
          ? {
              // Both an inline calendar part (Outlook, Gmail show "Add to calendar") and a file.
              icalEvent: { method: mail.ics.method, content: mail.ics.content, filename: 'invito.ics' },
            }
          : {}),
      });
    },
    close() {
      transporter.close();
    },
  };
}

/** Replaces {{to}}, {{text}}, {{from}} with JSON-escaped values (without the quotes). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const v = values[name];
    return v === undefined ? whole : JSON.stringify(v).slice(1, -1);
  });
}

export function httpSmsGateway(c: SmsConfig): SmsGateway {
  const url = c.url;
  if (!url) throw new Error('messages.sms.url is required for the http SMS gateway');
  return {
    async send(to, text) {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': c.contentType,
          ...(c.authValue ? { [c.authHeader]: c.authValue } : {}),
        },
        body: fillTemplate(c.bodyTemplate, { to, text, from: c.from }),
        signal: AbortSignal.timeout(30_000),
      });
      // The body may echo the number or the text: only the status goes into the error.
      if (!res.ok) throw new Error(`SMS gateway answered HTTP ${res.status}`);
      await res.body?.cancel();
    },
  };
}

/**
 * The demo's SMS gateway: appends each SMS as a JSON line to a file of its own (never to the
 * server log, which must stay free of personal data), where the demo's message page reads it.
 */
export function fileSmsGateway(file: string, now: () => Date): SmsGateway {
  return {
    async send(to, text) {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, JSON.stringify({ at: now().toISOString(), to, text }) + '\n', { mode: 0o600 });
    },
  };
}
