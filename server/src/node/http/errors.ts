// Errors that reach a person: a status, a stable machine code and a sentence. Everything else is
// logged in full and answered with a generic 500 that says nothing internal.
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra fields of the answer, e.g. `nextSlots` with 'slot-not-free'. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
