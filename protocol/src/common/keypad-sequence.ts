// The physical keypad's one sequence of its own: '*' then '#' steps the citizen's reading modes
// (high contrast, large text) on every screen (U-1). Every keypad the totem supports — the serial
// board, USB telephony handsets, keyboard keypads — sends at most 0-9, '*', '#' (and Enter,
// Backspace), and on the typing screens each of those already means something; so the sequence
// needs a key whose meaning can wait a moment. '*' (delete, back, the next language on idle) waits
// up to KEYPAD_SEQUENCE_MS for a '#' (or Enter); any other key, or the end of the wait, lets the
// '*' do what it always did, before that key. '#' itself never waits: it is the main action.
// Pure: the kiosk core (device keys) and the page (keyboard keys) run it with their own timers.

/** The state signal the page reads for the sequence (kiosk-api.ts `keypad.key`). */
export const READING_MODE_STEP = 'reading-mode' as const;

/** How long '*' waits for the '#' of the reading-mode sequence, ms. */
export const KEYPAD_SEQUENCE_MS = 1_500;

/** What a key (or the end of the wait) becomes, in order. */
export type SequenceOutput<K extends string> = { type: 'key'; key: K } | { type: 'reading-mode' };

export interface SequenceStep<K extends string> {
  /** Whether a '*' now waits for its '#' (the caller arms or keeps its timer). */
  pending: boolean;
  out: SequenceOutput<K>[];
}

const isStar = (k: string) => k === '*';
const isHash = (k: string) => k === '#' || k === 'Enter';

/** One key, with or without a '*' waiting before it. */
export function sequenceKey<K extends string>(pendingStar: K | undefined, key: K): SequenceStep<K> {
  if (pendingStar !== undefined && isHash(key)) return { pending: false, out: [{ type: 'reading-mode' }] };
  const flushed: SequenceOutput<K>[] = pendingStar !== undefined ? [{ type: 'key', key: pendingStar }] : [];
  if (isStar(key)) return { pending: true, out: flushed };
  return { pending: false, out: [...flushed, { type: 'key', key }] };
}

/** The wait ran out: the '*' waiting does what it always did. */
export function sequenceTimeout<K extends string>(pendingStar: K | undefined): SequenceOutput<K>[] {
  return pendingStar === undefined ? [] : [{ type: 'key', key: pendingStar }];
}

/**
 * The sequence with a timer: `emit` receives each key as it is let through and each reading-mode
 * step; close() drops a '*' still waiting (nothing is left to receive it).
 */
export class KeypadSequence<K extends string> {
  private pending: K | undefined;
  private timer: unknown;

  constructor(
    private readonly emit: (o: SequenceOutput<K>) => void,
    private readonly timers: {
      setTimeout(fn: () => void, ms: number): unknown;
      clearTimeout(h: unknown): void;
    },
    private readonly windowMs = KEYPAD_SEQUENCE_MS,
  ) {}

  press(key: K): void {
    const step = sequenceKey(this.pending, key);
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = step.pending ? key : undefined;
    if (step.pending) this.timer = this.timers.setTimeout(() => this.flush(), this.windowMs);
    for (const o of step.out) this.emit(o);
  }

  /** Lets a waiting '*' through now. */
  flush(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const out = sequenceTimeout(this.pending);
    this.pending = undefined;
    for (const o of out) this.emit(o);
  }

  /** Drops a waiting '*' (the kiosk is closing); idempotent. */
  close(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
