// Renders the kiosk's spoken prompts with espeak-ng (Debian) into the built page folder, once per
// build: app/dist/kiosk/prompts/<lang>/<screen>.wav. Run by the page build (app/vite.config.ts), so
// `npm start`, `npm test` and both packages (which ship app/dist) have them; never at run time.
// Reads the texts from app/kiosk/common/prompts/<lang>.json; rendering is a second per language.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ESPEAK_VOICES, PROMPT_LANGUAGES, promptPath } from '../common/prompt-languages.ts';

const run = promisify(execFile);

export interface RenderPromptsOptions {
  /** The folder of the built kiosk page (app/dist/kiosk). */
  kioskOutDir: string;
  /** The folder holding <lang>.json. Default app/kiosk/common/prompts. */
  textsDir?: string;
  /** The espeak-ng binary. Default SPORTELLO_ESPEAK or espeak-ng on the PATH. */
  espeak?: string;
  /** Words per minute: slower than espeak's 175, for people who hear with difficulty. Default 140. */
  wordsPerMinute?: number;
}

export const DEFAULT_TEXTS_DIR = join(import.meta.dirname, '..', 'common', 'prompts');

/** Renders every prompt of every language; resolves with the number of files written. */
export async function renderPrompts(o: RenderPromptsOptions): Promise<number> {
  const espeak = o.espeak ?? process.env.SPORTELLO_ESPEAK ?? 'espeak-ng';
  const jobs: { voice: string; text: string; file: string }[] = [];
  for (const lang of PROMPT_LANGUAGES) {
    const source = join(o.textsDir ?? DEFAULT_TEXTS_DIR, `${lang}.json`);
    const texts = JSON.parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
    for (const [screen, text] of Object.entries(texts)) {
      if (typeof text !== 'string' || !text.trim()) throw new Error(`${source}: "${screen}" has no text`);
      if (!/^[a-z-]+$/.test(screen)) throw new Error(`${source}: "${screen}" is not a screen id`);
      jobs.push({ voice: ESPEAK_VOICES[lang], text, file: join(o.kioskOutDir, promptPath(lang, screen)) });
    }
  }
  // Two at a time: a totem PC or a busy build machine has few cores.
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      mkdirSync(dirname(job.file), { recursive: true });
      const args = ['-v', job.voice, '-s', String(o.wordsPerMinute ?? 140), '-w', job.file, job.text];
      try {
        await run(espeak, args);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new Error(
          e.code === 'ENOENT'
            ? `the audio prompts need espeak-ng (${espeak} not found): run npm run setup, or apt-get install espeak-ng`
            : `espeak-ng failed on ${job.file}: ${e.message}`,
        );
      }
    }
  };
  await Promise.all([worker(), worker()]);
  return jobs.length;
}
