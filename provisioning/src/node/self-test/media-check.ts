// Camera and microphone as the kiosk page will use them: Debian Chromium, headless, opens a tiny page
// served here on loopback that asks getUserMedia for audio and video (granted without a prompt, as on
// the kiosk), measures the video size and the microphone level for a moment, and posts what it saw
// back. With `fakeMedia` Chromium's synthetic devices stand in (test machines without a camera).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MediaReport {
  ok: boolean;
  error?: string;
  video?: { label: string; state: string; width: number; height: number };
  audio?: { label: string; state: string; level: number };
}

// No user-facing text: the page only measures and reports.
const PAGE = `<!doctype html><meta charset="utf-8"><title>media</title><script type="module">
const report = (r) => fetch('/report', { method: 'POST', body: JSON.stringify(r) });
try {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const [v] = stream.getVideoTracks(); const [a] = stream.getAudioTracks();
  const video = document.createElement('video'); video.muted = true; video.srcObject = stream; await video.play();
  const ctx = new AudioContext(); const analyser = ctx.createAnalyser();
  ctx.createMediaStreamSource(stream).connect(analyser);
  const buf = new Float32Array(analyser.fftSize); let level = 0;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 50));
    analyser.getFloatTimeDomainData(buf);
    let sum = 0; for (const x of buf) sum += x * x; level = Math.max(level, Math.sqrt(sum / buf.length));
  }
  await report({ ok: true,
    video: v ? { label: v.label, state: v.readyState, width: video.videoWidth, height: video.videoHeight } : undefined,
    audio: a ? { label: a.label, state: a.readyState, level } : undefined });
  stream.getTracks().forEach((t) => t.stop());
} catch (e) { await report({ ok: false, error: e.name + ': ' + e.message }); }
</script>`;

export interface MediaCheckOptions {
  chromium?: string;
  fakeMedia?: boolean;
  timeoutMs?: number;
}

export async function checkMedia(o: MediaCheckOptions = {}): Promise<MediaReport> {
  const chromium = o.chromium ?? process.env.SPORTELLO_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) return { ok: false, error: `${chromium} is not installed` };
  let onReport!: (r: MediaReport) => void;
  const reported = new Promise<MediaReport>((resolve) => (onReport = resolve));
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/report') {
      let body = '';
      req.on('data', (c: Buffer) => (body = (body + c.toString()).slice(0, 10_000)));
      req.on('end', () => {
        res.end('ok');
        try {
          onReport(JSON.parse(body) as MediaReport);
        } catch {
          onReport({ ok: false, error: 'the media page sent an unreadable report' });
        }
      });
      return;
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(tmpdir(), 'sportello-selftest-chromium-'));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const child = spawn(
    chromium,
    [
      '--headless=new',
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...(o.fakeMedia ? ['--use-fake-device-for-media-stream'] : []),
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      url,
    ],
    // Its own process group, so that its helper processes end with it (they write into the profile).
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2_000)));
  const exited = new Promise<MediaReport>((resolve) => {
    child.on('error', (err) => resolve({ ok: false, error: `Chromium could not start: ${err.message}` }));
    child.on('exit', (code) =>
      resolve({
        ok: false,
        error: `Chromium exited (${code}) before reporting: ${stderr.trim().split('\n').pop() ?? ''}`,
      }),
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<MediaReport>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: 'no report from the media page in time' }),
      o.timeoutMs ?? 20_000,
    );
  });
  try {
    return await Promise.race([reported, exited, timeout]);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      signalGroup(child.pid, 'SIGTERM');
      await gone;
    }
    // Helpers that outlived the browser process are ended too.
    signalGroup(child.pid, 'SIGKILL');
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch {
      // A leftover temp profile is not a failed check; the system's temp cleaning removes it.
    }
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
