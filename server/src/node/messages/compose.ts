// What a message says. Pure: the facts of a booking and its links in, the e-mail (text + .ics)
// and the SMS out, every sentence through the server's i18next in the citizen's language.
import { formatBookingCode, type BookingAnswer } from '@sportello/protocol';
import type { MessageKind } from '../db/schema.ts';
import { addressOf, buildInvitation } from './ics.ts';
import { messageT } from './i18n.ts';

export interface BookingFacts {
  bookingId: string;
  code: string;
  name: string;
  email: string | null;
  serviceName: string;
  officeName: string;
  slotStart: string;
  slotEnd: string;
  /** Names of the sites whose totems serve the office. */
  sites: string[];
  whatToBring: string | null;
  /** At a totem, or by video from home (the message then carries the join link). */
  mode: 'totem' | 'home';
  /** The booking questions and the citizen's answers (empty ones are left out of the message). */
  answers?: BookingAnswer[];
  icsSequence: number;
  language: string;
}

export interface MessageLinks {
  cancel?: string | undefined;
  reschedule?: string | undefined;
  join?: string | undefined;
  book?: string | undefined;
}

export interface ComposedMessage {
  subject: string;
  text: string;
  ics?: { method: 'REQUEST' | 'CANCEL'; content: string };
  sms: string;
}

export interface ComposeContext {
  timeZone: string;
  from: string;
  now: Date;
}

export function formatWhen(start: string, end: string, language: string, timeZone: string): string {
  const day = new Intl.DateTimeFormat(language, {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(new Date(start));
  const time = new Intl.DateTimeFormat(language, { timeZone, hour: '2-digit', minute: '2-digit' });
  return `${day}, ${time.format(new Date(start))}–${time.format(new Date(end))}`;
}

export function composeBookingMessage(
  kind: Exclude<MessageKind, 'verification'>,
  f: BookingFacts,
  links: MessageLinks,
  ctx: ComposeContext,
): ComposedMessage {
  const t = messageT(f.language);
  const when = formatWhen(f.slotStart, f.slotEnd, f.language, ctx.timeZone);
  const code = formatBookingCode(f.code);
  const where =
    f.mode === 'home'
      ? t('where.home')
      : f.sites.length > 0
        ? t('where.totems', { sites: f.sites.join(', ') })
        : t('where.anyTotem');
  const cancelled = kind === 'cancellation';
  const lines = [
    t('greeting', { name: f.name }),
    t(`intro.${kind}`),
    '',
    `${t('label.service')}: ${f.serviceName} (${f.officeName})`,
    `${t('label.when')}: ${when}`,
  ];
  if (!cancelled) {
    lines.push(`${t('label.code')}: ${code}`, `${t('label.where')}: ${where}`);
    lines.push(`${t('label.bring')}: ${f.whatToBring ?? t('defaultBring')}`);
    for (const a of f.answers ?? []) if (a.answer) lines.push(`${a.question} ${a.answer}`);
    lines.push('');
    if (links.join && f.mode === 'home') lines.push(`${t('label.join')}: ${links.join}`);
    if (links.reschedule) lines.push(`${t('label.reschedule')}: ${links.reschedule}`);
    if (links.cancel) lines.push(`${t('label.cancel')}: ${links.cancel}`);
  } else if (links.book) {
    lines.push('', `${t('label.bookAgain')}: ${links.book}`);
  }
  lines.push('', t('footer'));
  const smsValues = { service: f.serviceName, when, code, cancelUrl: links.cancel ?? '' };
  const message: ComposedMessage = {
    subject: t(`subject.${kind}`, { service: f.serviceName, when }),
    text: lines.join('\n'),
    // A video appointment from home: the SMS carries the join link too.
    sms:
      links.join && f.mode === 'home' && !cancelled
        ? `${t(`sms.${kind}`, smsValues)} ${t('sms.join', { joinUrl: links.join })}`
        : t(`sms.${kind}`, smsValues),
  };
  if (f.email) {
    const method = cancelled ? 'CANCEL' : 'REQUEST';
    message.ics = {
      method,
      content: buildInvitation({
        uid: `${f.bookingId}@sportello`,
        sequence: f.icsSequence,
        method,
        start: new Date(f.slotStart),
        end: new Date(f.slotEnd),
        stamp: ctx.now,
        summary: t('calendar.summary', { service: f.serviceName }),
        location: where,
        description: cancelled ? '' : t('calendar.description', { code }),
        organizer: { name: f.officeName, email: addressOf(ctx.from) },
        attendee: { name: f.name, email: f.email },
      }),
    };
  }
  return message;
}

export function composeVerification(
  f: Pick<BookingFacts, 'serviceName' | 'slotStart' | 'slotEnd' | 'language'>,
  code: string,
  minutes: number,
  timeZone: string,
): ComposedMessage {
  const t = messageT(f.language);
  const when = formatWhen(f.slotStart, f.slotEnd, f.language, timeZone);
  return {
    subject: t('subject.verification'),
    text: t('verification.text', { service: f.serviceName, when, code, minutes }),
    sms: t('sms.verification', { code, minutes }),
  };
}
