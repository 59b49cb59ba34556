import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as common from '../common/index.ts';

const EXPECTED = [
  'DeviceManager',
  'createDeviceManager',
  'MockSerialBinding',
  'MockHidBinding',
  'nodeSerialBinding',
  'nodeHidBinding',
  'FrameDecoder',
  'FrameParser',
  'parseReportDescriptor',
  'HidReportDecoder',
  'KeyboardKeypad',
  'mapPageKey',
  'startSimulator',
  'listCandidates',
  'watchDevice',
];

test('the package entry (src/index.ts) exposes the public API', async () => {
  // Imported by URL so that the entry file, which no tsconfig lists, is not pulled into a typed project.
  const devices = (await import(new URL('../index.ts', import.meta.url).href)) as Record<string, unknown>;
  for (const name of EXPECTED) assert.ok(name in devices, `${name} is exported`);
  // The pure entry has no Node-only export.
  assert.equal('nodeSerialBinding' in common, false);
  assert.ok('DeviceManager' in common);
});
