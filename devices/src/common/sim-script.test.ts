import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseScript } from './sim-script.ts';

test('simulator scripts parse into steps', () => {
  assert.deepEqual(parseScript('lift; type 1234#; wait 2s; flash 200ms\nhangup; unplug; wait 1.5s; replug'), {
    ok: true,
    steps: [
      { op: 'lift' },
      { op: 'type', keys: '1234#' },
      { op: 'wait', ms: 2000 },
      { op: 'flash', ms: 200 },
      { op: 'hangup' },
      { op: 'unplug' },
      { op: 'wait', ms: 1500 },
      { op: 'replug' },
    ],
  });
});

test('bad scripts are refused with the step named', () => {
  assert.deepEqual(parseScript('lift; type 12a'), {
    ok: false,
    error: 'step 2 ("type 12a"): type takes keys 0-9 * #',
  });
  assert.equal(parseScript('jump').ok, false);
  assert.equal(parseScript('wait forever').ok, false);
  assert.equal(parseScript('lift now').ok, false);
  assert.equal(parseDuration('2h'), undefined);
  assert.equal(parseDuration('250'), 250);
});
