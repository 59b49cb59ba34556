// The booking page's view of the HTTP API: same origin, JSON in and out, every answer checked
// against the protocol's schema. Failures become one ApiFailure that says whether the network or
// the server refused, so that the page can tell the person which one it was.
import {
  apiErrorSchema,
  bookingCreatedSchema,
  bookingViewSchema,
  linkViewSchema,
  municipalitySchema,
  officeSchema,
  serviceSchema,
  slotSchema,
  slotDaySchema,
  type BookingCreated,
  type BookingView,
  type CreateBooking,
  type LinkView,
  type Municipality,
  type Office,
  type Service,
  type Slot,
  type SlotDay,
} from '@sportello/protocol';

interface Parser<T> {
  parse(data: unknown): T;
}

export class ApiFailure extends Error {
  constructor(
    /** 'network': no answer at all; 'http': the server said no; 'bad-response': an answer we cannot read. */
    readonly kind: 'network' | 'http' | 'bad-response',
    readonly status: number,
    /** The server's machine-readable code (e.g. 'slot-not-free'), or the kind. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const arrayOf = <T>(item: Parser<T>): Parser<T[]> => ({
  parse(data) {
    if (!Array.isArray(data)) throw new TypeError('expected a list');
    return data.map((d) => item.parse(d));
  },
});

async function call<T>(parser: Parser<T>, path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch (err) {
    throw new ApiFailure('network', 0, 'network', err instanceof Error ? err.message : String(err));
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const parsed = apiErrorSchema.safeParse(body);
    // A proxy or a dead server answers with HTML; the status is then all there is to go on.
    if (parsed.success) throw new ApiFailure('http', res.status, parsed.data.code, parsed.data.message);
    throw new ApiFailure('http', res.status, res.status >= 500 ? 'internal' : 'http', `HTTP ${res.status}`);
  }
  try {
    return parser.parse(body);
  } catch (err) {
    throw new ApiFailure(
      'bad-response',
      res.status,
      'bad-response',
      err instanceof Error ? err.message : String(err),
    );
  }
}

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  ...(body === undefined
    ? {}
    : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});
const seg = encodeURIComponent;

export const bookingApi = {
  municipality: (): Promise<Municipality> => call(municipalitySchema, '/api/municipality'),
  offices: (): Promise<Office[]> => call(arrayOf(officeSchema), '/api/offices'),
  services: (officeId: string): Promise<Service[]> =>
    call(arrayOf(serviceSchema), `/api/offices/${seg(officeId)}/services`),
  slots: (serviceId: string, date: string): Promise<Slot[]> =>
    call(arrayOf(slotSchema), `/api/services/${seg(serviceId)}/slots?date=${seg(date)}`),
  /** Free slots of several days in one request, so that choosing a service costs one call. */
  slotDays: (serviceId: string, from: string, days: number): Promise<SlotDay[]> =>
    call(arrayOf(slotDaySchema), `/api/services/${seg(serviceId)}/slot-days?from=${seg(from)}&days=${days}`),
  book: (body: CreateBooking): Promise<BookingCreated> =>
    call(bookingCreatedSchema, '/api/bookings', json('POST', body)),
  // Tokens go in the body, never in the path: the server's request log records paths.
  readBooking: (token: string): Promise<BookingView> =>
    call(bookingViewSchema, '/api/bookings/manage', json('POST', { token })),
  cancelBooking: (token: string): Promise<BookingView> =>
    call(bookingViewSchema, '/api/bookings/manage/cancel', json('POST', { token })),
  verifyBooking: (token: string, code: string): Promise<BookingView> =>
    call(bookingViewSchema, '/api/bookings/manage/verify', json('POST', { token, code })),
  readLink: (token: string): Promise<LinkView> =>
    call(linkViewSchema, '/api/bookings/link', json('POST', { token })),
  cancelByLink: (token: string): Promise<LinkView> =>
    call(linkViewSchema, '/api/bookings/link/cancel', json('POST', { token })),
  rescheduleByLink: (token: string, slotStart: string): Promise<LinkView> =>
    call(linkViewSchema, '/api/bookings/link/reschedule', json('POST', { token, slotStart })),
};

/** The i18n key of the message a person should read for a failure. */
export function failureKey(err: unknown): string {
  if (!(err instanceof ApiFailure)) return 'errors.unexpected';
  if (err.kind === 'network') return 'errors.network';
  switch (err.code) {
    case 'slot-not-free':
      return 'errors.slotNotFree';
    case 'booking-not-found':
      return 'errors.bookingNotFound';
    case 'booking-not-cancellable':
      return 'errors.bookingNotCancellable';
    case 'rate-limited':
      return 'errors.rateLimited';
    case 'office-not-found':
    case 'service-not-found':
      return 'errors.choiceGone';
    case 'invalid-request':
      return 'errors.invalidRequest';
    case 'link-invalid':
      return 'errors.linkInvalid';
    case 'link-expired':
      return 'errors.linkExpired';
    case 'link-used':
      return 'errors.linkUsed';
    case 'booking-cancelled':
      return 'errors.bookingCancelled';
    case 'booking-not-movable':
      return 'errors.bookingNotMovable';
    case 'too-many-bookings':
      return 'errors.tooManyBookings';
    case 'contact-needed':
      return 'errors.contactNeeded';
    case 'verification-wrong':
      return 'errors.verificationWrong';
    case 'verification-expired':
      return 'errors.verificationExpired';
    default:
      return err.status >= 500 || err.kind === 'bad-response' ? 'errors.server' : 'errors.unexpected';
  }
}
