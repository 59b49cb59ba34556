import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as common from '../common/index.ts';
import * as devices from '@sportello/devices';

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

test('the package entry exposes the public API', () => {
  for (const name of EXPECTED) assert.ok(name in devices, `${name} is exported`);
  // The pure entry has no Node-only export.
  assert.equal('nodeSerialBinding' in common, false);
  assert.ok('DeviceManager' in common);
});
