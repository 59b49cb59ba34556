// Liveness of the calls in progress, from what reaches the SFU. mediasoup 3.8 cannot tell that a
// UDP peer vanished, and a page's sockets may be gone while its media still flows (W-4) or the
// other way round; so each side counts as down while it has no media socket or no byte from it
// reached the SFU since the last sample (RTCP and ICE consent checks keep arriving even when both
// of its producers are paused). A side down for the outage limit ends the call (W-3): both sides
// are told, the room closes with every transport, and the citizen is offered a call-back.
import type { PeerRole } from '../media/room.ts';
import type { CallSession } from './call-sessions.ts';

export interface LivenessOptions {
  sessions: () => CallSession[];
  /** The server's clock: an outage is measured on it (tests move a manual clock). */
  now: () => Date;
  outageMs: number;
  /** How often samples are taken by themselves (ms); 0 turns the timer off (tests call sample()). */
  intervalMs: number;
  /** A side has been down for the outage limit: end the call. */
  onOutage: (callId: string, role: PeerRole) => Promise<void>;
  onError: (err: unknown) => void;
}

interface SideState {
  bytes: number | undefined;
  downSince: number | undefined;
}

const ROLES: readonly PeerRole[] = ['kiosk', 'operator'];

export class CallLiveness {
  private readonly state = new Map<string, Record<PeerRole, SideState>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly o: LivenessOptions) {}

  start(): void {
    if (this.o.intervalMs > 0 && !this.timer)
      this.timer = setInterval(() => void this.sample().catch(this.o.onError), this.o.intervalMs);
  }

  /** One sample of every call (never two at once); ends the calls whose outage passed the limit. */
  sample(): Promise<void> {
    this.running ??= this.sampleNow().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Since when (server clock, ms) a side of a call has been down, or undefined while it is up. */
  downSince(callId: string, role: PeerRole): number | undefined {
    return this.state.get(callId)?.[role].downSince;
  }

  private async sampleNow(): Promise<void> {
    const sessions = this.o.sessions();
    const live = new Set(sessions.map((s) => s.callId));
    for (const id of this.state.keys()) if (!live.has(id)) this.state.delete(id);
    for (const s of sessions) {
      if (this.closed || s.room.closed) continue;
      let st = this.state.get(s.callId);
      if (!st) {
        st = {
          kiosk: { bytes: undefined, downSince: undefined },
          operator: { bytes: undefined, downSince: undefined },
        };
        this.state.set(s.callId, st);
      }
      for (const role of ROLES) {
        const side = st[role];
        const bytes = await s.room.bytesFrom(role);
        const now = this.o.now().getTime();
        // Before a side's first byte (still joining), only its socket counts.
        const flowing = bytes !== undefined && (side.bytes === undefined || bytes > side.bytes);
        const up = s.room.attached(role) && (flowing || (bytes === 0 && side.bytes === undefined));
        side.bytes = bytes;
        if (up) side.downSince = undefined;
        else side.downSince ??= now;
        if (side.downSince !== undefined && now - side.downSince >= this.o.outageMs) {
          this.state.delete(s.callId);
          await this.o.onOutage(s.callId, role);
          break;
        }
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
    this.state.clear();
  }
}

/** The server's watch over its calls: a side down for the outage limit ends its call. */
export function watchCalls(
  router: {
    sessions: { all(): CallSession[] };
    endCall(callId: string, reason: 'connection-lost'): Promise<void>;
  },
  o: {
    now: () => Date;
    outageMs: number;
    intervalMs: number;
    log: { warn(o: object, m: string): void; error(o: object, m: string): void };
  },
): CallLiveness {
  const liveness = new CallLiveness({
    sessions: () => router.sessions.all(),
    now: o.now,
    outageMs: o.outageMs,
    intervalMs: o.intervalMs,
    onOutage: async (callId, role) => {
      o.log.warn({ callId, side: role, outageMs: o.outageMs }, 'call ended after a network outage');
      await router.endCall(callId, 'connection-lost');
    },
    onError: (err) => o.log.error({ err }, 'call liveness sample failed'),
  });
  liveness.start();
  return liveness;
}
