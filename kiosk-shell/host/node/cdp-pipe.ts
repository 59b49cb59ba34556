// The Chrome DevTools Protocol over the pipe Chromium opens with --remote-debugging-pipe (fd 3 in,
// fd 4 out, NUL-terminated JSON). Only the process that started Chromium holds the pipe, so unlike a
// debugging port nothing else on the totem can drive the kiosk browser. Used for the fleet's
// screenshot action.
import type { Readable, Writable } from 'node:stream';

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(err: Error): void;
}

/** Upper bound of one message (a full-screen PNG in base64 fits easily). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export class CdpPipe {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = Buffer.alloc(0);
  private closed = false;

  constructor(
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    fromBrowser.on('data', (chunk: Buffer) => this.receive(chunk));
    fromBrowser.on('close', () => this.close(new Error('the browser closed its debugging pipe')));
    toBrowser.on('error', (err: Error) => this.close(err));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let end: number;
    while ((end = this.buffer.indexOf(0)) >= 0) {
      const text = this.buffer.subarray(0, end).toString('utf8');
      this.buffer = this.buffer.subarray(end + 1);
      let msg: { id?: number; result?: Record<string, unknown>; error?: { message?: string } };
      try {
        msg = JSON.parse(text) as typeof msg;
      } catch {
        continue;
      }
      if (msg.id === undefined) continue; // an event; none is subscribed to
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message ?? 'DevTools error'));
      else p?.resolve(msg.result ?? {});
    }
    if (this.buffer.length > MAX_MESSAGE_BYTES) this.close(new Error('DevTools message too large'));
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new Error('the debugging pipe is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.toBrowser.write(
        JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0',
      );
    });
  }

  close(err = new Error('the debugging pipe is closed')): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** A PNG of the kiosk page as shown now. */
export async function captureKioskPage(cdp: CdpPipe): Promise<Buffer> {
  const { targetInfos } = (await cdp.send('Target.getTargets')) as {
    targetInfos: { targetId: string; type: string }[];
  };
  const page = targetInfos.find((t) => t.type === 'page');
  if (!page) throw new Error('no kiosk page to capture');
  const { sessionId } = (await cdp.send('Target.attachToTarget', {
    targetId: page.targetId,
    flatten: true,
  })) as {
    sessionId: string;
  };
  try {
    const { data } = (await cdp.send('Page.captureScreenshot', { format: 'png' }, sessionId)) as {
      data: string;
    };
    return Buffer.from(data, 'base64');
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
  }
}
