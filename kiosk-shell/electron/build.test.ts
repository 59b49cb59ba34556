// The esbuild bundles: both are produced, the sandboxed preload requires nothing but 'electron',
// and the preload, run against a fake 'electron', exposes exactly the KioskApi and nothing else.
import { KIOSK_CHANNELS } from '@sportello/protocol';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { NATIVE_MODULES, buildKioskShell, type BuildResult } from './build.ts';

const outDir = mkdtempSync(join(tmpdir(), 'sportello-electron-build-'));
let built: BuildResult;
let buildMs = 0;
before(async () => {
  const started = performance.now();
  built = await buildKioskShell(outDir);
  buildMs = performance.now() - started;
});
after(() => rmSync(outDir, { recursive: true, force: true }));

/** Every module a CommonJS bundle loads; a require() with a computed name is reported as '<dynamic>'. */
function requiredModules(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/\brequire\s*\(\s*([^)]*)\)/g)) {
    const literal = /^(["'`])([^"'`]+)\1$/.exec(m[1]!.trim());
    names.add(literal ? literal[2]! : '<dynamic>');
  }
  return names;
}

test('the build writes the main and preload bundles', () => {
  assert.ok(existsSync(built.mainFile), built.mainFile);
  assert.ok(existsSync(built.preloadFile), built.preloadFile);
  // A figure for the record, never a budget: a busy machine builds slowly and that is no defect.
  console.log(`electron bundles built in ${Math.round(buildMs)} ms`);
});

test('the sandboxed preload bundle requires nothing but electron', () => {
  assert.deepEqual([...requiredModules(readFileSync(built.preloadFile, 'utf8'))], ['electron']);
});

test('the main bundle leaves only Electron, native modules and Node built-ins outside', () => {
  const allowed = new Set(['electron', ...NATIVE_MODULES, 'bufferutil', 'utf-8-validate', ...builtinModules]);
  for (const name of requiredModules(readFileSync(built.mainFile, 'utf8'))) {
    assert.ok(allowed.has(name.replace(/^node:/, '')), `main requires ${name}`);
  }
});

interface FakeIpc {
  invoked: unknown[][];
  listeners: Map<string, Set<(...args: unknown[]) => void>>;
}

function runPreload(): { exposed: Map<string, unknown>; ipc: FakeIpc } {
  const exposed = new Map<string, unknown>();
  const ipc: FakeIpc = { invoked: [], listeners: new Map() };
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        ipc.invoked.push(args);
        return { ok: true, value: 'state' };
      },
      on(channel: string, listener: (...args: unknown[]) => void) {
        if (!ipc.listeners.has(channel)) ipc.listeners.set(channel, new Set());
        ipc.listeners.get(channel)!.add(listener);
      },
      removeListener(channel: string, listener: (...args: unknown[]) => void) {
        ipc.listeners.get(channel)?.delete(listener);
      },
    },
  };
  const module = { exports: {} };
  const requireElectronOnly = (name: string) => {
    if (name !== 'electron') throw new Error(`the sandboxed preload cannot require ${name}`);
    return electron;
  };
  runInNewContext(readFileSync(built.preloadFile, 'utf8'), {
    require: requireElectronOnly,
    module,
    exports: module.exports,
  });
  return { exposed, ipc };
}

test('E-5 the preload exposes exactly the kiosk API, no other channel, each method one fixed request', async () => {
  const { exposed, ipc } = runPreload();
  assert.deepEqual([...exposed.keys()], ['sportelloKiosk']);
  const api = exposed.get('sportelloKiosk') as Record<string, (...args: unknown[]) => unknown>;
  assert.deepEqual(Object.keys(api).sort(), [
    'backToIdle',
    'extendTime',
    'getState',
    'hangUp',
    'onState',
    'openCodeEntry',
    'pressKey',
    'renewMediaToken',
    'requestCallback',
    'setLanguage',
    'startWalkIn',
    'submitCode',
  ]);
  assert.deepEqual(await api.pressKey!('5'), { ok: true, value: 'state' });
  await api.submitCode!('12345678');
  await api.setLanguage!('en');
  await api.getState!();
  // The preload ran in another realm: compare plain copies.
  assert.deepEqual(JSON.parse(JSON.stringify(ipc.invoked)), [
    [KIOSK_CHANNELS.request, { method: 'pressKey', key: '5' }],
    [KIOSK_CHANNELS.request, { method: 'submitCode', code: '12345678' }],
    [KIOSK_CHANNELS.request, { method: 'setLanguage', language: 'en' }],
    [KIOSK_CHANNELS.request, { method: 'getState' }],
  ]);
});

test('onState delivers states without the IPC event and unsubscribes', () => {
  const { exposed, ipc } = runPreload();
  const api = exposed.get('sportelloKiosk') as { onState(l: (...args: unknown[]) => void): () => void };
  const seen: unknown[][] = [];
  const unsubscribe = api.onState((...args) => seen.push(args));
  const [forward] = [...ipc.listeners.get(KIOSK_CHANNELS.state)!];
  forward!({ sender: 'ipc event with internals' }, { screen: 'idle' });
  assert.deepEqual(JSON.parse(JSON.stringify(seen)), [[{ screen: 'idle' }]]);
  unsubscribe();
  assert.equal(ipc.listeners.get(KIOSK_CHANNELS.state)!.size, 0);
});
