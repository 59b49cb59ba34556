// A kiosk that gives up waiting for the answer to call:request (10 s, a slow or reconnecting link)
// tells the server so with call:cancel, naming the attempt by the requestId it put in the request.
// The server then ends whatever that attempt made — a queued item, a ringing console, even a call
// an operator already accepted — since no citizen is left at the totem to own it. The cancel is
// emitted even while disconnected: socket.io sends it first thing on reconnect.
import { z } from 'zod';

/** The kiosk's id of one call attempt (a UUID it makes). */
export const requestIdSchema = z.uuid();

export const callCancelSchema = z.strictObject({ requestId: requestIdSchema });
export type CallCancel = z.infer<typeof callCancelSchema>;
