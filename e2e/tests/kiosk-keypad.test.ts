// The kiosk by the physical keypad alone (U-1), and what an idle timeout leaves on the page (K-4):
// the simulated controller board on a real socat pty, the real kiosk agent and server, the kiosk
// page and an operator console in Debian Chromium. The citizen never touches the screen in the
// keypad runs; the operator answers on the console.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startSimulator, type Simulator } from '@sportello/devices';
import { DEFAULT_KIOSK_DISPLAY } from '@sportello/protocol';
import { startStack, type Stack } from '../support/stack.ts';

const SOCAT = '/usr/bin/socat';
const skip = existsSync(SOCAT) ? false : `${SOCAT} not installed (npm run setup installs it)`;

let sim: Simulator;
let s: Stack;
let kiosk: Page;
let operator: Page;
before(async () => {
  if (skip) return;
  sim = await startSimulator();
  s = await startStack({
    device: { kind: 'serial', path: sim.kioskPath },
    // Ten seconds on a typing screen; the warning two seconds in, leaving eight to take more time.
    kioskCore: { idleTimeoutMs: 10_000, display: { ...DEFAULT_KIOSK_DISPLAY, warnBeforeMs: 8_000 } },
  });
  kiosk = await s.openKiosk();
  operator = await s.openOperator('giulia');
  await handsetIs('ok');
});
after(async () => {
  await s?.close();
  await sim?.close();
});

const screen = (p: Page, name: string) => p.locator(`[data-screen="${name}"]`).waitFor({ state: 'visible' });

function handsetIs(state: string): Promise<void> {
  const core = s.kiosk.core;
  if (core.getState().devices?.handset.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const on = () => {
      if (core.getState().devices?.handset.state !== state) return;
      core.off('state', on);
      resolve();
    };
    core.on('state', on);
  });
}

/** The reading modes as the page shows them: the attributes the styles key on and the toggles. */
async function modesAre(p: Page, m: { contrast: boolean; text: boolean }): Promise<void> {
  const html = `html${m.contrast ? '[data-contrast="high"]' : ':not([data-contrast])'}${m.text ? '[data-text="large"]' : ':not([data-text])'}`;
  await p.locator(html).waitFor({ state: 'attached' });
  assert.equal(await p.locator('#btn-contrast').getAttribute('aria-pressed'), String(m.contrast));
  assert.equal(await p.locator('#btn-large-text').getAttribute('aria-pressed'), String(m.text));
}

/** What the tests read in the page (this file is type-checked without the DOM's types). */
interface PageGlobals {
  document: { documentElement: object };
  getComputedStyle(el: object): { fontSize: string; backgroundColor: string };
}
const style = (p: Page) =>
  p.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const css = g.getComputedStyle(g.document.documentElement);
    return { fontSize: parseFloat(css.fontSize), background: css.backgroundColor };
  });
const fontSize = async (p: Page) => (await style(p)).fontSize;
const background = async (p: Page) => (await style(p)).background;

async function lastCall() {
  const calls = await s.t.server.database.db
    .selectFrom('calls')
    .selectAll()
    .orderBy('created_at', 'desc')
    .execute();
  return calls[0]!;
}

describe('the kiosk by keypad alone', { skip, timeout: 300_000 }, () => {
  test('U-1 walk-in by keypad alone: # talks to a person; keys in the call change nothing (H-6)', async () => {
    sim.type('#');
    await screen(kiosk, 'waiting');
    await screen(operator, 'ringing');
    await operator.click('#btn-accept');
    await screen(kiosk, 'in-call');
    // A stray key in a call must not end it: the hook, the button or the operator does. Its '*' '#'
    // is the reading-mode step, there as on every screen: large text, for the rest of the visit.
    sim.type('*#5');
    await kiosk.locator('html[data-text="large"]').waitFor({ state: 'attached' });
    await operator.click('#btn-hang-up');
    await screen(kiosk, 'ended');
    await screen(kiosk, 'idle');
    const call = await lastCall();
    assert.equal(call.kind, 'walk-in');
    assert.equal(call.end_reason, 'hangup-operator');
  });

  test('U-1 booked call by keypad alone: the code and #, the booked operator answers', async () => {
    const booking = s.t.seed.bookings.find((b) => b.label === 'now')!;
    sim.type(booking.code);
    await kiosk.locator('#code-digits', { hasText: booking.code.slice(-3) }).waitFor();
    sim.type('#');
    await screen(kiosk, 'waiting');
    await operator.locator('#ring-kind', { hasText: /prenotato/ }).waitFor();
    await operator.click('#btn-accept');
    await screen(kiosk, 'in-call');
    await operator.click('#btn-hang-up');
    await screen(kiosk, 'ended');
    await screen(kiosk, 'idle');
    const call = await lastCall();
    assert.equal(call.booking_id, booking.bookingId);
    assert.equal(call.operator_id, 'op-giulia');
    assert.equal(call.end_reason, 'hangup-operator');
  });

  test('U-1 the keypad finds its way back from every screen it opens: * on a refusal, an empty code, the queue', async () => {
    sim.type('12#');
    await screen(kiosk, 'rejected');
    sim.type('*');
    await screen(kiosk, 'idle');
    sim.type('5*');
    await kiosk.locator('#code-digits').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    await screen(kiosk, 'code-entry');
    sim.type('*');
    await screen(kiosk, 'idle');
    // '#' on a refusal is "talk to a person" too, and '*' in the queue leaves it.
    sim.type('12#');
    await screen(kiosk, 'rejected');
    sim.type('#');
    await screen(kiosk, 'waiting');
    await screen(operator, 'ringing');
    sim.type('*');
    await screen(kiosk, 'ended');
    await screen(operator, 'idle');
    await screen(kiosk, 'idle');
  });

  test('U-1 the language by keypad alone: * on the idle screen steps through them', async () => {
    await screen(kiosk, 'idle');
    for (const language of ['en', 'de', 'fr', 'sl', 'it']) {
      sim.type('*');
      await kiosk.locator(`html[lang="${language}"]`).waitFor({ state: 'attached' });
    }
    assert.equal(s.kiosk.core.getState().screen.screen, 'idle');
  });

  test('U-1 the reading modes by keypad alone: * then # steps them on idle, while typing a code, in the queue, and from a USB keyboard keypad', async () => {
    await screen(kiosk, 'idle');
    await modesAre(kiosk, { contrast: false, text: false });
    const idleSize = await fontSize(kiosk);
    // Idle: large text first. '#' did not call anyone, '*' did not change the language.
    sim.type('*#');
    await modesAre(kiosk, { contrast: false, text: true });
    assert.ok((await fontSize(kiosk)) > idleSize, 'the text is larger');
    assert.equal(await kiosk.locator('html').getAttribute('lang'), 'it');
    assert.equal(s.kiosk.core.getState().screen.screen, 'idle');
    // Typing a code: the digits stay, and high contrast comes on (black background).
    sim.type('73*#');
    await modesAre(kiosk, { contrast: true, text: true });
    assert.equal(await kiosk.locator('#code-digits').innerText(), '73');
    assert.equal(await background(kiosk), 'rgb(0, 0, 0)');
    // Leaving with the keypad (two deletes and back) keeps the modes: they are this citizen's.
    sim.type('***');
    await screen(kiosk, 'idle');
    await modesAre(kiosk, { contrast: true, text: true });
    // In the queue: the third step, high contrast alone; the call still rings.
    sim.type('#');
    await screen(kiosk, 'waiting');
    await screen(operator, 'ringing');
    sim.type('*#');
    await modesAre(kiosk, { contrast: true, text: false });
    assert.equal(await fontSize(kiosk), idleSize);
    assert.equal(s.kiosk.core.getState().screen.screen, 'waiting');
    // The fourth step: none. Then '*' leaves the queue as it always did.
    sim.type('*#');
    await modesAre(kiosk, { contrast: false, text: false });
    assert.notEqual(await background(kiosk), 'rgb(0, 0, 0)');
    sim.type('*');
    await screen(kiosk, 'ended');
    await screen(operator, 'idle');
    await screen(kiosk, 'idle');
    // A keypad that is a USB keyboard types into the page: the same sequence, the same four steps.
    for (const [contrast, text] of [
      [false, true],
      [true, true],
      [true, false],
      [false, false],
    ] as const) {
      await kiosk.keyboard.type('*#');
      await modesAre(kiosk, { contrast, text });
    }
    assert.equal(s.kiosk.core.getState().screen.screen, 'idle');
  });

  test('K-4 the page after an idle timeout: a warning with more time first, then idle with the digits, modes and language gone', async () => {
    await kiosk.click('.lang[data-lang="de"]');
    await kiosk.locator('html[lang="de"]').waitFor({ state: 'attached' });
    await kiosk.click('#btn-large-text');
    // One mode by touch, one by the keypad: the timeout wipes both.
    sim.type('*#');
    await modesAre(kiosk, { contrast: true, text: true });
    sim.type('7391');
    await kiosk.locator('#code-digits', { hasText: '739' }).waitFor();
    const seq = s.kiosk.core.getState().timer!.seq;
    await kiosk.locator('#timeout-warning').waitFor({ state: 'visible' });
    assert.match(await kiosk.locator('#timeout-title').innerText(), /noch da/);
    await kiosk.click('#btn-more-time');
    // The core started the timer again; this time nobody answers the warning.
    await kiosk.locator('#timeout-warning').waitFor({ state: 'hidden' });
    assert.ok(s.kiosk.core.getState().timer!.seq > seq, 'the timer started again');
    await kiosk.locator('#timeout-warning').waitFor({ state: 'visible' });
    await screen(kiosk, 'idle');
    await kiosk.locator('html[lang="it"]').waitFor({ state: 'attached' });
    await kiosk.locator('html:not([data-contrast]):not([data-text])').waitFor({ state: 'attached' });
    assert.equal(await kiosk.locator('#code-digits').textContent(), '');
    assert.ok(!(await kiosk.locator('body').innerText()).includes('739'), 'no typed digit on the page');
    assert.equal(await kiosk.locator('#timeout-warning').isVisible(), false);
  });
});
