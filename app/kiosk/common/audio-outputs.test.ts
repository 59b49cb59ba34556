// U-2: which output a prompt plays on, for every combination of hook state and configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseOutput } from './audio-outputs.ts';

const outputs = [
  { deviceId: 'default', label: 'Default' },
  { deviceId: 'h1', label: 'USB Audio Handset Analog Stereo' },
  { deviceId: 's1', label: 'Built-in Speaker' },
];
const audio = { handsetOutput: 'usb audio handset', speakerOutput: 'Speaker' };

test('U-2 lifted: the handset output; down: the speaker; matched on a part of the label, any case', () => {
  assert.deepEqual(chooseOutput(outputs, audio, true), { role: 'handset', sinkId: 'h1' });
  assert.deepEqual(chooseOutput(outputs, audio, false), { role: 'speaker', sinkId: 's1' });
});

test('U-2 nothing configured: the default output, lifted or not', () => {
  for (const offHook of [false, true]) {
    assert.deepEqual(chooseOutput(outputs, undefined, offHook), { role: 'speaker', sinkId: '' });
    assert.deepEqual(chooseOutput(outputs, {}, offHook), { role: 'speaker', sinkId: '' });
  }
});

test('U-2 a handset output that is not there: the speaker, with the reason for the log', () => {
  const c = chooseOutput(outputs, { ...audio, handsetOutput: 'Jabra' }, true);
  assert.equal(c.role, 'speaker');
  assert.equal(c.sinkId, 's1');
  assert.match(c.problem ?? '', /Jabra/);
  const none = chooseOutput([], audio, true);
  assert.equal(none.sinkId, '');
  assert.match(none.problem ?? '', /usb audio handset/);
});
