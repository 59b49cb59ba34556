// The Chrome DevTools Protocol over the pipe Chromium opens with --remote-debugging-pipe (fd 3 in,
// fd 4 out, NUL-terminated JSON). Only the process that started Chromium holds the pipe, so unlike a
// debugging port nothing else on the totem can drive the kiosk browser. Used to hand the page its
// per-start secret (never on a command line) and for the fleet's screenshot action.
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
  private readonly listeners = new Set<(event: CdpEvent) => void>();

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
      if (msg.id === undefined) {
        const event = msg as unknown as CdpEvent;
        if (typeof event.method === 'string') for (const l of this.listeners) l(event);
        continue;
      }
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

  /** Hears every event Chromium sends (after a `*.enable` or `Target.setDiscoverTargets`). */
  onEvent(listener: (event: CdpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(err = new Error('the debugging pipe is closed')): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

export interface CdpEvent {
  method: string;
  params?: Record<string, unknown>;
  sessionId?: string;
}

/** The sessionStorage key the kiosk page reads its secret from (app/kiosk/browser/kiosk-api-client.ts). */
export const PAGE_SECRET_KEY = 'sportello-kiosk-secret';

/**
 * Loads the kiosk page in Chromium's first tab and gives it the host's per-start secret: a script
 * that runs before any of the page's own, on the host's origin only, puts the secret where the page
 * looks for it; then the tab goes to the page, and this resolves when the page has loaded, with the
 * DevTools session on it. The secret travels only over this pipe. The session stays attached, so a
 * reload of the page gets it again.
 */
export async function openPageWithSecret(
  cdp: CdpPipe,
  pageUrl: string,
  secret: string,
  timeoutMs: number,
): Promise<string> {
  const origin = new URL(pageUrl).origin;
  const offs: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  // One deadline for the whole hand-over: a browser that shows no page, or never loads it, fails.
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the page was not open within ${timeoutMs} ms`)), timeoutMs);
  });
  const within = <T>(p: Promise<T>) => Promise.race([p, expired]);
  const firstPage = new Promise<string>((resolve) => {
    offs.push(
      cdp.onEvent((e) => {
        const info = e.params?.targetInfo as { targetId?: string; type?: string } | undefined;
        if (e.method === 'Target.targetCreated' && info?.type === 'page' && info.targetId)
          resolve(info.targetId);
      }),
    );
  });
  try {
    // Discovery reports the targets that already exist as well as new ones.
    await within(cdp.send('Target.setDiscoverTargets', { discover: true }));
    const targetId = await within(firstPage);
    const { sessionId } = (await within(cdp.send('Target.attachToTarget', { targetId, flatten: true }))) as {
      sessionId: string;
    };
    const source = `if (location.origin === ${JSON.stringify(origin)}) {
  try { sessionStorage.setItem(${JSON.stringify(PAGE_SECRET_KEY)}, ${JSON.stringify(secret)}); } catch {}
}`;
    await within(grantKioskPermissions(cdp, origin));
    await within(cdp.send('Page.enable', {}, sessionId));
    await within(cdp.send('Page.addScriptToEvaluateOnNewDocument', { source }, sessionId));
    const loaded = new Promise<void>((resolve) => {
      offs.push(
        cdp.onEvent((e) => {
          if (e.method === 'Page.loadEventFired' && e.sessionId === sessionId) resolve();
        }),
      );
    });
    const nav = (await within(cdp.send('Page.navigate', { url: pageUrl }, sessionId))) as {
      errorText?: string;
    };
    if (nav.errorText) throw new Error(`the page did not load: ${nav.errorText}`);
    await within(loaded);
    return sessionId;
  } finally {
    clearTimeout(timer);
    expired.catch(() => {});
    for (const off of offs) off();
  }
}

/**
 * What the kiosk page may use without a prompt nobody at the totem could answer: the camera and
 * microphone for calls, and the choice of audio output (the handset's earpiece or the speaker).
 * Granted to the kiosk page's origin only, before it loads. A Chromium that does not know the
 * output permission still gets camera and microphone.
 */
export const KIOSK_PERMISSIONS = ['videoCapture', 'audioCapture', 'speakerSelection'] as const;

export async function grantKioskPermissions(cdp: CdpPipe, origin: string): Promise<void> {
  try {
    await cdp.send('Browser.grantPermissions', { origin, permissions: [...KIOSK_PERMISSIONS] });
  } catch {
    await cdp.send('Browser.grantPermissions', { origin, permissions: ['videoCapture', 'audioCapture'] });
  }
}

/**
 * Evaluates an expression in the page of a DevTools session (awaiting a promise it returns) and
 * gives back its value: the page's health checks and the E-2 test look into the running page so.
 */
export async function evaluateInPage(cdp: CdpPipe, sessionId: string, expression: string): Promise<unknown> {
  const r = (await cdp.send(
    'Runtime.evaluate',
    { expression, awaitPromise: true, returnByValue: true },
    sessionId,
  )) as { result?: { value?: unknown }; exceptionDetails?: { text?: string } };
  if (r.exceptionDetails) throw new Error(`page evaluation failed: ${r.exceptionDetails.text ?? 'error'}`);
  return r.result?.value;
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
