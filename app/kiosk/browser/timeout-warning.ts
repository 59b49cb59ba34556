// "Are you still there?": before a screen's timer sends the kiosk back to idle, the page warns,
// counts down and offers more time (U-1). The timer itself runs in the core (kiosk-core.ts); the
// state says how long it runs from now, and a new `seq` each time it starts again. A message that
// only confirms (call ended, call-back noted) is not extendable and is left to run out.
import type { KioskTimer } from '@sportello/protocol';
import { t } from '../../shared/browser/i18n.ts';
import { byId } from '../../shared/browser/dom.ts';

export interface TimeoutWarningOptions {
  /** Milliseconds before the end at which the warning opens (the configuration's warnBeforeMs). */
  warnBeforeMs: () => number;
  /** "More time" pressed (the core starts the timer again). */
  extend: () => void;
  /** The warning opened or closed: the page announces the overlay or the screen again. */
  changed: (open: boolean) => void;
}

export class TimeoutWarning {
  private seq: number | undefined;
  private openTimer: ReturnType<typeof setTimeout> | undefined;
  private countdown: ReturnType<typeof setInterval> | undefined;
  private endsAt = 0;

  constructor(private readonly o: TimeoutWarningOptions) {
    byId('btn-more-time').addEventListener('click', () => o.extend());
  }

  get open(): boolean {
    return !byId('timeout-warning').hidden;
  }

  /** The state's timer: a new one (or none) closes any warning and schedules the next. */
  follow(timer: KioskTimer | undefined): void {
    if (timer?.seq === this.seq) return;
    this.seq = timer?.seq;
    this.close();
    if (!timer?.extendable) return;
    this.endsAt = Date.now() + timer.ms;
    const at = Math.max(timer.ms - this.o.warnBeforeMs(), 0);
    this.openTimer = setTimeout(() => this.show(), at);
  }

  private show(): void {
    byId('timeout-warning').hidden = false;
    this.render();
    this.countdown = setInterval(() => this.render(), 1000);
    byId('btn-more-time').focus();
    this.o.changed(true);
  }

  private render(): void {
    const seconds = Math.max(0, Math.ceil((this.endsAt - Date.now()) / 1000));
    byId('timeout-hint').textContent = t('kiosk.timeout.hint', { seconds });
  }

  close(): void {
    clearTimeout(this.openTimer);
    clearInterval(this.countdown);
    this.openTimer = undefined;
    this.countdown = undefined;
    const wasOpen = this.open;
    byId('timeout-warning').hidden = true;
    if (wasOpen) this.o.changed(false);
  }
}
