// The `display` part of the kiosk configuration: named and measured profiles, the layout's default
// profile, and a clear message naming the bad field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_KIOSK_DISPLAY, SCREEN_PROFILES } from '@sportello/protocol';
import { loadMainConfig } from './kiosk-config.ts';
import { resolveDisplay } from './kiosk-display-config.ts';

const defaults = { dataDir: '/var/lib/sportello-kiosk', pagesDir: '/opt/sportello/app/dist' };
const env = { SPORTELLO_KIOSK_CONFIG: '/etc/sportello/kiosk.json' };
const load = (file: unknown) => loadMainConfig(env, defaults, () => JSON.stringify(file));

test('no display settings: portrait on the 32" floor totem, a neutral crest', () => {
  assert.deepEqual(resolveDisplay(load({}).display), DEFAULT_KIOSK_DISPLAY);
  assert.equal(DEFAULT_KIOSK_DISPLAY.profile, SCREEN_PROFILES['floor-portrait-32']);
});

test('landscape takes the wall profile unless one is named; a named or measured profile is used', () => {
  assert.deepEqual(
    resolveDisplay(load({ display: { layout: 'landscape' } }).display).profile,
    SCREEN_PROFILES['wall-landscape-24'],
  );
  const named = load({ display: { layout: 'portrait', profile: 'wall-landscape-24' } });
  assert.equal(resolveDisplay(named.display).profile.name, 'wall-landscape-24');
  const own = { ...SCREEN_PROFILES['floor-portrait-32'], name: 'kiosk-43', widthMm: 535, heightMm: 952 };
  const measured = load({
    display: {
      profile: own,
      municipality: { name: 'Comune di Nova Gorica', crest: '/kiosk/crest.svg' },
      warnBeforeMs: 20_000,
    },
  });
  assert.deepEqual(resolveDisplay(measured.display), {
    layout: 'portrait',
    profile: own,
    municipality: { name: 'Comune di Nova Gorica', crest: '/kiosk/crest.svg' },
    warnBeforeMs: 20_000,
  });
});

test('a bad display setting names its field', () => {
  assert.throws(() => load({ display: { layout: 'square' } }), /display\.layout/);
  assert.throws(() => load({ display: { profile: 'tv-85' } }), /display\.profile/);
  assert.throws(
    () => load({ display: { profile: { ...SCREEN_PROFILES['floor-portrait-32'], minTargetMm: 12 } } }),
    /display\.profile/,
  );
  assert.throws(
    () => load({ display: { municipality: { name: 'X', crest: 'https://example.org/crest.svg' } } }),
    /display\.municipality\.crest/,
  );
  assert.throws(
    () => load({ display: { municipality: { name: 'X', crest: '/kiosk/../../etc/passwd.svg' } } }),
    /display\.municipality\.crest/,
  );
});
