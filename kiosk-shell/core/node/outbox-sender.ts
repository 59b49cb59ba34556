// Delivers the outbox to the server: oldest item first, each resent with the same idempotency key
// until the server answers something the totem can act on (docs/sync-protocol.md, the table of
// answers). A refused check-in is an answer too. Failures back off with jitter; 429 waits at least
// what the server asks. Items whose key the call path is delivering right now are skipped.
import { EventEmitter } from 'node:events';
import type { CheckInResponse } from '@sportello/protocol';
import { Backoff, realTimers, type BackoffOptions, type Timers } from './backoff.ts';
import type { Outbox, OutboxItem } from './outbox.ts';
import { SyncFault, type SyncHttp } from './sync-http.ts';

export interface OutboxSenderOptions {
  outbox: Outbox;
  http: SyncHttp;
  backoff?: BackoffOptions;
  timers?: Timers;
  /** The server's answer to a check-in sent from the outbox. */
  onCheckIn?: (item: Extract<OutboxItem, { kind: 'check-in' }>, answer: CheckInResponse) => void;
  log?: (msg: string, detail?: unknown) => void;
}

export class OutboxSender extends EventEmitter<{ status: [reason: string | null] }> {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: unknown;
  private readonly held = new Set<string>();
  private readonly backoff: Backoff;
  private readonly timers: Timers;
  private closed = false;
  /** The last delivery fault's reason; null after a success. */
  reason: string | null = null;
  /** Requests sent, for tests and diagnostics. */
  requests = 0;

  constructor(private readonly o: OutboxSenderOptions) {
    super();
    this.timers = o.timers ?? realTimers;
    this.backoff = new Backoff(o.backoff);
  }

  /** The call path is delivering this key itself; the sender leaves it alone until released. */
  hold(key: string): void {
    this.held.add(key);
  }
  release(key: string): void {
    this.held.delete(key);
  }

  /** Something new to send, or the network is back. During a backoff, the scheduled retry sends. */
  kick(force = false): Promise<void> {
    if (this.closed || (!force && this.backoff.failures > 0 && this.timer !== undefined)) {
      return this.running ?? Promise.resolve();
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again && !this.closed && this.backoff.failures === 0);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when no delivery is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const item = this.o.outbox.items().find((i) => !this.held.has(i.key));
      if (!item) return;
      try {
        await this.send(item);
        this.backoff.reset();
        this.setReason(null);
      } catch (err) {
        if (this.closed) return;
        const fault = err instanceof SyncFault ? err : undefined;
        if (fault?.kind === 'bad-request' || fault?.kind === 'conflict') {
          // The server will never take this item: keeping it would block the queue for ever.
          this.o.log?.(`outbox item ${item.key} dropped: ${fault.message}`);
          this.o.outbox.delivered(item.key);
          continue;
        }
        this.setReason(fault?.reason ?? 'internal');
        this.o.log?.(`outbox delivery failed (${this.reason}): ${(err as Error).message}`);
        const wait = Math.max(this.backoff.next(), fault?.detail.retryAfterMs ?? 0);
        this.timer = this.timers.setTimeout(() => {
          this.timer = undefined;
          void this.kick(true);
        }, wait);
        return;
      }
    }
  }

  private async send(item: OutboxItem): Promise<void> {
    this.requests++;
    if (item.kind === 'check-in') {
      if (item.codeHash === null) {
        // Written by a version that sent no code hash: the server cannot check it any more.
        this.o.log?.(`check-in ${item.key} has no code hash and cannot be verified: dropped`);
        this.o.outbox.delivered(item.key);
        return;
      }
      const answer = await this.o.http.checkIn({
        idempotencyKey: item.key,
        bookingId: item.bookingId,
        codeHash: item.codeHash,
        occurredAt: item.occurredAt,
      });
      if (answer.outcome === 'refused') {
        this.o.log?.(`check-in ${item.key} refused by the server: ${answer.reason}`);
      }
      this.o.outbox.delivered(item.key);
      this.o.onCheckIn?.(item, answer);
    } else {
      await this.o.http.callback({
        idempotencyKey: item.key,
        ...(item.bookingId ? { bookingId: item.bookingId } : {}),
        phone: item.phone,
        occurredAt: item.occurredAt,
      });
      this.o.outbox.delivered(item.key);
    }
  }

  private setReason(reason: string | null): void {
    if (reason === this.reason) return;
    this.reason = reason;
    this.emit('status', reason);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timers.clearTimeout(this.timer);
    this.removeAllListeners();
  }
}
