import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { KIOSK_BACKGROUND, kioskWindowOptions } from './window-options.ts';

test('E-1 the kiosk window is isolated, sandboxed and without Node', () => {
  const o = kioskWindowOptions({ preloadPath: '/opt/sportello/preload.cjs' });
  const web = o.webPreferences!;
  assert.equal(web.contextIsolation, true);
  assert.equal(web.sandbox, true);
  assert.equal(web.nodeIntegration, false);
  assert.equal(web.nodeIntegrationInWorker, false);
  assert.equal(web.nodeIntegrationInSubFrames, false);
  assert.equal(web.webSecurity, true);
  assert.equal(web.allowRunningInsecureContent, false);
  assert.equal(web.webviewTag, false);
  assert.equal(web.spellcheck, false);
  assert.equal(web.disableDialogs, true);
  assert.equal(web.preload, '/opt/sportello/preload.cjs');
});

test('E-1 no developer tools in production', () => {
  assert.equal(kioskWindowOptions({ preloadPath: '/p.cjs' }).webPreferences!.devTools, false);
  assert.equal(
    kioskWindowOptions({ preloadPath: '/p.cjs', devTools: false }).webPreferences!.devTools,
    false,
  );
  assert.equal(kioskWindowOptions({ preloadPath: '/p.cjs', devTools: true }).webPreferences!.devTools, true);
});

test('E-1 one fullscreen kiosk window without menu, painted with the page background', () => {
  const o = kioskWindowOptions({ preloadPath: '/p.cjs' });
  assert.equal(o.kiosk, true);
  assert.equal(o.fullscreen, true);
  assert.equal(o.autoHideMenuBar, true);
  assert.equal(o.backgroundColor, KIOSK_BACKGROUND);
  assert.match(KIOSK_BACKGROUND, /^#[0-9a-f]{6}$/);
});

test('E-1 the window options module does not load Electron at run time', () => {
  const source = readFileSync(new URL('./window-options.ts', import.meta.url), 'utf8');
  const imports = source.match(/^import .*$/gm) ?? [];
  assert.ok(imports.length > 0);
  for (const line of imports) assert.match(line, /^import type /, line);
});
