// How the router reaches kiosks and consoles; the signaling layer implements it. Every method is a
// fire-and-forget emit that cannot throw.
import type {
  CallAccepted,
  CallbackOffer,
  CallEnded,
  CallRing,
  ConsoleQueue,
  PresenceNotice,
  QueueStatus,
} from '@sportello/protocol';

export interface CallNotifier {
  callAccepted(totemId: string, p: CallAccepted): void;
  callEnded(target: { totemId?: string; operatorId?: string }, p: CallEnded): void;
  ring(operatorId: string, p: CallRing): void;
  ringCancelled(operatorId: string, callId: string): void;
  presence(operatorId: string, p: PresenceNotice): void;
  agendaChanged(siteId: string): void;
  queueStatus(totemId: string, p: QueueStatus): void;
  callbackOffered(totemId: string, p: CallbackOffer): void;
  /** The same list to these consoles (encoded once). */
  queueList(operatorIds: readonly string[], p: ConsoleQueue): void;
  /** Whether a kiosk socket of this totem is connected to this process now. */
  totemConnected(totemId: string): boolean;
}
