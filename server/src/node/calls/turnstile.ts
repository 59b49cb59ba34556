// One call request at a time, and a turn of the event loop at least every 50 ms of them. The
// database driver is synchronous, so 200 check-ins arriving in one read (L-2) would otherwise run
// as one unbroken chain of microtasks: no socket is read or written until the last is stored — on
// a busy machine for longer than the sockets' ping timeout, and every totem drops. Requests run
// back to back within a slice (a loop turn per request made a burst of 200 take 16 s on a busy
// machine with 1,000 sockets), and between slices pings, hang-ups and the consoles get through.
export class Turnstile {
  private readonly waiting: (() => void)[] = [];
  private busy = false;
  private sliceStart = 0;

  constructor(
    /** A turn that takes longer than this lets the next one start (it is not cut short). */
    private readonly maxTurnMs = 2000,
    /** Requests run back to back for this long before the event loop gets a turn. */
    private readonly sliceMs = 50,
  ) {}

  /** Runs `fn` when its turn comes; resolves or rejects as it does. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        let passed = false;
        // The next turn after the loop has polled for I/O (an immediate set now runs on the
        // next iteration, after the poll phase).
        const pass = () => {
          if (passed) return;
          passed = true;
          clearTimeout(slow);
          if (performance.now() - this.sliceStart < this.sliceMs) return this.next();
          setImmediate(() => {
            this.sliceStart = performance.now();
            this.next();
          });
        };
        // A request stuck on something slow must not hold every other totem's request.
        const slow = setTimeout(pass, this.maxTurnMs);
        let running: Promise<T>;
        try {
          running = fn();
        } catch (err) {
          running = Promise.reject(err as Error);
        }
        running.then(resolve, reject).finally(pass);
      });
      if (!this.busy) {
        this.sliceStart = performance.now();
        this.next();
      }
    });
  }

  private next(): void {
    const go = this.waiting.shift();
    this.busy = go !== undefined;
    go?.();
  }

  get queued(): number {
    return this.waiting.length;
  }
}
