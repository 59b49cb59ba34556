// The technician's answers during a self-test: one line at a time from standard input, with a
// deadline, so that a self-test never hangs on a question nobody is there to answer.
import { createInterface, type Interface } from 'node:readline';

export class Prompter {
  private readonly rl: Interface;
  private readonly queued: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;

  constructor(input: NodeJS.ReadableStream) {
    this.rl = createInterface({ input, terminal: false });
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.queued.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.waiting?.(undefined);
    });
  }

  /** The next line, or undefined when input ended or the deadline passed. */
  next(timeoutMs: number): Promise<string | undefined> {
    const line = this.queued.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiting = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
    });
  }

  /** y/n question; undefined when unanswered. */
  async yesNo(timeoutMs = 60_000): Promise<boolean | undefined> {
    const answer = (await this.next(timeoutMs))?.trim().toLowerCase();
    if (answer === undefined) return undefined;
    return answer.startsWith('y') || answer.startsWith('s');
  }

  close(): void {
    this.rl.close();
  }
}
