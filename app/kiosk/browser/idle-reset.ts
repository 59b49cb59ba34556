// The idle screen runs no timer in the core, so a citizen who chose a language or a mode there and
// walked away would leave them to the next one. After a minute at idle with no touch or key, the
// page puts the default language and no modes back: the attract screen starts clean.
export const IDLE_RESET_MS = 60_000;

export class IdleReset {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private idle = false;

  constructor(private readonly reset: () => void) {
    for (const type of ['pointerdown', 'keydown'] as const) {
      document.addEventListener(type, () => this.arm(), { capture: true, passive: true });
    }
  }

  /** The screen now shown: the countdown runs only on idle. */
  follow(screen: string): void {
    this.idle = screen === 'idle';
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = this.idle ? setTimeout(() => this.reset(), IDLE_RESET_MS) : undefined;
  }
}
