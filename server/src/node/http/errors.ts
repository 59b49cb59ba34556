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

/** A field of a form that the domain refused (an unknown office, a taken username): 400, named. */
export class FieldError extends HttpError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(400, 'invalid-field', `${field}: ${reason}`);
    this.name = 'FieldError';
  }
}

/** A change refused because of what it would do to booked appointments; the body lists them. */
export class ConflictError<T> extends HttpError {
  constructor(
    message: string,
    readonly conflicts: T[],
  ) {
    super(409, 'schedule-conflicts', message);
    this.name = 'ConflictError';
  }
}
