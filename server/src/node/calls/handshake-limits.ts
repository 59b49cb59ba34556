// Limits on socket.io handshakes, before and after the client proves who it is. Before: per client
// address (the proxy-aware one, see http/client-address.ts), every namespace; refused totem
// secrets are counted by the totem authenticator (auth/totem-auth.ts). After: per verified totem.
// Installed on the namespaces before their own authentication, so a refused handshake costs no
// database read.
import type { Server, Socket } from 'socket.io';
import type { Logger } from '../logger.ts';
import { clientAddress, type TrustFn } from '../http/client-address.ts';
import { WindowLimiter } from '../auth/window-limiter.ts';

export interface HandshakeLimitsOptions {
  trust: TrustFn;
  handshakesPerAddressPerMinute: number;
  handshakesPerTotemPerMinute: number;
  log: Logger;
  nowMs?: () => number;
}

export const TOO_MANY_HANDSHAKES = 'too many connections from this address: try again in a minute';
export const TOO_MANY_REFUSALS = 'too many refused credentials from this address: try again in a minute';
export const TOO_MANY_TOTEM_HANDSHAKES = 'this totem reconnects too often: try again in a minute';

export class HandshakeLimits {
  private readonly perAddress: WindowLimiter;
  private readonly perTotem: WindowLimiter;

  constructor(private readonly o: HandshakeLimitsOptions) {
    const nowMs = o.nowMs ?? Date.now;
    this.perAddress = new WindowLimiter({ max: o.handshakesPerAddressPerMinute, windowMs: 60_000, nowMs });
    this.perTotem = new WindowLimiter({ max: o.handshakesPerTotemPerMinute, windowMs: 60_000, nowMs });
  }

  /** Puts the per-address check first on each namespace (call before their own middlewares). */
  install(io: Server, namespaces: readonly string[]): void {
    for (const name of namespaces) {
      io.of(name).use((socket, next) => {
        const address = clientAddress(socket.request, this.o.trust);
        socket.data.clientAddress = address;
        if (this.perAddress.hit(address)) {
          this.o.log.warn({ namespace: name }, 'handshake refused: too many from one address');
          return next(new Error(TOO_MANY_HANDSHAKES));
        }
        next();
      });
    }
  }

  /** The address install() found for this socket (the TCP peer if it was not installed). */
  addressOf(socket: Socket): string {
    return (socket.data as { clientAddress?: string }).clientAddress ?? socket.handshake.address;
  }

  /** Counts a verified totem's handshake; true when that totem is over its limit. */
  totemOverLimit(totemId: string): boolean {
    return this.perTotem.hit(totemId) > 0;
  }
}
