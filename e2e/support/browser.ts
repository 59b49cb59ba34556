// Debian's Chromium driven by playwright-core, with fake camera and a WAV file as microphone so
// that audio levels are measurable. Never downloads a browser.
import { chromium, type Browser } from 'playwright-core';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.SPORTELLO_CHROMIUM ?? '/usr/bin/chromium';

/** A 2-second 440 Hz tone, 48 kHz mono 16-bit: Chromium loops it as the microphone. */
export function writeToneWav(file: string): void {
  const rate = 48_000;
  const samples = rate * 2;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 0.6 * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
}

/**
 * How long one step of a page (navigation, a click, a wait for an element) may take before a missing
 * event counts as a failure. Playwright's 30 s default is a speed budget that a busy one-core machine
 * trips on a page load; this is a generous upper bound, never the thing tested.
 */
export const STEP_TIMEOUT_MS = 120_000;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run npm test (it installs it) or set SPORTELLO_CHROMIUM`,
    );
  const wav = join(mkdtempSync(join(tmpdir(), 'sportello-wav-')), 'tone.wav');
  writeToneWav(wav);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  // Every context of this browser, whoever makes it, gets the generous step timeout.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const ctx = await newContext(options);
    ctx.setDefaultTimeout(STEP_TIMEOUT_MS);
    ctx.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    return ctx;
  };
  return browser;
}
