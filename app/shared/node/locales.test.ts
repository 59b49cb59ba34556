// STYLE habit 8: no literal user-facing strings, and every key in every language. Keys used in
// page code (t('…'), data-i18n="…") must exist in each language of their page family, and the keys
// built from protocol enums must cover every value of the enum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, endReasonSchema, rejectReasonSchema } from '@sportello/protocol';

const appDir = fileURLToPath(new URL('../..', import.meta.url));
type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

function files(dir: string, match: (name: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, match, out);
    else if (match(name)) out.push(p);
  }
  return out;
}

/** Every folder of locale files, e.g. app/shared/common/locales, app/booking/common/locales. */
const localeDirs = files(appDir, (n) => n === 'it.json')
  .filter((p) => p.includes(`${join('common', 'locales')}`))
  .map((p) => join(p, '..'));

function load(dir: string, lang: string): Map<string, string> {
  return flatten(JSON.parse(readFileSync(join(dir, `${lang}.json`), 'utf8')) as Tree);
}

/** The languages of a locale folder: every `<language>.json` in it. */
function languagesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^[a-z]{2}\.json$/.test(n))
    .map((n) => n.slice(0, 2));
}

test('every key exists in every language file of its folder, and no value is empty', () => {
  assert.ok(localeDirs.length >= 1);
  for (const dir of localeDirs) {
    const it = load(dir, 'it');
    const where = relative(appDir, dir);
    for (const lang of languagesOf(dir)) {
      const other = load(dir, lang);
      assert.deepEqual(
        [...other.keys()].sort(),
        [...it.keys()].sort(),
        `${where}: it and ${lang} have the same keys`,
      );
      for (const [k, v] of other) assert.ok(v.trim().length > 0, `${where}/${lang}.json: ${k} is empty`);
    }
  }
});

test('the kiosk has a locale file for each of its languages', () => {
  const dir = join(appDir, 'kiosk', 'common', 'locales');
  assert.deepEqual(languagesOf(dir).sort(), [...LANGUAGES].sort());
});

test('keys used by the pages exist in their languages', () => {
  const all = new Set<string>();
  for (const dir of localeDirs) for (const k of load(dir, 'it').keys()) all.add(k);
  const sources = files(appDir, (n) => n.endsWith('.ts') || n.endsWith('.html')).filter(
    (p) => p.includes(`${join('browser')}`) || p.endsWith('.html'),
  );
  const missing: string[] = [];
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const used = [
      ...text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g),
      ...text.matchAll(/data-i18n(?:-aria|-placeholder)?="([a-zA-Z0-9_.-]+)"/g),
    ].map((m) => m[1]!);
    // i18next plurals live under key_one / key_other.
    const known = (key: string) => all.has(key) || (all.has(`${key}_one`) && all.has(`${key}_other`));
    for (const key of used) if (!known(key)) missing.push(`${relative(appDir, file)}: ${key}`);
  }
  assert.deepEqual(missing, []);
});

test('keys built from protocol enums cover every value', () => {
  const kiosk = load(join(appDir, 'kiosk', 'common', 'locales'), 'it');
  const shared = load(join(appDir, 'shared', 'common', 'locales'), 'it');
  for (const reason of rejectReasonSchema.options) assert.ok(kiosk.has(`kiosk.rejected.${reason}`), reason);
  for (const reason of endReasonSchema.options) assert.ok(kiosk.has(`kiosk.ended.${reason}`), reason);
  for (const kind of ['booked', 'walk-in']) {
    assert.ok(kiosk.has(`kiosk.waiting.${kind}`));
    assert.ok(shared.has(`operator.ring.${kind}`));
  }
  assert.ok(existsSync(join(appDir, 'kiosk', 'index.html')));
});
