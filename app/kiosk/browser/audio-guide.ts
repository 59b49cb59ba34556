// Spoken guidance on the kiosk (U-2): on every 'kiosk-screen' event the page dispatches, the
// screen's prompt in the page's language, pre-rendered at build time (app/dist/kiosk/prompts).
// It plays in the handset's earpiece while the handset is lifted, otherwise on the speaker, and a
// prompt that is playing moves when the handset is lifted or put down; so does the call's sound
// (follow()). The outputs are named in the kiosk configuration by a part of their label
// (audio.handsetOutput, audio.speakerOutput).
import type { KioskAudio, KioskState } from '@sportello/protocol';
import { chooseOutput, type OutputChoice, type OutputDevice } from '../common/audio-outputs.ts';
import { promptPath } from '../common/prompt-languages.ts';
import { KIOSK_SCREEN_EVENT, type KioskScreenEventDetail } from '../common/screens.ts';

type KioskScreenDetail = KioskScreenEventDetail;

/** One prompt that started playing: read by the tests and by a technician in the console. */
export interface PromptPlayed {
  screen: string;
  language: string;
  role: OutputChoice['role'];
  sinkId: string;
  src: string;
}

declare global {
  interface Window {
    sportelloAudioGuide?: { played: PromptPlayed[] };
  }
}

type SinkAudio = HTMLAudioElement & { setSinkId?(id: string): Promise<void>; sinkId?: string };

export class AudioGuide {
  private readonly el: SinkAudio;
  private audio: KioskAudio | undefined;
  private offHook = false;
  private current: KioskScreenDetail | undefined;
  private outputs: Promise<OutputDevice[]> | undefined;
  /** Bumped on each prompt: a slower earlier one never plays over a newer one. */
  private generation = 0;
  private readonly played: PromptPlayed[] = [];
  private readonly followers = new Set<SinkAudio>();
  private readonly routing = new WeakMap<SinkAudio, Promise<void>>();
  private readonly onScreen = (ev: Event) => this.play((ev as CustomEvent<KioskScreenDetail>).detail);
  private readonly onDeviceChange = () => {
    this.outputs = undefined;
  };

  constructor(
    private readonly target: EventTarget = document,
    private readonly log: (msg: string, detail?: unknown) => void = (m, d) => console.warn(m, d ?? ''),
  ) {
    this.el = document.createElement('audio') as SinkAudio;
    this.el.id = 'audio-guide';
    this.el.preload = 'auto';
    document.body.append(this.el);
    this.el.addEventListener('playing', () => {
      if (!this.current) return;
      const entry: PromptPlayed = {
        ...this.current,
        role: (this.el.dataset.role as OutputChoice['role'] | undefined) ?? 'speaker',
        sinkId: this.el.sinkId ?? '',
        src: this.el.currentSrc,
      };
      this.played.push(entry);
      if (this.played.length > 50) this.played.shift();
    });
    window.sportelloAudioGuide = { played: this.played };
    target.addEventListener(KIOSK_SCREEN_EVENT, this.onScreen);
    navigator.mediaDevices?.addEventListener('devicechange', this.onDeviceChange);
  }

  /** The core's state: the audio settings and whether the handset is lifted. */
  setState(state: KioskState): void {
    // States arrive as fresh JSON: compare the settings, not the objects.
    const audioChanged = JSON.stringify(state.audio) !== JSON.stringify(this.audio);
    this.audio = state.audio;
    const offHook = state.devices?.handset.offHook === true;
    if (offHook === this.offHook && !audioChanged) return;
    this.offHook = offHook;
    // A prompt being spoken follows the handset, and so does the call's sound.
    if (!this.el.paused && !this.el.ended) void this.route(this.generation);
    for (const el of this.followers) void this.routeElement(el);
  }

  /**
   * Another element whose sound goes where the prompts go (the call's remote video): in the handset
   * while it is lifted, else on the speaker.
   */
  follow(el: HTMLMediaElement): void {
    this.followers.add(el as SinkAudio);
    void this.routeElement(el as SinkAudio);
  }

  /** Routes one element; one change at a time per element, each deciding on the state of its turn. */
  private routeElement(el: SinkAudio): Promise<void> {
    const next = (this.routing.get(el) ?? Promise.resolve()).then(async () => {
      const choice = chooseOutput(await this.listOutputs(), this.audio, this.offHook);
      el.dataset.audioRole = choice.role;
      // Chromium may refuse or never settle a change while the element's media is torn down (the
      // call ending, seen on a busy machine): bound each try and try again, so the output is not
      // left in the handset after it is put down.
      if (!el.setSinkId) return;
      for (let attempt = 1; el.sinkId !== choice.sinkId && attempt <= 5; attempt++) {
        try {
          await Promise.race([
            el.setSinkId(choice.sinkId),
            new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 2 s')), 2_000)),
          ]);
        } catch (err) {
          this.log('audio guidance: could not choose the output of the call', String(err));
        }
      }
    });
    this.routing.set(el, next);
    return next;
  }

  private play(detail: KioskScreenDetail | undefined): void {
    if (!detail || this.audio?.guidance === false) return;
    const generation = ++this.generation;
    this.current = { screen: detail.screen, language: detail.language };
    this.el.pause();
    this.el.volume = this.audio?.volume ?? 1;
    this.el.src = promptPath(detail.language, detail.screen);
    void this.route(generation).then(async (ok) => {
      if (!ok || generation !== this.generation) return;
      try {
        await this.el.play();
      } catch (err) {
        // A newer prompt interrupting this one rejects play(): that is not a problem.
        if (generation === this.generation) this.log('audio prompt could not play', String(err));
      }
    });
  }

  /**
   * Sends the prompt to the output the hook state asks for, one change at a time; false when a
   * newer prompt took over meanwhile.
   */
  private route(generation: number): Promise<boolean> {
    const next = (this.routing.get(this.el) ?? Promise.resolve()).then(async () => {
      const choice = chooseOutput(await this.listOutputs(), this.audio, this.offHook);
      if (choice.problem) this.log(`audio guidance: ${choice.problem}; playing on the other output`);
      this.el.dataset.role = choice.role;
      if (this.el.setSinkId && this.el.sinkId !== choice.sinkId) {
        try {
          await this.el.setSinkId(choice.sinkId);
        } catch (err) {
          this.log('audio guidance: could not choose the output', String(err));
        }
      }
    });
    this.routing.set(this.el, next);
    return next.then(() => generation === this.generation);
  }

  /**
   * The audio outputs with their labels. The browser names devices only to a page that may use
   * the microphone, so a page that needs names and has none asks once (the kiosk's browser grants
   * it without a prompt) and releases the microphone at once.
   */
  private listOutputs(): Promise<OutputDevice[]> {
    const named = Boolean(this.audio?.handsetOutput || this.audio?.speakerOutput);
    if (!named || !navigator.mediaDevices) return Promise.resolve([]);
    this.outputs ??= (async () => {
      const list = async () =>
        (await navigator.mediaDevices.enumerateDevices())
          .filter((d) => d.kind === 'audiooutput')
          .map((d) => ({ deviceId: d.deviceId, label: d.label }));
      let outputs = await list();
      if (outputs.length > 0 && outputs.every((d) => !d.label)) {
        try {
          const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
          for (const t of stream.getTracks()) t.stop();
          outputs = await list();
        } catch (err) {
          this.log('audio guidance: the outputs have no names (microphone refused)', String(err));
        }
      }
      return outputs;
    })().catch((err: unknown) => {
      this.outputs = undefined;
      this.log('audio guidance: cannot list the audio outputs', String(err));
      return [];
    });
    return this.outputs;
  }

  close(): void {
    this.target.removeEventListener(KIOSK_SCREEN_EVENT, this.onScreen);
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    this.el.pause();
    this.el.removeAttribute('src');
    this.el.remove();
    delete window.sportelloAudioGuide;
  }
}
