// A real SMTP server on loopback that keeps what it receives, for the tests and the demo's message
// page: each mail is parsed (mailparser) into its text and its calendar part. It can refuse mail
// (a gateway that answers 4xx) or go away and come back on the same port (a gateway that is down).
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  receivedAt: Date;
  to: string[];
  subject: string;
  text: string;
  /** The text/calendar part (method REQUEST or CANCEL), when there is one. */
  ics: string | undefined;
  /** The raw message as sent. */
  raw: string;
}

export class SmtpSink extends EventEmitter<{ mail: [CaughtMail] }> {
  readonly mails: CaughtMail[] = [];
  /** When set, every recipient is refused with this SMTP reply (e.g. 451 for "try later"). */
  refuseWith: { code: number; message: string } | undefined;
  private server: SMTPServer | undefined;
  private portNumber = 0;
  private closed = false;

  get port(): number {
    return this.portNumber;
  }

  /** Listens on loopback: a free port the first time, the same port after a stop(). */
  async start(): Promise<void> {
    if (this.server || this.closed) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (!this.refuseWith) return callback();
        const err = new Error(this.refuseWith.message) as Error & { responseCode: number };
        err.responseCode = this.refuseWith.code;
        callback(err);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (parsed) => {
              const calendar = parsed.attachments.find((a) => a.contentType === 'text/calendar');
              const mail: CaughtMail = {
                receivedAt: new Date(),
                to: session.envelope.rcptTo.map((r) => r.address),
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                ics: calendar?.content.toString('utf8'),
                raw,
              };
              this.mails.push(mail);
              this.emit('mail', mail);
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const net = server.listen(this.portNumber, '127.0.0.1', () => {
        this.portNumber = (net.address() as AddressInfo).port;
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Stops listening: connections are refused until start() again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `count` mails in all have arrived. */
  waitFor(count: number): Promise<CaughtMail[]> {
    if (this.mails.length >= count) return Promise.resolve(this.mails.slice(0, count));
    return new Promise((resolve) => {
      const onMail = () => {
        if (this.mails.length < count) return;
        this.off('mail', onMail);
        resolve(this.mails.slice(0, count));
      };
      this.on('mail', onMail);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }
}
