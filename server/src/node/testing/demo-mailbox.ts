// The demo's mailbox: a local SMTP server that catches every e-mail the demo server sends, an SMS
// gateway that keeps every SMS, and one local page (loopback only) that shows both, newest first,
// so that a newcomer can book and read the code and the links. A developer tool, never deployed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SmsGateway } from '../messages/transports.ts';
import { SmtpSink } from './smtp-sink.ts';

interface Shown {
  at: Date;
  channel: 'e-mail' | 'SMS';
  to: string;
  subject: string;
  text: string;
  ics: boolean;
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Escapes the text and makes its http(s) links clickable. */
function linkify(text: string): string {
  return escape(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}

function page(items: Shown[]): string {
  const rows = items
    .slice()
    .reverse()
    .map(
      (m) => `<article>
  <h2>${escape(m.subject)}</h2>
  <p class="meta">${m.channel} to ${escape(m.to)} · ${m.at.toLocaleString()}${m.ics ? ' · with a calendar invitation (.ics)' : ''}</p>
  <pre>${linkify(m.text)}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sportello demo mailbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem}
article{border:1px solid #ccc;border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0}
pre{white-space:pre-wrap;font-size:1rem}.meta{color:#444}</style></head>
<body><h1>Sportello demo mailbox</h1>
<p>Every e-mail and SMS the demo server sends lands here (refreshes every 5 seconds).</p>
${rows || '<p>Nothing yet: make a booking with an e-mail or a phone number.</p>'}
</body></html>`;
}

export class DemoMailbox {
  readonly smtp = new SmtpSink();
  private readonly items: Shown[] = [];
  private http: Server | undefined;
  url = '';

  /** The SMS gateway to hand to the server: every SMS shows on the page. */
  readonly sms: SmsGateway = {
    send: async (to, text) => {
      this.items.push({ at: new Date(), channel: 'SMS', to, subject: `SMS to ${to}`, text, ics: false });
    },
  };

  async start(port = 0): Promise<void> {
    await this.smtp.start();
    this.smtp.on('mail', (m) =>
      this.items.push({
        at: m.receivedAt,
        channel: 'e-mail',
        to: m.to.join(', '),
        subject: m.subject,
        text: m.text,
        ics: m.ics !== undefined,
      }),
    );
    const http = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(this.items));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, '127.0.0.1', () => resolve());
    });
    this.http = http;
    this.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    await this.smtp.close();
    const http = this.http;
    this.http = undefined;
    if (http) await new Promise<void>((r) => http.close(() => r()));
  }
}
