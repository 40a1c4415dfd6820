/**
 * `flows run` with no phone: the kit's data actions run by the offline executor against the
 * endpoints of the config (the sandboxes, or a real das-Peak and backend), the caller's audio
 * streamed over Audiohook (signed, as Genesys does) to das-Peak when the flow turns Audio
 * Monitoring on, prompts timed as a transcript, key presses from a script, waits through the pacer.
 */
import { pace, sliceFrames, type Clock, systemClock } from '../../audio/index.js';
import { connectAudiohook, type AudiohookClientSession } from '../../audiohook/client/index.js';
import type { KitConfig } from '../../config/schema.js';
import { credentialKind } from '../../genesys/resources/credential/kind.js';
import { renderDataActions, names } from '../../genesys/resources/index.js';
import { silentLogger, type Logger } from '../../log.js';
import { mediaBytes, silenceBytes, type CallAudio } from '../../simulate/audio.js';
import { runDataAction } from '../executor/index.js';
import type { Audio } from '../expressions/index.js';
import type { DataActionResult, RunHost, TranscriptKind } from './interpreter.js';
import { startsSession } from './speech-cue.js';

export interface TranscriptEntry {
  /** Milliseconds since the call started (wall clock). */
  atMs: number;
  kind: TranscriptKind;
  text: string;
}

/** Spoken text takes about 150 words a minute. */
export function audioMs(audio: Audio): number {
  let ms = 0;
  for (const p of audio.parts) {
    if ('silenceMs' in p) ms += p.silenceMs;
    else ms += Math.max(1, p.tts.trim().split(/\s+/).length) * 400;
  }
  return ms;
}

const rendered = new WeakMap<KitConfig, ReturnType<typeof renderDataActions>>();

/**
 * The config's data actions, rendered once per config. Unchecked: the executor checks each definition
 * as it runs it (as Genesys does), and checking all ten up front would compile twenty schemas before
 * the call is answered.
 */
function definitionsOf(config: KitConfig): ReturnType<typeof renderDataActions> {
  let found = rendered.get(config);
  if (!found) {
    found = renderDataActions(config, undefined, { check: false });
    rendered.set(config, found);
  }
  return found;
}

export interface OfflineHostOptions {
  config: KitConfig;
  /** Rendered flows by name (the modules a flow calls). */
  modules: Map<string, string>;
  conversationId: string;
  ani: string;
  organizationId: string;
  audio: CallAudio;
  dtmf: string[];
  speed: number;
  logger?: Logger;
  clock?: Clock;
}

export class OfflineHost implements RunHost {
  readonly transcript: TranscriptEntry[] = [];
  readonly participantData: Record<string, string> = {};
  transferredTo: string | undefined;
  private readonly started: number;
  private readonly clock: Clock;
  private readonly definitions: ReturnType<typeof renderDataActions>;
  private session: AudiohookClientSession | undefined;
  private streaming: Promise<void> | undefined;
  private readonly stop = new AbortController();
  /** The caller starts speaking when a das-Peak session starts (the flow then asks them to speak). */
  private speaking = false;
  /** Why the Audiohook side failed, if it did (reported in the run). */
  audiohookError: string | undefined;

  /** The fields provisioning writes to the data actions' credential (`${credentials.*}`). */
  private readonly credentials: Record<string, string>;

  constructor(private readonly o: OfflineHostOptions) {
    const cred = credentialKind.desired(o.config).find((d) => d.spec.type === 'userDefined');
    this.credentials = (cred?.spec.fields ?? {}) as Record<string, string>;
    this.clock = o.clock ?? systemClock;
    this.started = this.clock.now();
    this.definitions = definitionsOf(o.config);
  }

  log(kind: TranscriptKind, text: string): void {
    this.transcript.push({ atMs: Math.round(this.clock.now() - this.started), kind, text });
  }

  now(): Date {
    return new Date();
  }

  private wait(ms: number): Promise<void> {
    const scaled = Number.isFinite(this.o.speed) ? ms / this.o.speed : 0;
    return this.clock.sleep(scaled);
  }

  async callData(
    action: { category: string; name: string },
    inputs: Record<string, unknown>,
    timeoutMs: number | undefined,
  ): Promise<DataActionResult> {
    const found = this.definitions.find(
      (d) =>
        d.definition.category.toLowerCase() === action.category.toLowerCase() &&
        d.definition.name.toLowerCase() === action.name.toLowerCase(),
    );
    if (!found) return { ok: false, timeout: false, message: `no data action ${action.category} / ${action.name}` };
    const { config } = this.o;
    const run = runDataAction({ ...found.definition, integrationId: names(config).dataActions }, inputs, {
      credentials: this.credentials,
      credentialType: 'userDefined',
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      if (timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const r = await Promise.race([run, timedOut]);
      if (r === 'timeout') return { ok: false, timeout: true, message: `no answer in ${timeoutMs} ms` };
      if (r.outcome.ok) {
        const outputs = r.outcome.output as Record<string, unknown>;
        if (startsSession(outputs)) this.speaking = true;
        return { ok: true, outputs };
      }
      return { ok: false, timeout: r.outcome.code === 'data_action.timeout', message: `${r.outcome.code}: ${r.outcome.message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  module(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const [n, text] of this.o.modules) if (n.toLowerCase() === lower) return text;
    return undefined;
  }

  async audioMonitoring(enable: boolean): Promise<void> {
    if (!enable || this.session) return;
    const a = this.o.config.daspeak.audiohook;
    try {
      this.session = await connectAudiohook({
        uri: a.connectionUri,
        apiKey: a.apiKey,
        clientSecret: a.clientSecret,
        organizationId: this.o.organizationId,
        conversationId: this.o.conversationId,
        participant: { ani: `tel:${this.o.ani}`, aniName: '', dnis: '' },
        logger: this.o.logger ?? silentLogger,
      });
    } catch (err) {
      this.audiohookError = err instanceof Error ? err.message : String(err);
      this.log('error', `Audiohook: ${this.audiohookError}`);
      return;
    }
    const media = this.session.selectedMedia;
    if (!media) {
      this.audiohookError = 'the Audiohook server selected no media';
      return;
    }
    // Silence until the flow asks the caller to speak (it starts a das-Peak session), then the
    // caller's voice, then silence for as long as the call lasts, all paced at the run's speed.
    const format = { sampleRate: media.rate, channels: media.channels.length, bytesPerSample: 1 };
    const voice = sliceFrames(mediaBytes(this.o.audio, media), format, 200);
    const silence = silenceBytes(media, 200);
    const signal = this.stop.signal;
    const speaking = () => this.speaking;
    function* frames() {
      while (!speaking() && !signal.aborted) yield silence;
      yield* voice;
      while (!signal.aborted) yield silence;
    }
    const speed = this.o.speed;
    const session = this.session;
    const source = Number.isFinite(speed)
      ? pace(frames(), { duration: (f) => f.byteLength / format.channels / format.sampleRate, speed, signal })
      : frames();
    this.streaming = session.stream(source).then(
      () => undefined,
      (err: unknown) => {
        if (!signal.aborted) this.audiohookError = err instanceof Error ? err.message : String(err);
      },
    );
  }

  async play(audio: Audio, label: string): Promise<void> {
    const text = audio.parts
      .map((p) => ('tts' in p ? p.tts : ''))
      .filter(Boolean)
      .join(' ');
    // Silences (the pauses between status polls) are timed, not transcribed.
    if (text) this.log('prompt', label ? `${label}: ${text}` : text);
    await this.wait(audioMs(audio));
  }

  async collectDigits(prompt: Audio, _max: number, noEntryTimeoutMs: number): Promise<string | undefined> {
    await this.play(prompt, '');
    const next = this.o.dtmf.shift();
    if (next !== undefined) return next;
    await this.wait(noEntryTimeoutMs);
    return undefined;
  }

  setParticipantData(name: string, value: string): void {
    this.participantData[name] = value;
  }

  getParticipantData(name: string): string | undefined {
    return this.participantData[name];
  }

  async transfer(queue: string): Promise<void> {
    this.transferredTo = queue;
  }

  disconnect(): void {}

  /** Ends the call: the Audiohook session closes with `end`. */
  async hangUp(): Promise<void> {
    this.stop.abort();
    await this.streaming;
    if (this.session) {
      try {
        await this.session.close('end');
      } catch {
        // Already closed by the server (das-Peak had what it needed).
      }
    }
  }
}
