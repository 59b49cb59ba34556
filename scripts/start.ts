// `npm start`: the whole system on one machine with embedded defaults — central server (SQLite,
// SFU), a freshly seeded demo agenda for today, operator console, booking page, and one kiosk with
// a simulated handset that this terminal drives (l lift, h hang up, digits type). Outgoing e-mail
// and SMS land in a local mailbox page (unless SPORTELLO_SMTP_HOST names a real server).
// Ctrl-C stops everything cleanly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, seedDemo, startServer, type DemoSeed } from '@sportello/server';
// The demo's mailbox uses the server's development dependencies (smtp-server, mailparser), so it is
// not part of the server's public entry point.
import { DemoMailbox } from '../server/src/node/testing/demo-mailbox.ts';
import { startSimulator, type Simulator } from '@sportello/devices';
import {
  launchKioskWindow,
  startKioskAgent,
  type KioskAgent,
  type KioskLaunchResult,
} from '@sportello/kiosk-shell/host';
import { OPENAPI_PATH, formatBookingCode } from '@sportello/protocol';

const root = fileURLToPath(new URL('..', import.meta.url));
const pagesDir = join(root, 'app', 'dist');
const demoDir = join(root, '.data', 'demo');

/** Newest modification time below a folder, skipping build output and dependencies. */
function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    const st = statSync(p);
    latest = Math.max(latest, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return latest;
}

function buildPagesIfStale(): void {
  const marker = join(pagesDir, 'kiosk', 'index.html');
  const stale =
    !existsSync(marker) ||
    Math.max(newest(join(root, 'app')), newest(join(root, 'protocol'))) > statSync(marker).mtimeMs;
  if (!stale) return;
  console.log('building the pages…');
  const r = spawnSync('npm', ['run', 'build', '--workspace', 'app', '--silent'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('building the pages failed (see above)');
}

function printWelcome(
  serverUrl: string,
  kioskUrl: string,
  mailboxUrl: string,
  seed: DemoSeed,
  handset: string[],
): void {
  const label: Record<DemoSeed['bookings'][number]['label'], string> = {
    now: 'valid now',
    soon: 'valid now (in 5 minutes)',
    'later-today': 'too early (in 3 hours)',
    'earlier-today': 'too late (2 hours ago)',
    tomorrow: 'another day (tomorrow)',
  };
  const lines = [
    '',
    'Sportello demo is running. Ctrl-C stops it.',
    '',
    `  Operator console  ${serverUrl}/operator/`,
    `  Booking page      ${serverUrl}/booking/`,
    `  Kiosk page        ${kioskUrl}`,
    `  Fleet page        ${serverUrl}/fleet/`,
    `  Administration    ${serverUrl}/admin/`,
    `  Demo mailbox      ${mailboxUrl}   (the e-mails and SMS the demo sends)`,
    `  API (OpenAPI)     ${serverUrl}${OPENAPI_PATH}`,
    '',
    '  Operators (sign in on the console, then press "Become available"):',
    ...seed.operators.map((o) => `    ${o.username.padEnd(8)} password ${o.password}   (${o.displayName})`),
    `  Administrator (fleet and administration pages): ${seed.admin.username} password ${seed.admin.password}`,
    '',
    '  Booking codes to try at the demo totem (they work at any hour):',
    ...seed.bookings.map((b) => `    ${formatBookingCode(b.code)}   ${label[b.label]}`),
    '',
    '  Or press "Talk to an operator" on the kiosk for a walk-in call.',
    '',
    ...handset,
    '',
  ];
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  buildPagesIfStale();
  // The demo starts from a fresh agenda every time, so today's codes always work.
  rmSync(demoDir, { recursive: true, force: true });
  mkdirSync(demoDir, { recursive: true });
  // E-mail goes to the local mailbox over real SMTP; SMS to the same page.
  const mailbox = new DemoMailbox();
  await mailbox.start(Number(process.env.SPORTELLO_DEMO_MAILBOX_PORT ?? 0));
  const realSmtp = !!process.env.SPORTELLO_SMTP_HOST;
  const config = loadConfig({
    env: process.env,
    overrides: {
      dataDir: process.env.SPORTELLO_DATA_DIR ?? join(demoDir, 'server'),
      pagesDir,
      // The demo totem signs in with its seeded secret: allowed here, and only by this explicit flag.
      demoSecrets: true,
      logLevel: (process.env.SPORTELLO_LOG_LEVEL as 'warn' | undefined) ?? 'warn',
      // The name and contact the booking page's header, footer and legal pages show.
      municipality: {
        name: process.env.SPORTELLO_MUNICIPALITY_NAME ?? 'Comune demo',
        email: process.env.SPORTELLO_MUNICIPALITY_EMAIL ?? 'urp@demo.invalid',
      },
      ...(realSmtp
        ? {}
        : {
            messages: {
              email: {
                host: '127.0.0.1',
                port: mailbox.smtp.port,
                from: 'Comune demo <sportello@demo.invalid>',
              },
            },
          }),
    },
  });
  let seed!: DemoSeed;
  const server = await startServer(config, {
    ...(config.messages.sms.gateway === 'none' ? { smsGateway: mailbox.sms } : {}),
    beforeListen: async ({ db }) => {
      seed = await seedDemo(db, new Date(), { timeZone: config.timeZone });
    },
  });
  // The demo totem's handset is the simulated controller board on a pty, opened by the kiosk exactly
  // as it would open a real board. Without socat the demo still runs, with the on-screen controls.
  let sim: Simulator | undefined;
  try {
    sim = await startSimulator({ link: join(demoDir, 'handset') });
  } catch (err) {
    console.warn(`no simulated handset (${(err as Error).message}); \`npm run setup\` installs socat`);
  }
  // Filled once the window is open; the screenshot action reads it then.
  const screen: { window?: KioskLaunchResult } = {};
  const kiosk = await startKioskAgent({
    serverUrl: server.url,
    credential: `${seed.totem.id}:${seed.totem.secret}`,
    dataDir: join(demoDir, 'kiosk'),
    pagesDir,
    ...(sim ? { device: { kind: 'serial' as const, path: sim.kioskPath } } : {}),
    // The fleet's screenshot action takes the kiosk window, once there is one.
    fleet: {
      captureScreen: async () => {
        const win = screen.window;
        if (!win?.opened || !win.capture) throw new Error('no kiosk window on screen');
        return win.capture();
      },
    },
    log: (msg) => console.log(`kiosk: ${msg}`),
  });
  const interactive = sim !== undefined && process.stdin.isTTY;
  printWelcome(server.url, kiosk.pageUrl, mailbox.url, seed, handsetHelp(sim, interactive));
  // Where there is a display, the kiosk page opens in kiosk mode. The demo's kiosk core is the agent
  // above, so the window is Chromium on the agent's page (Electron would run a core of its own).
  const kioskWindow = await launchKioskWindow({
    // The secret goes over the window's private DevTools pipe, not on its command line.
    pageUrl: kiosk.host.bareUrl,
    pageSecret: kiosk.host.secret,
    prefer: 'chromium',
    autoGrantMedia: true,
  });
  screen.window = kioskWindow;
  console.log(
    kioskWindow.opened
      ? `kiosk window opened (${kioskWindow.runtime})`
      : `no kiosk window: ${kioskWindow.reason}; open the kiosk page URL above in a browser`,
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (interactive) process.stdin.setRawMode(false);
    console.log('\nstopping…');
    if (kioskWindow.opened) await kioskWindow.close();
    await kiosk.close();
    await sim?.close();
    await server.close();
    await mailbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  if (sim && interactive) driveHandset(sim, kiosk, () => void stop());
}

function handsetHelp(sim: Simulator | undefined, interactive: boolean): string[] {
  if (!sim) return ['  Handset: not simulated (socat is missing); the on-screen controls work.'];
  const where = `  Handset: a simulated controller board on ${sim.kioskPath}.`;
  if (!interactive) return [where, '  (stdin is not a terminal: the handset keys are off.)'];
  return [
    where,
    '  Press in this terminal:  l lift   h hang up   0-9 type   # confirm   * delete',
    '                           u unplug   r plug back   q quit',
  ];
}

/** Reads single keys from the terminal and plays them on the simulated board; echoes kiosk screens. */
function driveHandset(sim: Simulator, kiosk: KioskAgent, quit: () => void): void {
  let screen = kiosk.core.getState().screen.screen;
  kiosk.core.on('state', (state) => {
    if (state.screen.screen === screen) return;
    screen = state.screen.screen;
    console.log(`kiosk screen: ${screen}`);
  });
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.on('data', (chunk: Buffer) => {
    for (const ch of chunk.toString()) {
      // Raw mode turns Ctrl-C and Ctrl-D into characters instead of signals.
      if (ch === 'q' || ch === '\u0003' || ch === '\u0004') return quit();
      if (ch === 'l') {
        sim.lift();
        console.log('handset lifted');
      } else if (ch === 'h') {
        sim.hangup();
        console.log('handset down');
      } else if (/^[0-9*#]$/.test(ch)) {
        sim.type(ch);
        console.log(`key ${ch}`);
      } else if (ch === 'u') {
        void sim.unplug().then(() => console.log('handset unplugged'));
      } else if (ch === 'r') {
        void sim.replug().then(() => console.log('handset plugged back'));
      }
    }
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `npm start: ${(err as Error).message}`);
  process.exit(1);
});
