// Keypads that are plain keyboards reach the kiosk through the page: the page forwards its key events,
// and this mapper turns them into the same domain events as the serial and HID handsets.
import type { Clock } from './clock.ts';
import { Emitter } from './emitter.ts';
import type { HandsetEventMap, KeypadKey } from './events.ts';
import { isKeypadKey } from './events.ts';
import type { KeyGuardOptions } from './key-guard.ts';
import { KeyGuard } from './key-guard.ts';

/** The subset of a DOM KeyboardEvent the page forwards. */
export interface PageKeyEvent {
  key: string;
  /** True for auto-repeat while a key is held: a held (or stuck) key counts once. */
  repeat?: boolean;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

/** Maps a page key event to a keypad key, or undefined when it is not keypad input. */
export function mapPageKey(event: PageKeyEvent): KeypadKey | undefined {
  if (event.repeat || event.ctrlKey || event.altKey || event.metaKey) return undefined;
  // `key` is already layout-resolved by the browser: Shift+3 on an Italian layout gives '£', not '#',
  // so '#' and '*' arrive only from keys that really produce them.
  return isKeypadKey(event.key) ? event.key : undefined;
}

/** Emits `event` for each keypad key the page forwards, bounded by a KeyGuard (H-6). */
export class KeyboardKeypad extends Emitter<HandsetEventMap> {
  readonly #clock: Clock;
  readonly #guard: KeyGuard;

  constructor(clock: Clock, options: KeyGuardOptions = {}) {
    super();
    this.#clock = clock;
    this.#guard = new KeyGuard(clock, options);
  }

  get droppedKeys(): number {
    return this.#guard.dropped;
  }

  /** Returns true when the event became a domain event. */
  handle(event: PageKeyEvent): boolean {
    const key = mapPageKey(event);
    if (key === undefined || !this.#guard.allow()) return false;
    this.emit('event', { type: 'key', key, source: 'keyboard', at: this.#clock.now() });
    return true;
  }

  close(): void {
    this.removeAllListeners();
  }
}
