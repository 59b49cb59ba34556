// The call's microphone: the handset's input while it is lifted, found from the handset's output
// (the same USB device: groupId; else the same label part; else the configured input label),
// otherwise the default microphone, with the reason when the handset's cannot be found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseInput, inputConstraints } from './audio-inputs.ts';

const dev = (kind: string, deviceId: string, groupId: string, label: string) => ({
  kind,
  deviceId,
  groupId,
  label,
});
// As Chromium lists a USB handset on Linux: its input and output share a group; 'default' aliases one.
const devices = [
  dev('audioinput', 'default', 'g-usb', 'Default'),
  dev('audioinput', 'mic-built-in', 'g-board', 'Built-in Audio Analog Stereo'),
  dev('audioinput', 'mic-usb', 'g-usb', 'Mono Microphone'),
  dev('audiooutput', 'out-usb', 'g-usb', 'USB Audio Handset Analog Stereo'),
  dev('audiooutput', 'out-hdmi', 'g-hdmi', 'HDMI Speaker'),
];
const audio = { handsetOutput: 'usb audio handset' };

test("lifted: the input grouped with the handset's output; down: the default microphone", () => {
  assert.deepEqual(chooseInput(devices, audio, true), {
    role: 'handset',
    deviceId: 'mic-usb',
    matchedBy: 'group',
  });
  assert.deepEqual(chooseInput(devices, audio, false), { role: 'default', deviceId: '' });
});

test("no group in common: an input named like the handset's output", () => {
  const ungrouped = devices.map((d) =>
    d.deviceId === 'mic-usb' ? { ...d, groupId: 'g-other', label: 'USB Audio Handset Mono' } : d,
  );
  assert.deepEqual(chooseInput(ungrouped, audio, true), {
    role: 'handset',
    deviceId: 'mic-usb',
    matchedBy: 'label',
  });
});

test('a configured input label comes first', () => {
  const c = chooseInput(devices, { ...audio, handsetInput: 'built-in' }, true);
  assert.deepEqual(c, { role: 'handset', deviceId: 'mic-built-in', matchedBy: 'configured' });
  // A configured input that is not there: the output's group still finds the handset's.
  const missing = chooseInput(devices, { ...audio, handsetInput: 'Jabra' }, true);
  assert.equal(missing.deviceId, 'mic-usb');
});

test('the default alias never counts as the handset, even in its group', () => {
  const onlyDefault = devices.filter((d) => d.deviceId !== 'mic-usb');
  const c = chooseInput(onlyDefault, audio, true);
  assert.equal(c.role, 'default');
  assert.equal(c.deviceId, '');
  assert.match(c.problem ?? '', /no audio input of the handset.*usb audio handset/);
});

test('nothing configured, or no names (no permission yet): the default microphone', () => {
  assert.deepEqual(chooseInput(devices, undefined, true), { role: 'default', deviceId: '' });
  assert.deepEqual(chooseInput(devices, {}, true), { role: 'default', deviceId: '' });
  const unnamed = devices.map((d) => ({ ...d, label: '' }));
  assert.ok(chooseInput(unnamed, audio, true).problem);
});

test('constraints: the chosen input exactly, with the call processing; the default without a device', () => {
  assert.deepEqual(inputConstraints({ role: 'handset', deviceId: 'mic-usb' }), {
    echoCancellation: true,
    noiseSuppression: true,
    deviceId: { exact: 'mic-usb' },
  });
  assert.deepEqual(inputConstraints({ role: 'handset', deviceId: 'mic-usb' }, 'ideal').deviceId, {
    ideal: 'mic-usb',
  });
  assert.deepEqual(inputConstraints({ role: 'default', deviceId: '' }), {
    echoCancellation: true,
    noiseSuppression: true,
  });
});
