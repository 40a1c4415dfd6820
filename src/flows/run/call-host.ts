/**
 * What every host of the flow interpreter does the same way, whoever answers the data actions: the
 * timed transcript, prompts and key presses paced at the run's speed, participant data, the caller
 * who speaks when the flow asks, data-action timeouts, and the end of the call (a hang-up stops the
 * flow where it is). The offline run (offline-host.ts) and the sandbox org's IVR extend it.
 */
import { systemClock, type Clock } from '../../audio/index.js';
import type { Audio } from '../expressions/index.js';
import { CallEnded, type DataActionResult, type RunHost, type TranscriptKind } from './interpreter.js';
import { startsSession } from './speech-cue.js';

export interface TranscriptEntry {
  /** Milliseconds since the call started (wall clock). */
  atMs: number;
  kind: TranscriptKind;
  text: string;
  /** A prompt's length at real time (the run waits it out at its speed). */
  ms?: number;
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

export interface ScriptedCallOptions {
  /** Key presses, one entry per Collect Input, in order. */
  dtmf: string[];
  /** 1 = real time, N = N times faster, Infinity = no waiting. */
  speed: number;
  clock?: Clock;
  /** Aborted when the caller hangs up: the flow stops at its next step. */
  hangUp?: AbortSignal;
  /** Each transcript line as it happens. */
  onLog?: (entry: TranscriptEntry) => void;
}

export abstract class ScriptedCallHost implements RunHost {
  readonly transcript: TranscriptEntry[] = [];
  readonly participantData: Record<string, string> = {};
  protected readonly clock: Clock;
  private readonly started: number;
  private readonly dtmf: string[];
  private cueSpeech: () => void = () => undefined;
  /** Resolves when the flow has started a das-Peak session: the caller speaks from then on. */
  readonly speechCue: Promise<void>;
  speaking = false;

  constructor(private readonly options: ScriptedCallOptions) {
    this.clock = options.clock ?? systemClock;
    this.started = this.clock.now();
    this.dtmf = [...options.dtmf];
    this.speechCue = new Promise((resolve) => (this.cueSpeech = resolve));
  }

  abstract callData(
    action: { category: string; name: string },
    inputs: Record<string, unknown>,
    timeoutMs: number | undefined,
  ): Promise<DataActionResult>;
  abstract module(name: string): string | undefined;
  abstract audioMonitoring(enable: boolean): Promise<void>;
  abstract transfer(queue: string): Promise<void>;

  log(kind: TranscriptKind, text: string): void {
    this.record(kind, text);
  }

  private record(kind: TranscriptKind, text: string, ms?: number): void {
    const entry: TranscriptEntry = {
      atMs: Math.round(this.clock.now() - this.started),
      kind,
      text,
      ...(ms !== undefined ? { ms } : {}),
    };
    this.transcript.push(entry);
    this.options.onLog?.(entry);
  }

  now(): Date {
    return new Date();
  }

  /** Throws CallEnded once the caller has hung up. */
  protected live(): void {
    const signal = this.options.hangUp;
    if (signal?.aborted) throw new CallEnded('the caller hung up');
  }

  /** Waits `ms` of call time at the run's speed; a hang-up ends the wait (and the flow). */
  protected async wait(ms: number): Promise<void> {
    this.live();
    const scaled = Number.isFinite(this.options.speed) ? ms / this.options.speed : 0;
    try {
      await this.clock.sleep(scaled, this.options.hangUp);
    } catch (err) {
      this.live();
      throw err;
    }
  }

  /**
   * Runs a data action with the flow's timeout, and starts the caller's speech when the action
   * answered with a session waiting for audio.
   */
  protected async timed(
    run: Promise<DataActionResult>,
    timeoutMs: number | undefined,
  ): Promise<DataActionResult> {
    this.live();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<DataActionResult>((resolve) => {
      if (timeoutMs !== undefined)
        timer = setTimeout(
          () => resolve({ ok: false, timeout: true, message: `no answer in ${timeoutMs} ms` }),
          timeoutMs,
        );
    });
    try {
      const r = await Promise.race([run, timedOut]);
      this.live();
      if (r.ok && startsSession(r.outputs)) {
        this.speaking = true;
        this.cueSpeech();
      }
      return r;
    } finally {
      clearTimeout(timer);
    }
  }

  async play(audio: Audio, label: string): Promise<void> {
    const text = audio.parts
      .map((p) => ('tts' in p ? p.tts : ''))
      .filter(Boolean)
      .join(' ');
    const ms = audioMs(audio);
    // Silences (the pauses between status polls) are timed, not transcribed.
    if (text) this.record('prompt', label ? `${label}: ${text}` : text, ms);
    await this.wait(ms);
  }

  async collectDigits(prompt: Audio, _max: number, noEntryTimeoutMs: number): Promise<string | undefined> {
    await this.play(prompt, '');
    const next = this.dtmf.shift();
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

  disconnect(): void {}
}

/**
 * The caller's side of the line once Audio Monitoring is on: silence until the flow starts a
 * das-Peak session (`cue`), then the voice, then silence until the call ends (`stop`). Paced, the
 * silences are frames like any other; unpaced (speed max) they are waits, so nothing spins.
 */
export async function* cuedFrames(o: {
  voice: Iterable<Uint8Array>;
  silence: Uint8Array;
  cue: Promise<void>;
  stop: AbortSignal;
  paced: boolean;
}): AsyncGenerator<Uint8Array, void, undefined> {
  let cued = false;
  void o.cue.then(() => (cued = true));
  const stopped = new Promise<void>((resolve) => {
    if (o.stop.aborted) resolve();
    o.stop.addEventListener('abort', () => resolve(), { once: true });
  });
  if (o.paced) {
    while (!cued && !o.stop.aborted) yield o.silence;
  } else {
    await Promise.race([o.cue, stopped]);
  }
  if (o.stop.aborted) return;
  yield* o.voice;
  if (o.paced) {
    while (!o.stop.aborted) yield o.silence;
  } else {
    await stopped;
  }
}
