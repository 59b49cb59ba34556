// `self-test`: checks this totem end to end — handset, keypad, camera, microphone, speaker, printer,
// clock, server, signaling, TURN and disk — prints a pass/fail report with the fix for every
// failure, and sends it to the server as this totem (it then shows in the totem's detail on the
// fleet page). Stop the kiosk first: it holds the handset device and the totem's connection.
import {
  TOTEM_FILES,
  siteConfigurationSchema,
  type SelfTestCheck,
  type SelfTestReport,
  type SiteConfiguration,
  TOTEM_ROUTES,
} from '@sportello/protocol';
import type { DeviceConfig } from '@sportello/devices';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliContext, Command } from '../command.ts';
import { EXIT, UsageError, parsedOrUsageError } from '../command.ts';
import { DEVICE_HELP, DEVICE_OPTIONS, deviceConfigFrom } from '../device-config-args.ts';
import { DEFAULT_DATA_DIR, mintToken, readIdentity } from '../totem-files.ts';
import { checkDisk, checkHandsetAndKeypad, checkPrinter, checkSpeaker } from './checks-local.ts';
import { checkServer, checkSignaling, checkTurn } from './checks-server.ts';
import { checkMedia } from './media-check.ts';
import { Prompter } from './prompt.ts';

const HELP = `usage: sportello-provisioning self-test [--data-dir DIR] [--server URL] [<device>] [--printer NAME]
                                         [--fake-media] [--chromium PATH] [--yes] [--no-send] [--json]

Checks the handset (lift and put down), the keypad (type the digits shown), camera and microphone
(through Chromium, as the kiosk page uses them), the speaker (a tone: did you hear it?), the printer if
one is configured, the clock, the server, signaling, each TURN server over UDP, TCP and TLS 443, and
the disk. Prints a report with the fix for each failure and sends it to the server.
Stop the kiosk first: it holds the handset and the totem's connection.

Steps that need the technician run when standard input is a terminal, or with --yes (answers then
come from standard input); otherwise they are skipped, with a note.

${DEVICE_HELP}
  (default: the "device" of the site configuration, if any)

options:
  --data-dir DIR      the enrolled data directory (default ${DEFAULT_DATA_DIR})
  --server URL        the server to test against (default: the enrolled identity's)
  --printer NAME      the CUPS printer to check (default: the site configuration's, else none)
  --fake-media        Chromium's synthetic camera and microphone (test machines)
  --chromium PATH     the browser used for camera and microphone (default $SPORTELLO_CHROMIUM, else /usr/bin/chromium)
  --media-timeout S   seconds the camera and microphone check may take (default 20; more on a slow totem)
  --yes               interactive steps even when standard input is not a terminal
  --no-send           do not send the report to the server
  --json              print the report as one JSON document
  --help              this help

exit codes: 0 every check passed (or was skipped); 3 at least one check failed;
            4 every check passed but the report could not be sent; 2 wrong command line; 1 unexpected.`;

export const selfTestCommand: Command = {
  name: 'self-test',
  summary: 'check the hardware, the network and the server; report to the fleet',
  help: HELP,
  async run(args, ctx) {
    const values = parsedOrUsageError(
      () =>
        parseArgs({
          args,
          strict: true,
          allowPositionals: false,
          options: {
            ...DEVICE_OPTIONS,
            'data-dir': { type: 'string' },
            server: { type: 'string' },
            printer: { type: 'string' },
            'fake-media': { type: 'boolean', default: false },
            chromium: { type: 'string' },
            'media-timeout': { type: 'string' },
            yes: { type: 'boolean', default: false },
            'no-send': { type: 'boolean', default: false },
            json: { type: 'boolean', default: false },
            help: { type: 'boolean', short: 'h', default: false },
          },
        }).values,
    );
    if (values.help) {
      ctx.out(HELP);
      return EXIT.ok;
    }
    const mediaTimeoutS = values['media-timeout'] === undefined ? 20 : Number(values['media-timeout']);
    if (!Number.isFinite(mediaTimeoutS) || mediaTimeoutS <= 0 || mediaTimeoutS > 3_600)
      throw new UsageError('--media-timeout takes a number of seconds between 1 and 3600');
    const dataDir = values['data-dir'] ?? DEFAULT_DATA_DIR;
    const identity = readIdentity(dataDir);
    const serverUrl = (values.server ?? identity?.info.serverUrl)?.replace(/\/+$/, '');
    if (!serverUrl)
      throw new UsageError(`this totem is not enrolled (${dataDir}): give --server URL, or enroll first`);
    const config = readConfiguration(dataDir);
    const device = deviceConfigFrom(values) ?? configuredDevice(config);
    const printer =
      values.printer ?? (typeof config?.device.printer === 'string' ? config.device.printer : undefined);
    const stdin = ctx.stdin ?? process.stdin;
    const interactive = values.yes || stdin.isTTY === true;
    const prompter = interactive ? new Prompter(stdin) : undefined;
    // Progress and questions go to stderr, so that --json output stays one document.
    const say = (line: string) => ctx.err(line);
    const startedAt = new Date().toISOString();
    const checks: SelfTestCheck[] = [];
    try {
      say('checking the handset and keypad…');
      checks.push(
        ...(await checkHandsetAndKeypad(
          {
            say,
            ...(prompter ? { prompter } : {}),
            ...(ctx.serial ? { serial: ctx.serial } : {}),
            ...(ctx.hid ? { hid: ctx.hid } : {}),
          },
          device,
        )),
      );
      say('checking the camera and microphone…');
      checks.push(
        ...mediaChecks(
          await checkMedia({
            fakeMedia: values['fake-media'],
            timeoutMs: mediaTimeoutS * 1000,
            ...(values.chromium ? { chromium: values.chromium } : {}),
          }),
        ),
      );
      checks.push(await checkSpeaker({ say, ...(prompter ? { prompter } : {}) }));
      checks.push(await checkPrinter(printer));
      say('checking the server, signaling and TURN…');
      const server = await checkServer(serverUrl);
      checks.push(server.clock, server.check);
      let token: string | undefined;
      let tokenError: string | undefined;
      if (identity && server.check.status !== 'fail') {
        try {
          token = await mintToken(serverUrl, identity.info.totemId, identity.key);
        } catch (err) {
          tokenError = (err as Error).message;
        }
      }
      checks.push(
        tokenError
          ? {
              name: 'signaling',
              status: 'fail',
              detail: tokenError,
              fix: 'if the totem was revoked or its clock is off, fix the clock (NTP) or enroll again',
            }
          : await checkSignaling(serverUrl, token),
      );
      checks.push(...(await checkTurn(config?.turnServers ?? [])));
      checks.push(await checkDisk(existsSync(dataDir) ? dataDir : '/'));
      const report: SelfTestReport = {
        startedAt,
        finishedAt: new Date().toISOString(),
        interactive,
        versions: { provisioning: '0.1.0', node: process.versions.node },
        checks,
      };
      const sent = values['no-send']
        ? { sent: false, why: 'not sent (--no-send)' }
        : await send(serverUrl, token, report);
      print(ctx, report, sent, values.json, identity?.info.totemId);
      if (checks.some((c) => c.status === 'fail')) return EXIT.checkFailed;
      return sent.sent || values['no-send'] ? EXIT.ok : EXIT.unreachable;
    } finally {
      prompter?.close();
    }
  },
};

function readConfiguration(dataDir: string): SiteConfiguration | undefined {
  const file = join(dataDir, TOTEM_FILES.configuration);
  if (!existsSync(file)) return undefined;
  const parsed = siteConfigurationSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** The site configuration's device settings, when they describe a handset device. */
function configuredDevice(config: SiteConfiguration | undefined): DeviceConfig | undefined {
  const d = config?.device.handset;
  return d && typeof d === 'object' && 'kind' in d ? (d as DeviceConfig) : undefined;
}

function mediaChecks(r: Awaited<ReturnType<typeof checkMedia>>): SelfTestCheck[] {
  if (!r.ok) {
    const fix = r.error?.includes('NotFound')
      ? 'no camera or microphone found: check the USB cables (lsusb) and that nothing else holds them'
      : r.error?.includes('NotAllowed') || r.error?.includes('NotReadable')
        ? 'the device is busy or refused: stop the kiosk and retry; check the user is in the video and audio groups'
        : 'install Debian chromium (apt install chromium), then retry';
    const detail = `getUserMedia failed: ${r.error ?? 'unknown error'}`.slice(0, 500);
    return [
      { name: 'camera', status: 'fail', detail, fix },
      { name: 'microphone', status: 'fail', detail, fix },
    ];
  }
  const checks: SelfTestCheck[] = [];
  const v = r.video;
  checks.push(
    v && v.state === 'live' && v.width > 0
      ? { name: 'camera', status: 'pass', detail: `${v.label || 'camera'}: ${v.width}×${v.height}, live` }
      : {
          name: 'camera',
          status: 'fail',
          detail: v ? `${v.label}: ${v.state}, ${v.width}×${v.height}` : 'no video track',
          fix: 'check the camera cable and lens cover',
        },
  );
  const a = r.audio;
  if (!a || a.state !== 'live') {
    checks.push({
      name: 'microphone',
      status: 'fail',
      detail: a ? `${a.label}: ${a.state}` : 'no audio track',
      fix: 'check the microphone cable and ALSA capture settings',
    });
  } else if (a.level <= 0) {
    checks.push({
      name: 'microphone',
      status: 'warn',
      detail: `${a.label || 'microphone'}: live but silent`,
      fix: 'check it is not muted (alsamixer, capture) and speak into the handset',
    });
  } else {
    checks.push({
      name: 'microphone',
      status: 'pass',
      detail: `${a.label || 'microphone'}: live, level ${a.level.toFixed(3)}`,
    });
  }
  return checks;
}

async function send(
  serverUrl: string,
  token: string | undefined,
  report: SelfTestReport,
): Promise<{ sent: boolean; why: string }> {
  if (!token)
    return { sent: false, why: 'not sent: no token for this totem (not enrolled, or the server refused)' };
  try {
    const res = await fetch(`${serverUrl}${TOTEM_ROUTES.selfTest.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Totem ${token}` },
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(10_000),
    });
    if (res.ok)
      return { sent: true, why: 'sent to the server: it shows in the totem detail on the fleet page' };
    return { sent: false, why: `not sent: the server answered HTTP ${res.status}` };
  } catch (err) {
    return { sent: false, why: `not sent: ${(err as Error).message}` };
  }
}

const LABEL = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skipped: 'SKIP' } as const;

function print(
  ctx: CliContext,
  report: SelfTestReport,
  sent: { sent: boolean; why: string },
  json: boolean,
  totemId?: string,
): void {
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  if (json) {
    ctx.out(
      JSON.stringify(
        { totemId: totemId ?? null, passed: failed === 0, sent: sent.sent, sendDetail: sent.why, ...report },
        null,
        2,
      ),
    );
    return;
  }
  const width = Math.max(...report.checks.map((c) => c.name.length));
  ctx.out(`Self-test${totemId ? ` of ${totemId}` : ''}${report.interactive ? '' : ' (not interactive)'}`);
  for (const c of report.checks) {
    ctx.out(`  ${LABEL[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.fix && c.status !== 'pass') ctx.out(`        ${''.padEnd(width)}  fix: ${c.fix}`);
  }
  ctx.out(
    failed === 0 ? 'Result: no check failed.' : `Result: ${failed} check(s) failed; see the fixes above.`,
  );
  ctx.out(`Report ${sent.why}`);
}
