// U-2 and the headset's Phone Mute, end to end: a mock USB headset (a published descriptor) under
// the real kiosk agent, the kiosk page and an operator console in Debian Chromium. Headless
// Chromium with fake media devices offers "Fake Audio Output 1" and "Fake Audio Output 2": the
// configuration names the first as the handset's earpiece and the second as the speaker, and the
// test reads which output each prompt started playing on (HTMLMediaElement.sinkId).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { MockHidBinding, type MockHidDevice } from '@sportello/devices/common';
import { CIRCUITPYTHON_HEADSET, headsetReport } from '../../devices/src/common/fixtures/hid-descriptors.ts';
import { startStack, type Stack } from '../support/stack.ts';

const HANDSET_OUTPUT = 'Fake Audio Output 1';
const SPEAKER_OUTPUT = 'Fake Audio Output 2';
// Chromium's fake inputs share no group with its fake outputs, as a real USB handset's do: the
// handset's microphone is named in the configuration (audio.handsetInput), the other way to find it.
const HANDSET_INPUT = 'Fake Audio Input 2';

interface Played {
  screen: string;
  language: string;
  role: string;
  sinkId: string;
  src: string;
}

/** What the tests read in the page (this file is type-checked without the DOM's types). */
interface PageGlobals {
  sportelloAudioGuide?: { played: Played[] };
  sportelloMedia?: {
    stats(): Promise<{ audio: unknown }>;
    producerTrack(kind: 'audio'): { getSettings(): { deviceId?: string; groupId?: string } } | null;
  };
  navigator: {
    mediaDevices: { enumerateDevices(): Promise<{ kind: string; label: string; deviceId: string }[]> };
  };
  document: {
    getElementById(
      id: string,
    ): { sinkId?: string; srcObject: { getAudioTracks(): { enabled: boolean }[] } } | null;
  };
}

let s: Stack;
let hid: MockHidDevice;
let kiosk: Page;
let operator: Page;
let outputs: Record<string, string>;
let inputs: Record<string, { deviceId: string; groupId: string }>;

before(async () => {
  const binding = new MockHidBinding();
  hid = binding.addDevice('/dev/hidraw7', {
    vendorId: 0x239a,
    productId: 0x8029,
    descriptor: CIRCUITPYTHON_HEADSET,
  });
  s = await startStack({
    device: { kind: 'hid', path: '/dev/hidraw7' },
    deviceOptions: { hid: binding },
    kioskCore: {
      audio: {
        handsetOutput: HANDSET_OUTPUT.toLowerCase(),
        speakerOutput: SPEAKER_OUTPUT,
        handsetInput: HANDSET_INPUT,
      },
    },
  });
  kiosk = await s.openKiosk();
  operator = await s.openOperator('giulia');
  // The page's own names for the outputs and inputs: device ids are salted per origin.
  outputs = await kiosk.evaluate(async () =>
    Object.fromEntries(
      (await (globalThis as unknown as PageGlobals).navigator.mediaDevices.enumerateDevices())
        .filter((d) => d.kind === 'audiooutput')
        .map((d) => [d.label, d.deviceId]),
    ),
  );
  inputs = await kiosk.evaluate(async () =>
    Object.fromEntries(
      (await (globalThis as unknown as PageGlobals).navigator.mediaDevices.enumerateDevices())
        .filter((d) => d.kind === 'audioinput')
        .map((d) => [d.label, { deviceId: d.deviceId, groupId: (d as { groupId?: string }).groupId ?? '' }]),
    ),
  );
});
after(async () => {
  await s?.close();
});

/** Waits for the prompt of this screen to start playing, after `since` prompts, and returns it. */
async function prompt(screen: string, since: number): Promise<Played> {
  const handle = await kiosk.waitForFunction(
    ([name, from]) =>
      (globalThis as unknown as PageGlobals).sportelloAudioGuide?.played
        .slice(from)
        .find((p) => p.screen === name),
    [screen, since] as const,
  );
  return (await handle.jsonValue()) as Played;
}

const remoteSink = () =>
  kiosk.evaluate(
    () => (globalThis as unknown as PageGlobals).document.getElementById('remote-video')?.sinkId,
  );
/** The device the call's audio producer records from, as its track says. */
const sentMicrophone = () =>
  kiosk.evaluate(() => {
    const t = (globalThis as unknown as PageGlobals).sportelloMedia?.producerTrack('audio');
    const s = t?.getSettings();
    return s ? { deviceId: s.deviceId ?? '', groupId: s.groupId ?? '' } : null;
  });
/** Waits until the audio producer records from this input. */
const sendsFrom = (deviceId: string) =>
  kiosk.waitForFunction(
    (id) =>
      (globalThis as unknown as PageGlobals).sportelloMedia?.producerTrack('audio')?.getSettings()
        .deviceId === id,
    deviceId,
  );
const playedCount = () =>
  kiosk.evaluate(() => (globalThis as unknown as PageGlobals).sportelloAudioGuide?.played.length ?? 0);
const screen = (p: Page, name: string) => p.locator(`[data-screen="${name}"]`).waitFor({ state: 'visible' });
/** The headset's output report 2: Mute (bit 0), Off-Hook (bit 1), Ring (bit 2). */
const leds = () => hid.lastWrite?.[1];

/** Waits for an LED state: the agent writes it in this process after the core's state changes. */
async function until(pred: () => boolean): Promise<void> {
  // A poll, not a deadline: the test's own timeout is the bound.
  while (!pred()) await new Promise((r) => setTimeout(r, 20));
}

describe('audio guidance and the headset Phone Mute', { timeout: 300_000 }, () => {
  test('U-2 the idle prompt plays on the speaker, in the language chosen on screen', async () => {
    assert.ok(outputs[HANDSET_OUTPUT] && outputs[SPEAKER_OUTPUT], 'Chromium offers two fake outputs');
    const idle = await prompt('idle', 0);
    assert.equal(idle.role, 'speaker');
    assert.equal(idle.sinkId, outputs[SPEAKER_OUTPUT]);
    assert.match(idle.src, /\/kiosk\/prompts\/it\/idle\.wav$/);
    const before = await playedCount();
    await kiosk.click('.lang[data-lang="en"]');
    const english = await prompt('idle', before);
    assert.equal(english.language, 'en');
    assert.match(english.src, /\/prompts\/en\/idle\.wav$/);
    assert.equal(english.sinkId, outputs[SPEAKER_OUTPUT]);
    await kiosk.click('.lang[data-lang="it"]');
    await prompt('idle', before + 1);
  });

  test('U-2 lifted, the prompts play in the handset; Phone Mute mutes the microphone, the console is told, the Mute LED follows', async () => {
    const before = await playedCount();
    hid.pushReport(headsetReport(true));
    await screen(kiosk, 'waiting');
    const waiting = await prompt('waiting', before);
    assert.equal(waiting.role, 'handset');
    assert.equal(waiting.sinkId, outputs[HANDSET_OUTPUT], 'the handset earpiece, not the speaker');
    assert.match(waiting.src, /\/prompts\/it\/waiting\.wav$/);

    await screen(operator, 'ringing');
    await operator.click('#btn-accept');
    await screen(kiosk, 'in-call');
    const inCall = await prompt('in-call', before);
    assert.equal(inCall.sinkId, outputs[HANDSET_OUTPUT]);
    // The operator's voice is in the handset too.
    assert.equal(await remoteSink(), outputs[HANDSET_OUTPUT]);
    // The call's media flows both ways before the citizen mutes.
    await operator.waitForFunction(async () =>
      (await (globalThis as unknown as PageGlobals).sportelloMedia?.stats())?.audio ? true : false,
    );
    // The citizen's voice is recorded from the handset's microphone, not the default one.
    assert.ok(inputs[HANDSET_INPUT], 'Chromium offers the fake input');
    // On a busy machine the call may start on the default microphone and swap the handset's in a
    // moment later (call-microphone.ts follow()); what the citizen keeps is the handset's.
    await sendsFrom(inputs[HANDSET_INPUT]!.deviceId);
    assert.deepEqual(await sentMicrophone(), inputs[HANDSET_INPUT]);
    await until(() => leds() === 0b010);

    hid.pushReport(headsetReport(true, true));
    await kiosk.locator('body[data-microphone="muted"]').waitFor({ state: 'attached' });
    await operator.locator('#citizen-muted').waitFor({ state: 'visible' });
    await until(() => leds() === 0b011);
    const muted = await kiosk.evaluate(() => {
      const video = (globalThis as unknown as PageGlobals).document.getElementById('self-video');
      return video?.srcObject.getAudioTracks().map((t) => t.enabled);
    });
    assert.deepEqual(muted, [false], "the kiosk's microphone track is disabled");

    hid.pushReport(headsetReport(true, false));
    await kiosk.locator('body[data-microphone="on"]').waitFor({ state: 'attached' });
    await operator.locator('#citizen-muted').waitFor({ state: 'hidden' });
    await until(() => leds() === 0b010);

    // Put down: the call ends and the next prompts are on the speaker again.
    const beforeEnd = await playedCount();
    hid.pushReport(headsetReport(false));
    const ended = await prompt('ended', beforeEnd);
    assert.equal(ended.role, 'speaker');
    assert.equal(ended.sinkId, outputs[SPEAKER_OUTPUT]);
    await screen(kiosk, 'idle');
    await until(() => leds() === 0);
    await kiosk.waitForFunction(
      (speaker) =>
        (globalThis as unknown as PageGlobals).document.getElementById('remote-video')?.sinkId === speaker,
      outputs[SPEAKER_OUTPUT],
    );
  });

  test("U-2 a call started by touch: the default microphone while the handset is down, the handset's once it is lifted; put down, the call ends", async () => {
    await screen(kiosk, 'idle');
    await kiosk.click('#btn-walk-in');
    await screen(operator, 'ringing');
    await operator.click('#btn-accept');
    await screen(kiosk, 'in-call');
    await kiosk.waitForFunction(() =>
      (globalThis as unknown as PageGlobals).sportelloMedia?.producerTrack('audio'),
    );
    const handsFree = await sentMicrophone();
    assert.notEqual(handsFree?.deviceId, inputs[HANDSET_INPUT]!.deviceId, 'hands-free: not the handset');
    // Lifted in the call: the handset's microphone is sent in place, and the operator is heard in it.
    hid.pushReport(headsetReport(true));
    await sendsFrom(inputs[HANDSET_INPUT]!.deviceId);
    assert.deepEqual(await sentMicrophone(), inputs[HANDSET_INPUT]);
    await kiosk.waitForFunction(
      (handset) =>
        (globalThis as unknown as PageGlobals).document.getElementById('remote-video')?.sinkId === handset,
      outputs[HANDSET_OUTPUT],
    );
    // The new track is the one the page mutes, and the operator still hears the citizen.
    const tracks = await kiosk.evaluate(() =>
      (globalThis as unknown as PageGlobals).document
        .getElementById('self-video')
        ?.srcObject.getAudioTracks()
        .map((t) => t.enabled),
    );
    assert.deepEqual(tracks, [true]);
    await operator.waitForFunction(async () =>
      (await (globalThis as unknown as PageGlobals).sportelloMedia?.stats())?.audio ? true : false,
    );
    // Put down: the kiosk hangs up, as with any call (no hands-free fallback mid-call).
    hid.pushReport(headsetReport(false));
    await screen(kiosk, 'ended');
    await screen(operator, 'idle');
    await screen(kiosk, 'idle');
  });
});
