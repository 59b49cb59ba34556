// U-2: every kiosk screen has a spoken prompt in every language, and the page build has rendered
// each one to a playable WAV with espeak-ng (app/dist/kiosk/prompts, built by `npm test` first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES } from '@sportello/protocol';
import { PROMPT_LANGUAGES, SCREEN_IDS, promptPath } from '../common/audio-prompts.ts';
import { PROMPT_TEXTS } from '../common/prompt-texts.ts';
import { renderPrompts } from './render-prompts.ts';

const kioskDist = fileURLToPath(new URL('../../dist/kiosk', import.meta.url));

/** The PCM data of a WAV file, or a message saying why it is not one. */
function wavData(file: string): { bytes: number; rate: number } | string {
  const b = readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') return 'not a WAV file';
  let at = 12;
  let rate = 0;
  while (at + 8 <= b.length) {
    const id = b.toString('ascii', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'fmt ') rate = b.readUInt32LE(at + 12);
    // espeak-ng writes a streaming header (size 0x7fffffff): the data runs to the end of the file.
    if (id === 'data') return { bytes: Math.min(size, b.length - at - 8), rate };
    at += 8 + size;
  }
  return 'no data chunk';
}

test('U-2 every screen id has a prompt text in every language, and no language has one the kiosk lacks', () => {
  for (const lang of LANGUAGES) assert.ok(PROMPT_LANGUAGES.includes(lang), `the kiosk speaks ${lang}`);
  for (const lang of PROMPT_LANGUAGES) {
    const texts = PROMPT_TEXTS[lang];
    for (const screen of SCREEN_IDS) {
      assert.equal(typeof texts[screen], 'string', `${lang}.json has a prompt for "${screen}"`);
      assert.ok(texts[screen]!.trim().length > 5, `${lang}.json: the "${screen}" prompt says something`);
    }
    const extra = Object.keys(texts).filter((k) => !(SCREEN_IDS as readonly string[]).includes(k));
    assert.deepEqual(extra, [], `${lang}.json has prompts only for screens that exist`);
  }
});

test('U-2 the page build rendered every prompt of every language to a WAV with sound in it', () => {
  assert.ok(existsSync(kioskDist), 'app/dist/kiosk exists: run `npm run build --workspace app`');
  for (const lang of PROMPT_LANGUAGES) {
    for (const screen of SCREEN_IDS) {
      const file = join(kioskDist, promptPath(lang, screen));
      assert.ok(existsSync(file), `${promptPath(lang, screen)} was rendered`);
      const data = wavData(file);
      assert.equal(typeof data, 'object', `${file}: ${String(data)}`);
      const { bytes, rate } = data as { bytes: number; rate: number };
      // At least half a second of 16-bit mono speech.
      assert.ok(bytes > rate, `${promptPath(lang, screen)} holds speech (${bytes} bytes at ${rate} Hz)`);
    }
  }
});

test('renderPrompts: one WAV per text, and a clear message without espeak-ng or with an empty text', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-prompts-'));
  try {
    const out = join(dir, 'out');
    const write = (text: string) => {
      for (const lang of PROMPT_LANGUAGES) {
        writeFileSync(join(dir, `${lang}.json`), JSON.stringify({ idle: text }));
      }
    };
    write('Sportello');
    assert.equal(await renderPrompts({ kioskOutDir: out, textsDir: dir }), PROMPT_LANGUAGES.length);
    for (const lang of PROMPT_LANGUAGES) assert.ok(existsSync(join(out, promptPath(lang, 'idle'))));
    await assert.rejects(
      renderPrompts({ kioskOutDir: out, textsDir: dir, espeak: join(dir, 'no-such-espeak') }),
      /need espeak-ng/,
    );
    write('  ');
    await assert.rejects(renderPrompts({ kioskOutDir: out, textsDir: dir }), /"idle" has no text/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
