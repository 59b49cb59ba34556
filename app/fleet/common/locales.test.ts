// Every key in both languages, and every key the fleet page uses present: a missing one would show
// municipal IT a raw key such as "detail.action.screenshot".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  messageJobSchema,
  accountRoleSchema,
  deviceStatusSchema,
  fleetStatusSchema,
  heartbeatSchema,
  remoteActionKindSchema,
  remoteActionSchema,
  totemStateSchema,
} from '@sportello/protocol';
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

test('every key used by the fleet page exists in both languages', () => {
  const root = new URL('..', import.meta.url);
  const used = new Set<string>();
  const html = readFileSync(new URL('index.html', root), 'utf8');
  for (const m of html.matchAll(/data-i18n(?:-aria|-placeholder)?="([^"]+)"/g)) used.add(m[1]!);
  const browserDir = new URL('browser/', root);
  for (const file of readdirSync(browserDir).filter((f) => f.endsWith('.ts'))) {
    const code = readFileSync(new URL(file, browserDir), 'utf8');
    const pattern =
      /'((?:app|role|signIn|fleet|status|detail|enroll|errors|messages)(?:\.[A-Za-z0-9_-]+)+)'/g;
    for (const m of code.matchAll(pattern)) used.add(m[1]!);
  }
  // Keys built from values at run time.
  for (const s of fleetStatusSchema.options) used.add(`status.${s}`);
  for (const k of messageJobSchema.shape.kind.options) used.add(`messages.kind.${k}`);
  for (const c of messageJobSchema.shape.channel.options) used.add(`messages.channel.${c}`);
  for (const s of messageJobSchema.shape.status.options) used.add(`messages.status.${s}`);
  for (const r of accountRoleSchema.options) used.add(`role.${r}`);
  for (const k of remoteActionKindSchema.options) used.add(`detail.action.${k}`);
  for (const s of remoteActionSchema.shape.status.options) used.add(`detail.actionStatus.${s}`);
  for (const s of totemStateSchema.options) used.add(`detail.state.${s}`);
  for (const s of deviceStatusSchema.shape.status.options) used.add(`detail.device.${s}`);
  for (const h of heartbeatSchema.shape.health.unwrap().options) used.add(`detail.health.${h}`);
  for (const c of ['key', 'secret', 'none']) used.add(`detail.credential.${c}`);
  for (const f of ['id', 'site', 'status', 'connected', 'credential', 'fingerprint', 'enrolled', 'clone']) {
    used.add(`detail.fact.${f}`);
  }
  for (const c of ['network', 'not-signed-in', 'forbidden', 'bad-credentials', 'totem-in-call']) {
    used.add(`errors.${c}`);
  }
  assert.ok(used.size > 60, `found only ${used.size} keys: the scan is broken`);
  for (const key of used) {
    assert.ok(keys.it.has(key), `missing in it.json: ${key}`);
    assert.ok(keys.en.has(key), `missing in en.json: ${key}`);
  }
});
