// Every key in both languages, and the keys the administration page builds from protocol enums
// (roles, conflict reasons) and from fixed lists (weekdays, languages) present in each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_MESSAGES, accountRoleSchema, scheduleConflictSchema } from '@sportello/protocol';
import it from './locales/it.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [prefix + k] : flatten(v, `${prefix}${k}.`),
  );
}

const keys = { it: new Set(flatten(it)), en: new Set(flatten(en)) };

test('Italian and English have the same keys', () => {
  assert.deepEqual([...keys.en].sort(), [...keys.it].sort());
});

test('keys built from enums and lists exist', () => {
  const built = [
    ...accountRoleSchema.options.map((r) => `role.${r}`),
    ...scheduleConflictSchema.shape.why.options.map((w) => `conflicts.why.${w}`),
    ...[0, 1, 2, 3, 4, 5, 6].map((d) => `weekday.${d}`),
    ...['it', 'en', 'de', 'fr', 'es'].map((l) => `languages.${l}`),
    ...['offices', 'services', 'operators', 'sites'].flatMap((s) => [`${s}.new`, `${s}.edit`]),
    // The page translates each sentence of the server's validation catalogue.
    ...Object.keys(ADMIN_MESSAGES).map((k) => `validation.${k}`),
    'common.editNamed',
    'schedules.removeNamed',
    'exceptions.removeNamed',
    ...['network', 'not-signed-in', 'forbidden', 'bad-credentials', 'rate-limited'].map((c) => `errors.${c}`),
  ];
  for (const lang of ['it', 'en'] as const) {
    for (const key of built) assert.ok(keys[lang].has(key), `${lang}: ${key}`);
  }
});
