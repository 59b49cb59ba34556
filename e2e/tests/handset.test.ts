// End to end with the handset: the simulated controller board on a real socat pty, the real kiosk
// agent opening it through the serialport package, the kiosk page and an operator console in Debian
// Chromium. Every step waits on something a person would notice on a screen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startSimulator, type Simulator } from '@sportello/devices';
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
  s = await startStack({ device: { kind: 'serial', path: sim.kioskPath } });
  kiosk = await s.openKiosk();
  operator = await s.openOperator('giulia');
  await handsetIs('ok');
});
after(async () => {
  await s?.close();
  await sim?.close();
});

const screen = (p: Page, name: string) => p.locator(`[data-screen="${name}"]`).waitFor({ state: 'visible' });

/** Waits until the kiosk core reports the handset in this state. */
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

describe('the handset end to end', { skip, timeout: 300_000 }, () => {
  test('lift on the simulator → the operator console rings → hang-up on the simulator ends the call on both sides', async () => {
    sim.lift();
    await screen(kiosk, 'waiting');
    await screen(operator, 'ringing');
    await operator.click('#btn-accept');
    await screen(kiosk, 'in-call');
    sim.hangup();
    await screen(operator, 'idle');
    await screen(kiosk, 'idle');
    const calls = await s.t.server.database.db.selectFrom('calls').selectAll().execute();
    assert.equal(calls.length, 1, 'exactly one call record');
    assert.equal(calls[0]!.end_reason, 'hangup-kiosk');
    assert.notEqual(calls[0]!.ended_at, null);
  });

  test('H-5 handset left off the hook after the operator hangs up: the page asks to put it down', async () => {
    sim.lift();
    await screen(operator, 'ringing');
    await operator.click('#btn-accept');
    await screen(kiosk, 'in-call');
    await operator.click('#btn-hang-up');
    await screen(kiosk, 'handset-off-hook');
    sim.hangup();
    await screen(kiosk, 'idle');
    const open = await s.t.server.database.db
      .selectFrom('calls')
      .select('id')
      .where('ended_at', 'is', null)
      .execute();
    assert.equal(open.length, 0, 'no call left open');
  });

  test('Q-7 handset lifted, then a booking code typed on its keypad: the booked operator rings, not the walk-in queue', async () => {
    const booking = s.t.seed.bookings.find((b) => b.label === 'now')!;
    sim.lift();
    await screen(kiosk, 'waiting');
    // The walk-in call starts at once, with the prompt to type a code instead.
    await kiosk.locator('#waiting-prompt').waitFor({ state: 'visible' });
    await screen(operator, 'ringing');
    assert.match(await operator.locator('#ring-kind').innerText(), /senza prenotazione/);
    sim.type(booking.code);
    await kiosk.locator('#waiting-digits', { hasText: booking.code.slice(-3) }).waitFor();
    sim.type('#');
    // The same call is now the booked one: its operator (Giulia) rings with the booking.
    await operator.locator('#ring-kind', { hasText: /prenotato/ }).waitFor();
    await operator.click('#btn-accept');
    await screen(kiosk, 'in-call');
    sim.hangup();
    await screen(operator, 'idle');
    await screen(kiosk, 'idle');
    const calls = await s.t.server.database.db
      .selectFrom('calls')
      .selectAll()
      .where('booking_id', '=', booking.bookingId)
      .execute();
    assert.equal(calls.length, 1, 'one call for the booking');
    assert.equal(calls[0]!.kind, 'booked');
    assert.equal(calls[0]!.operator_id, 'op-giulia');
  });

  test('physical keypad: digits, * deletes, # confirms, like the on-screen keypad', async () => {
    sim.type('98*7');
    await kiosk.locator('#code-digits', { hasText: '97' }).waitFor();
    sim.type('#');
    await screen(kiosk, 'rejected');
    assert.match(await kiosk.locator('#rejected-message').innerText(), /9 cifre|9 digits/);
    await kiosk.click('#btn-rejected-home');
    await screen(kiosk, 'idle');
  });

  test('H-1 handset unplugged: the page says the screen still works; replugged: the notice goes', async () => {
    const banner = kiosk.locator('#handset-unavailable');
    assert.equal(await banner.isVisible(), false);
    await sim.unplug();
    await banner.waitFor({ state: 'visible' });
    assert.match(await banner.innerText(), /schermo|screen/);
    await sim.replug();
    await banner.waitFor({ state: 'hidden' });
    await handsetIs('ok');
  });
});
