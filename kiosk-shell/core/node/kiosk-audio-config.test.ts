// The audio guidance settings in the kiosk's configuration file reach the page's state (U-2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMainConfig } from './kiosk-config.ts';

const defaults = { dataDir: '/var/lib/sportello', pagesDir: '/opt/sportello/app/dist' };
const withFile = (json: unknown) =>
  loadMainConfig({ SPORTELLO_KIOSK_CONFIG: '/etc/sportello/kiosk.json' }, defaults, () =>
    JSON.stringify(json),
  );

test('audio: the handset and speaker outputs and the volume are read from the configuration file', () => {
  const c = withFile({ audio: { handsetOutput: 'USB Audio Handset', speakerOutput: 'HDMI', volume: 0.8 } });
  assert.deepEqual(c.audio, { handsetOutput: 'USB Audio Handset', speakerOutput: 'HDMI', volume: 0.8 });
  assert.equal(withFile({}).audio, undefined);
  // The handset's microphone, for one the browser does not group with its output.
  assert.deepEqual(withFile({ audio: { handsetInput: 'USB Mic' } }).audio, { handsetInput: 'USB Mic' });
  assert.throws(() => withFile({ audio: { handsetInput: '' } }), /audio\.handsetInput/);
});

test('audio: a bad setting is refused with the field named', () => {
  assert.throws(() => withFile({ audio: { volume: 2 } }), /audio\.volume/);
  assert.throws(() => withFile({ audio: { handsetOutput: '' } }), /audio\.handsetOutput/);
  assert.throws(() => withFile({ audio: { speaker: 'x' } }), /audio.*speaker/);
});
