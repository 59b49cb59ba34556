// The delivery loop: claims due message jobs, writes each from the booking as it is now, hands it
// to SMTP or the SMS gateway, and records the outcome. It never runs inside a booking request:
// the booking commits with its jobs and the loop is only nudged (M-1), so a gateway that is down,
// slow or refusing delays the message, never the booking. Time comes from the injected clock.
import { JOIN_PAGE_PATH, type BookingAnswer } from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import type { ServerConfig } from '../config.ts';
import {
  composeBookingMessage,
  composeVerification,
  type BookingFacts,
  type ComposedMessage,
} from './compose.ts';
import {
  claimDueJobs,
  describeFailure,
  markCancelled,
  markFailed,
  markSent,
  type ClaimedJob,
} from './jobs.ts';
import type { LinkSigner } from './links.ts';
import { joinLinkExpiry } from '../calls/home-guests.ts';
import type { MailTransport, SmsGateway } from './transports.ts';

export interface MessageDeliveryOptions {
  db: Db;
  log: Logger;
  now: () => Date;
  config: ServerConfig['messages'];
  timeZone: string;
  mail: MailTransport | undefined;
  sms: SmsGateway | undefined;
  links: LinkSigner;
  /** The check-in window: a join link lasts until it closes. */
  checkInWindow?: { earlyMinutes: number; lateMinutes: number };
  /** The public address of the server, for the links (known once it listens). */
  publicUrl: () => string;
  /** The verification code of a booking (derived, never stored in clear). */
  verificationCode: (bookingId: string) => string;
  verifyMinutes: number;
  /** Runs before each pass (the server frees held bookings whose verification ran out). */
  sweep?: (() => Promise<void>) | undefined;
}

const BATCH = 20;

export class MessageDelivery {
  private running: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly leaseMs: number;

  constructor(private readonly o: MessageDeliveryOptions) {
    // Longer than any SMTP exchange may take, so a live claimer never loses its job to another.
    this.leaseMs = (o.config.email.timeoutSeconds * 3 + 60) * 1000;
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.kick(), this.o.config.pollSeconds * 1000);
    this.timer.unref();
  }

  /** Asks for a run soon (after a booking commit); never throws, never waits. */
  kick(): void {
    void this.runDue();
  }

  /** Sends every job due now; concurrent callers share the run. Resolves to how many were handled. */
  runDue(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let handled = 0;
      await this.o.sweep?.();
      do {
        this.again = false;
        for (;;) {
          const jobs = await claimDueJobs(this.o.db, this.o.now(), BATCH, this.leaseMs);
          if (jobs.length === 0) break;
          for (const job of jobs) await this.deliver(job);
          handled += jobs.length;
          if (this.closed) break;
        }
      } while (this.again && !this.closed);
      return handled;
    })()
      .catch((err: unknown) => {
        this.o.log.error({ err: describeFailure(err) }, 'message delivery run failed');
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async deliver(job: ClaimedJob): Promise<void> {
    const now = this.o.now();
    const facts = job.booking_id ? await this.facts(job.booking_id) : undefined;
    const fields = { job: job.id, kind: job.kind, channel: job.channel, attempt: job.attempts };
    if (!facts || !job.recipient) {
      await markCancelled(this.o.db, job.id, 'booking gone or purged', now);
      return;
    }
    if ((job.kind === 'reminder' || job.kind === 'verification') && facts.status !== 'booked') {
      await markCancelled(this.o.db, job.id, `booking ${facts.status}`, now);
      return;
    }
    const message = this.compose(job, facts, now);
    try {
      if (job.channel === 'email') {
        if (!this.o.mail) throw new Error('e-mail is not configured (messages.email.host)');
        await this.o.mail.send({
          to: job.recipient,
          subject: message.subject,
          text: message.text,
          ics: message.ics,
        });
      } else {
        if (!this.o.sms) throw new Error('no SMS gateway is configured (messages.sms.gateway)');
        await this.o.sms.send(job.recipient, message.sms);
      }
    } catch (err) {
      const reason = describeFailure(err);
      const outcome = await markFailed(
        this.o.db,
        job,
        reason,
        {
          maxAttempts: this.o.config.maxAttempts,
          baseSeconds: this.o.config.retryBaseSeconds,
          maxSeconds: this.o.config.retryMaxSeconds,
        },
        this.o.now(),
      );
      this.o.log.warn({ ...fields, reason, outcome }, 'message not delivered');
      return;
    }
    // Recorded before anything else happens, so no retry can send it a second time.
    await markSent(this.o.db, job.id, job.lease_until, this.o.now());
    this.o.log.info(fields, 'message delivered');
  }

  private compose(
    job: ClaimedJob,
    f: BookingFacts & { status: string; linkGeneration: number },
    now: Date,
  ): ComposedMessage {
    if (job.kind === 'verification') {
      return composeVerification(
        f,
        this.o.verificationCode(f.bookingId),
        this.o.verifyMinutes,
        this.o.timeZone,
      );
    }
    const base = this.o.publicUrl().replace(/\/$/, '');
    const expiresAt = new Date(f.slotStart).getTime();
    const link = (purpose: 'cancel' | 'reschedule') =>
      `${base}/booking/#${purpose}=${this.o.links.sign({
        purpose,
        bookingId: f.bookingId,
        generation: f.linkGeneration,
        expiresAt,
      })}`;
    const live = f.status === 'booked' && job.kind !== 'cancellation';
    // The join page of a home appointment: its link works until the check-in window closes.
    const join = () =>
      `${base}${JOIN_PAGE_PATH}#join=${this.o.links.sign({
        purpose: 'join',
        bookingId: f.bookingId,
        generation: f.linkGeneration,
        expiresAt: joinLinkExpiry(f.slotStart, this.o.checkInWindow),
      })}`;
    const composed = composeBookingMessage(
      job.kind,
      f,
      live
        ? {
            cancel: link('cancel'),
            reschedule: link('reschedule'),
            ...(f.mode === 'home' ? { join: join() } : {}),
          }
        : { book: `${base}/booking/` },
      { timeZone: this.o.timeZone, from: this.o.config.email.from, now },
    );
    // A reminder repeats the facts; the invitation already in the calendar stays as it is.
    if (job.kind === 'reminder') delete composed.ics;
    return composed;
  }

  private async facts(bookingId: string) {
    const b = await this.o.db
      .selectFrom('bookings')
      .innerJoin('services', 'services.id', 'bookings.service_id')
      .innerJoin('offices', 'offices.id', 'bookings.office_id')
      .select([
        'bookings.id',
        'bookings.code',
        'bookings.name',
        'bookings.email',
        'bookings.slot_start',
        'bookings.slot_end',
        'bookings.status',
        'bookings.language',
        'bookings.ics_sequence',
        'bookings.link_generation',
        'bookings.purged_at',
        'bookings.office_id',
        'bookings.mode',
        'bookings.answers',
        'services.name as service_name',
        'services.what_to_bring',
        'offices.name as office_name',
      ])
      .where('bookings.id', '=', bookingId)
      .executeTakeFirst();
    if (!b || b.purged_at) return undefined;
    const sites = await this.o.db
      .selectFrom('site_offices')
      .innerJoin('sites', 'sites.id', 'site_offices.site_id')
      .select('sites.name')
      .where('site_offices.office_id', '=', b.office_id)
      .orderBy('sites.name')
      .execute();
    return {
      bookingId: b.id,
      code: b.code,
      name: b.name,
      email: b.email,
      serviceName: b.service_name,
      officeName: b.office_name,
      slotStart: b.slot_start,
      slotEnd: b.slot_end,
      sites: sites.map((s) => s.name),
      whatToBring: b.what_to_bring,
      mode: b.mode,
      answers: b.answers ? (JSON.parse(b.answers) as BookingAnswer[]) : [],
      icsSequence: b.ics_sequence,
      language: b.language,
      status: b.status,
      linkGeneration: b.link_generation,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.o.mail?.close();
  }
}
