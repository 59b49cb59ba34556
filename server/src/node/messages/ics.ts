// The calendar invitation attached to every message about a booking. One UID per booking and a
// SEQUENCE that grows with every update, so a calendar replaces the earlier invitation instead of
// adding a second event; a cancellation is METHOD:CANCEL with the same UID. Times are written in
// UTC (…Z), which every calendar converts to its own zone; a TZID with a hand-picked VTIMEZONE
// would be one more thing to get wrong on DST days.
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export interface Invitation {
  uid: string;
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  start: Date;
  end: Date;
  stamp: Date;
  summary: string;
  location: string;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
}

export function buildInvitation(i: Invitation): string {
  const cal = ical({
    prodId: { company: 'Sportello', product: 'Sportello', language: 'IT' },
    method: i.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  cal.createEvent({
    id: i.uid,
    sequence: i.sequence,
    stamp: i.stamp,
    start: i.start,
    end: i.end,
    summary: i.summary,
    location: i.location,
    description: i.description,
    status: i.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: i.organizer,
    attendees: [{ name: i.attendee.name, email: i.attendee.email, rsvp: false }],
  });
  return cal.toString();
}

/** "name@example.org" out of "Name <name@example.org>" (nodemailer's `from` syntax). */
export function addressOf(from: string): string {
  const m = /<([^>]+)>/.exec(from);
  return (m ? m[1]! : from).trim();
}
