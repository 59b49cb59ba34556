// The booking page's view of the HTTP API: every call goes through the one shared client and the
// protocol's route table (PUBLIC_ROUTES), so no path is written here. Failures are the shared
// ApiFailure, whose code says whether the network or the server refused, so that the page can tell
// the person which one it was.
import { PUBLIC_ROUTES as R, type CreateBooking } from '@sportello/protocol';
import { ApiClient, ApiFailure } from '../../shared/browser/api-client.ts';

export { ApiFailure };

const api = new ApiClient();

export const bookingApi = {
  municipality: () => api.call(R.municipality),
  offices: () => api.call(R.offices),
  services: (officeId: string) => api.call(R.services, { params: { officeId } }),
  slots: (serviceId: string, date: string) => api.call(R.slots, { params: { serviceId }, query: { date } }),
  /** Free slots of several days in one request, so that choosing a service costs one call. */
  slotDays: (serviceId: string, from: string, days: number) =>
    api.call(R.slotDays, { params: { serviceId }, query: { from, days } }),
  book: (body: CreateBooking) => api.call(R.book, { body }),
  // Tokens go in the body, never in the path: the server's request log records paths.
  readBooking: (token: string) => api.call(R.readBooking, { body: { token } }),
  cancelBooking: (token: string) => api.call(R.cancelBooking, { body: { token } }),
  verifyBooking: (token: string, code: string) => api.call(R.verifyBooking, { body: { token, code } }),
  readLink: (token: string) => api.call(R.readLink, { body: { token } }),
  cancelByLink: (token: string) => api.call(R.cancelByLink, { body: { token } }),
  readJoin: (token: string) => api.call(R.readJoin, { body: { token } }),
  rescheduleByLink: (token: string, slotStart: string) =>
    api.call(R.rescheduleByLink, { body: { token, slotStart } }),
};

/** The i18n key of the message a person should read for a failure. */
export function failureKey(err: unknown): string {
  if (!(err instanceof ApiFailure)) return 'errors.unexpected';
  if (err.code === 'network') return 'errors.network';
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
      return err.status >= 500 || err.code === 'bad-response' ? 'errors.server' : 'errors.unexpected';
  }
}
