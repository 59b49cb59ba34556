// Remote actions sent by municipal IT (socket event totem:action, and the heartbeat answer): each id
// is run once, and its result posted to POST /api/totem/actions/:id/result. A result that could not
// be posted is kept and posted again when the same id comes back, never run twice.
// - restart-kiosk: answered, then the 'restart' event for the launcher (which restarts the process);
// - resync-agenda: the core syncs now;
// - request-logs: the last lines of the log ring, as text;
// - screenshot: only on the idle screen with no call in progress, and only where the launcher can
//   capture the screen; a call that begins meanwhile discards the picture.
import { routePath, TOTEM_ROUTES } from '@sportello/protocol';
import type { ActionResult, KioskState, RemoteActionNotice } from '@sportello/protocol';
import { EventEmitter } from 'node:events';
import type { LogRing } from './log-ring.ts';
import type { ServerLink } from './server-link.ts';
import { postTotemJson, type TotemHttpOptions } from './totem-http.ts';
import { hasCall } from './kiosk-machine.ts';

export interface RemoteActionsOptions {
  core: { getState(): KioskState; refreshAgenda(): Promise<void> };
  link: Pick<ServerLink, 'serverUrl' | 'bearer'>;
  logs: LogRing;
  /** A PNG of the kiosk screen, from the launcher (Electron or Chromium). Absent: screenshots refused. */
  captureScreen?: () => Promise<Buffer>;
  /** Log lines sent for "request-logs". Default 500. */
  logLines?: number;
  http?: TotemHttpOptions;
  log?: (msg: string, detail?: unknown) => void;
}

export interface RemoteActionEvents {
  /** The kiosk should restart: the launcher or supervisor handles it. */
  restart: [];
  /** An action ran and its result was posted (or could not be: `posted` false). */
  done: [notice: RemoteActionNotice, result: ActionResult, posted: boolean];
}

/** Ids remembered, so that a late re-delivery of an old action does not run it again. */
const REMEMBERED = 1_000;
/** Largest screenshot sent: the server takes at most 3 MB of base64. */
const MAX_PICTURE_BYTES = 2_200_000;

export class RemoteActionRunner extends EventEmitter<RemoteActionEvents> {
  /** id → the result once known (undefined while running); posted results are dropped to 'posted'. */
  private readonly seen = new Map<string, ActionResult | 'running' | 'posted'>();
  private closed = false;

  constructor(private readonly o: RemoteActionsOptions) {
    super();
  }

  /** Runs an action once per id; resolves when its result was posted or given up. Never rejects. */
  async run(notice: RemoteActionNotice): Promise<void> {
    if (this.closed) return;
    const known = this.seen.get(notice.id);
    if (known === 'running' || known === 'posted') return;
    if (known !== undefined) return this.post(notice, known);
    this.seen.set(notice.id, 'running');
    while (this.seen.size > REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
    let result: ActionResult;
    try {
      result = await this.execute(notice);
    } catch (err) {
      result = { ok: false, detail: `the action failed on the totem: ${(err as Error).message}` };
    }
    this.o.log?.(
      `remote action ${notice.kind} ${notice.id}: ${result.ok ? 'done' : 'refused'}`,
      result.detail,
    );
    await this.post(notice, result);
    if (notice.kind === 'restart-kiosk' && result.ok) this.emit('restart');
  }

  private async post(notice: RemoteActionNotice, result: ActionResult): Promise<void> {
    let posted = false;
    try {
      await postTotemJson(
        this.o.link,
        routePath(TOTEM_ROUTES.actionResult, { id: notice.id }),
        result,
        this.o.http,
      );
      posted = true;
      this.seen.set(notice.id, 'posted');
    } catch (err) {
      // Kept: the server lists the action again in the next heartbeat answer, and it is posted then.
      this.seen.set(notice.id, result);
      this.o.log?.(`could not post the result of remote action ${notice.id}`, err);
    }
    this.emit('done', notice, result, posted);
  }

  private async execute(notice: RemoteActionNotice): Promise<ActionResult> {
    switch (notice.kind) {
      case 'restart-kiosk':
        if (this.listenerCount('restart') === 0) {
          return { ok: false, detail: 'this kiosk runs without a launcher that could restart it' };
        }
        return { ok: true, detail: 'the kiosk is restarting' };
      case 'resync-agenda': {
        await this.o.core.refreshAgenda();
        const sync = this.o.core.getState().sync;
        if (sync?.reason) return { ok: false, detail: `the agenda sync failed: ${sync.reason}` };
        return { ok: true, detail: `agenda synced (last sync ${sync?.lastSyncAt ?? 'unknown'})` };
      }
      case 'request-logs': {
        const text = this.o.logs.tail(this.o.logLines ?? 500);
        return {
          ok: true,
          detail: `${text ? text.split('\n').length : 0} log lines`,
          data: Buffer.from(text).toString('base64'),
          contentType: 'text/plain; charset=utf-8',
        };
      }
      case 'screenshot':
        return this.screenshot();
    }
  }

  private async screenshot(): Promise<ActionResult> {
    const refusal = this.screenshotRefusal();
    if (refusal) return { ok: false, detail: refusal };
    if (!this.o.captureScreen) return { ok: false, detail: 'no screen capture on this totem' };
    const picture = await this.o.captureScreen();
    // A call that began while the picture was taken must not be in it.
    const late = this.screenshotRefusal();
    if (late) return { ok: false, detail: `${late} (the picture was discarded)` };
    if (picture.length > MAX_PICTURE_BYTES)
      return { ok: false, detail: 'the screenshot is too large to send' };
    return {
      ok: true,
      detail: 'screenshot of the idle screen',
      data: picture.toString('base64'),
      contentType: 'image/png',
    };
  }

  private screenshotRefusal(): string | undefined {
    const screen = this.o.core.getState().screen;
    const s = screen.screen;
    if (hasCall(screen)) return 'refused: a call is in progress';
    if (s !== 'idle') return `refused: the kiosk is not on the idle screen (${s})`;
    return undefined;
  }

  close(): void {
    this.closed = true;
    this.removeAllListeners();
  }
}
