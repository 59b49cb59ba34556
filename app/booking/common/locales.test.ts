// Every key in both languages, and every key the page uses present: a missing one would show the
// person a raw key such as "steps.when.title".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { bookingStatusSchema } from '@sportello/protocol';
import it from './locales/it.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [prefix + k] : flatten(v, `${prefix}${k}.`),
  );
}

const keys = { it: new Set(flatten(it)), en: new Set(flatten(en)) };
const has = (set: Set<string>, key: string) => set.has(key) || set.has(`${key}_other`);

test('Italian and English have the same keys', () => {
  assert.deepEqual([...keys.en].sort(), [...keys.it].sort());
});

test('every key used by the page exists in both languages', () => {
  const root = new URL('..', import.meta.url);
  const used = new Set<string>();
  const html = readFileSync(new URL('index.html', root), 'utf8');
  for (const m of html.matchAll(/data-i18n(?:-aria|-placeholder)?="([^"]+)"/g)) used.add(m[1]!);
  const browserDir = new URL('browser/', root);
  for (const file of readdirSync(browserDir).filter((f) => f.endsWith('.ts'))) {
    const code = readFileSync(new URL(file, browserDir), 'utf8');
    for (const m of code.matchAll(
      /'((?:app|nav|steps|manage|form|errors|link|verify|privacy)(?:\.[A-Za-z0-9_]+)+|progress)'/g,
    ))
      used.add(m[1]!);
  }
  for (const status of bookingStatusSchema.options) used.add(`manage.status.${status}`);
  assert.ok(used.size > 50, `found only ${used.size} keys: the scan is broken`);
  for (const key of used) {
    assert.ok(has(keys.it, key), `missing in it.json: ${key}`);
    assert.ok(has(keys.en, key), `missing in en.json: ${key}`);
  }
});
