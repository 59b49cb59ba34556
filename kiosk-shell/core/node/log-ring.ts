// The kiosk's recent log lines, kept in memory in a bounded ring so that an administrator can ask
// for them remotely (remote action "request-logs") without the totem writing logs to disk forever.
// Lines carry no citizens' data: the core logs events and codes, never what citizens typed.

export interface LogLine {
  at: string;
  msg: string;
  /** The detail, as JSON (cut to 2 000 characters). */
  detail?: string;
  error: boolean;
}

export class LogRing {
  private readonly lines: LogLine[] = [];
  private lastErr: LogLine | undefined;

  constructor(
    /** Lines kept. Default 1 000. */
    private readonly size = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a line; details that are Errors make it an error line (reported as the last error). */
  add(msg: string, detail?: unknown): void {
    const error = detail instanceof Error || /fail|error|refused/i.test(msg);
    const line: LogLine = { at: new Date(this.now()).toISOString(), msg: msg.slice(0, 500), error };
    if (detail !== undefined) line.detail = describe(detail).slice(0, 2_000);
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
    if (error) this.lastErr = line;
  }

  /** The newest `n` lines as text, oldest first. */
  tail(n: number): string {
    return this.lines
      .slice(-n)
      .map((l) => `${l.at} ${l.msg}${l.detail ? ` ${l.detail}` : ''}`)
      .join('\n');
  }

  get lastError(): { at: string; message: string } | null {
    return this.lastErr ? { at: this.lastErr.at, message: this.lastErr.msg } : null;
  }
}

function describe(detail: unknown): string {
  if (detail instanceof Error) return `${detail.name}: ${detail.message}`;
  try {
    return JSON.stringify(detail) ?? String(detail);
  } catch {
    return String(detail);
  }
}
