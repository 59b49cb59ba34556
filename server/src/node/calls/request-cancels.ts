// The server half of call:cancel (protocol/src/common/call-cancel.ts): which call each named
// request made, so a kiosk that gave up on it can have it ended. A cancel may arrive while the
// request is still being handled (then its call is ended as soon as it exists) or after (then the
// call it made is ended, whatever its phase). Entries are kept ten minutes and at most 10,000.
import { callCancelSchema } from '@sportello/protocol';
import type { Logger } from '../logger.ts';

type Entry = { totemId: string; at: number } & (
  { state: 'pending'; cancelled: boolean } | { state: 'done'; callId: string | undefined }
);

const KEEP_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;

export class RequestCancels {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Ends a call of this totem (the kiosk's hang-up); rejects when it is already over. */
    private readonly end: (totemId: string, callId: string) => Promise<void>,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Follows a call request named `requestId`: resolves as `pending` does, and if the kiosk cancels
   * it meanwhile, the call it made is ended once it exists (the kiosk no longer waits for it).
   */
  track<R extends { ok: boolean; callId?: string }>(
    totemId: string,
    requestId: string | undefined,
    pending: Promise<R>,
  ): Promise<R> {
    if (!requestId) return pending;
    this.prune();
    const key = `${totemId}/${requestId}`;
    this.entries.set(key, { totemId, at: this.nowMs(), state: 'pending', cancelled: false });
    const settle = (callId: string | undefined) => {
      const e = this.entries.get(key);
      this.entries.set(key, { totemId, at: this.nowMs(), state: 'done', callId });
      if (e?.state === 'pending' && e.cancelled && callId) this.endQuietly(totemId, callId);
    };
    return pending.then(
      (r) => {
        settle(r.ok ? r.callId : undefined);
        return r;
      },
      (err: unknown) => {
        settle(undefined);
        throw err;
      },
    );
  }

  /** The kiosk gave up on request `payload.requestId`. Unknown ids are ignored. */
  cancel(totemId: string, payload: unknown): void {
    const parsed = callCancelSchema.safeParse(payload);
    if (!parsed.success) return;
    const key = `${totemId}/${parsed.data.requestId}`;
    const e = this.entries.get(key);
    if (!e) return;
    if (e.state === 'pending') e.cancelled = true;
    else if (e.callId) {
      this.entries.delete(key);
      this.endQuietly(totemId, e.callId);
    }
  }

  private endQuietly(totemId: string, callId: string): void {
    this.log.info({ totem: totemId, callId }, 'the kiosk gave up on its request: ending the call it made');
    // Already ended (the kiosk hung up, the call was lost): nothing left to do.
    this.end(totemId, callId).catch(() => undefined);
  }

  /** Drops entries past their ten minutes, and the oldest ones past the size bound. */
  private prune(): void {
    const now = this.nowMs();
    for (const [key, e] of this.entries) {
      if (now - e.at < KEEP_MS && this.entries.size < MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
