// The totem's own hardware: handset (hook switch), keypad, speaker, printer and disk. Steps that need
// the technician (lift, type, listen) run only when someone is there to answer; otherwise they are
// reported as skipped with the reason.
import type { SelfTestCheck } from '@sportello/protocol';
import { watchDevice, type DeviceConfig, type DeviceStatus, type WatchEvent } from '@sportello/devices';
import type { HidBinding, SerialBinding } from '@sportello/devices';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Prompter } from './prompt.ts';

export interface LocalContext {
  say: (line: string) => void;
  /** Present when the technician answers (TTY or --yes). */
  prompter?: Prompter;
  serial?: SerialBinding;
  hid?: HidBinding;
}

const NOT_INTERACTIVE = 'skipped: not interactive (run on a terminal, or pass --yes and answer on stdin)';

/** Handset and keypad through the configured device. */
export async function checkHandsetAndKeypad(
  ctx: LocalContext,
  config: DeviceConfig | undefined,
  o: { openTimeoutMs?: number; stepTimeoutMs?: number } = {},
): Promise<SelfTestCheck[]> {
  if (!config) {
    const detail = 'no handset device configured (give --serial, --hid, --match or --config)';
    return [
      { name: 'handset', status: 'skipped', detail },
      { name: 'keypad', status: 'skipped', detail },
    ];
  }
  const events: WatchEvent[] = [];
  const waiters = new Set<() => void>();
  const watch = watchDevice(
    config,
    (e) => {
      events.push(e);
      for (const w of waiters) w();
    },
    { trace: false, ...(ctx.serial ? { serial: ctx.serial } : {}), ...(ctx.hid ? { hid: ctx.hid } : {}) },
  );
  /** Resolves with the first event (from `from` on) that matches, or undefined at the deadline. */
  const waitFor = (pred: (e: WatchEvent) => boolean, from: number, ms: number) =>
    new Promise<WatchEvent | undefined>((resolve) => {
      const check = () => {
        const hit = events.slice(from).find(pred);
        if (hit) done(hit);
      };
      const done = (e: WatchEvent | undefined) => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(e);
      };
      const timer = setTimeout(() => done(undefined), ms);
      waiters.add(check);
      check();
    });
  try {
    const isOk = (e: WatchEvent) => e.kind === 'status' && e.status.state === 'ok';
    const okEvent = watch.status.state === 'ok' ? true : await waitFor(isOk, 0, o.openTimeoutMs ?? 8_000);
    if (!okEvent) {
      const s: DeviceStatus = watch.status;
      const fix = 'check the cable and the device path (sportello-provisioning devices --watch …)';
      return [
        { name: 'handset', status: 'fail', detail: `device ${s.state} (${s.reason}): ${s.message}`, fix },
        { name: 'keypad', status: 'skipped', detail: 'skipped: the device did not answer' },
      ];
    }
    const fw = watch.status.firmware ? `, firmware ${watch.status.firmware}` : '';
    if (!ctx.prompter) {
      return [
        {
          name: 'handset',
          status: 'pass',
          detail: `device answers${fw}; lift and put down ${NOT_INTERACTIVE}`,
        },
        { name: 'keypad', status: 'skipped', detail: NOT_INTERACTIVE },
      ];
    }
    const step = o.stepTimeoutMs ?? 30_000;
    const hook = (type: 'offhook' | 'onhook') => (e: WatchEvent) =>
      e.kind === 'event' && e.event.type === type;
    const results: SelfTestCheck[] = [];
    ctx.say('» Lift the handset.');
    let mark = events.length;
    const lifted = await waitFor(hook('offhook'), mark, step);
    ctx.say('» Put the handset down.');
    mark = events.length;
    const down = lifted ? await waitFor(hook('onhook'), mark, step) : undefined;
    results.push(
      lifted && down
        ? { name: 'handset', status: 'pass', detail: `lifted and put down, both seen${fw}` }
        : {
            name: 'handset',
            status: 'fail',
            detail: lifted ? 'lifting was seen, putting down was not' : 'lifting the handset was not seen',
            fix: 'check the hook switch wiring to the controller board; watch it with `devices --watch`',
          },
    );
    const digits = Array.from({ length: 4 }, () => String(randomInt(10))).join('');
    ctx.say(`» Type these digits on the keypad: ${digits.split('').join(' ')}`);
    mark = events.length;
    const typed: string[] = [];
    await waitFor(
      (e) => {
        if (e.kind === 'event' && e.event.type === 'key' && /^[0-9]$/.test(e.event.key))
          typed.push(e.event.key);
        return typed.length >= digits.length;
      },
      mark,
      step,
    );
    const got = typed.join('');
    results.push(
      got === digits
        ? { name: 'keypad', status: 'pass', detail: `typed ${digits} as shown` }
        : {
            name: 'keypad',
            status: 'fail',
            detail: got ? `expected ${digits}, received ${got}` : 'no key was received',
            fix: 'check the keypad matrix wiring; a key that never arrives is disconnected or stuck',
          },
    );
    return results;
  } finally {
    await watch.close();
  }
}

/** A 440 Hz tone of half a second, 16-bit mono WAV. */
export function toneWav(seconds = 0.5, hz = 440, rate = 16_000): Buffer {
  const samples = Math.round(seconds * rate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 12_000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

function run(file: string, args: string[], timeoutMs = 10_000): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ ok: !err, out: `${stdout}${stderr}`.trim() || (err?.message ?? '') }),
    );
  });
}

export async function checkSpeaker(ctx: LocalContext, aplay = '/usr/bin/aplay'): Promise<SelfTestCheck> {
  if (!existsSync(aplay))
    return {
      name: 'speaker',
      status: 'skipped',
      detail: `skipped: ${aplay} is not installed (apt install alsa-utils)`,
    };
  if (!ctx.prompter) return { name: 'speaker', status: 'skipped', detail: NOT_INTERACTIVE };
  const dir = mkdtempSync(join(tmpdir(), 'sportello-tone-'));
  try {
    const file = join(dir, 'tone.wav');
    writeFileSync(file, toneWav());
    ctx.say('» Listen: a short tone plays now. Did you hear it? (y/n)');
    const played = await run(aplay, ['-q', file]);
    if (!played.ok) {
      return {
        name: 'speaker',
        status: 'fail',
        detail: `aplay failed: ${played.out.slice(0, 200)}`,
        fix: 'check the sound card with `aplay -l` and the ALSA default device',
      };
    }
    const heard = await ctx.prompter.yesNo();
    if (heard === undefined) return { name: 'speaker', status: 'skipped', detail: 'skipped: no answer' };
    return heard
      ? { name: 'speaker', status: 'pass', detail: 'the technician heard the tone' }
      : {
          name: 'speaker',
          status: 'fail',
          detail: 'the tone was not heard',
          fix: 'check the speaker cable, the amplifier power and the volume (alsamixer)',
        };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function checkPrinter(
  printer: string | undefined,
  lpstat = '/usr/bin/lpstat',
): Promise<SelfTestCheck> {
  if (!printer) return { name: 'printer', status: 'skipped', detail: 'skipped: no printer configured' };
  if (!existsSync(lpstat))
    return {
      name: 'printer',
      status: 'fail',
      detail: `${lpstat} is missing`,
      fix: 'install CUPS (apt install cups-client cups)',
    };
  const r = await run(lpstat, ['-p', printer]);
  if (!r.ok)
    return {
      name: 'printer',
      status: 'fail',
      detail: r.out.slice(0, 300),
      fix: `add the printer "${printer}" to CUPS (lpadmin) and check its cable`,
    };
  const disabled = /disabled/i.test(r.out);
  return disabled
    ? {
        name: 'printer',
        status: 'fail',
        detail: r.out.slice(0, 300),
        fix: `enable it: cupsenable ${printer}; check paper and cover`,
      }
    : { name: 'printer', status: 'pass', detail: r.out.split('\n')[0]!.slice(0, 300) };
}

/** Fails under 500 MB free, warns under 2 GB (the agenda and logs need little, updates need more). */
export async function checkDisk(dir: string): Promise<SelfTestCheck> {
  try {
    const s = await statfs(dir);
    const free = s.bavail * s.bsize;
    const text = `${(free / 1e9).toFixed(2)} GB free in ${dir}`;
    if (free < 500e6)
      return {
        name: 'disk',
        status: 'fail',
        detail: text,
        fix: 'free space: remove old logs (journalctl --vacuum-size=100M) or use a larger disk',
      };
    if (free < 2e9)
      return {
        name: 'disk',
        status: 'warn',
        detail: text,
        fix: 'less than 2 GB: updates may not fit; free some space',
      };
    return { name: 'disk', status: 'pass', detail: text };
  } catch (err) {
    return {
      name: 'disk',
      status: 'fail',
      detail: `cannot read ${dir}: ${(err as Error).message}`,
      fix: 'create the data directory (enroll first)',
    };
  }
}
