import { decodeMulaw, pcm16leToInt16 } from '../../audio/index.js';
import type { Logger } from '../../log.js';
import type { StreamFormat } from './audio-settings.js';
import type { SandboxLimits, SandboxTimeouts } from './options.js';
import { safely } from './safely.js';
import type { SessionError } from './session.js';
import type { SessionImpl } from './session-impl.js';
import { Timer, type SandboxClock, type SandboxTimers } from './timing.js';

/**
 * Joins signalling to audio by `call_id`. An audio consumer opens a stream for a call and pushes the
 * caller's audio into it; sessions for the same call receive it. Audio that arrives while the call has
 * no session is kept (bounded: `limits.earlyAudioSeconds`, and only audio younger than
 * `timeouts.earlyAudioMs` is used) and handed to the next session created for the call.
 * When every session of a call has enough audio, the stream is asked to complete (Audiohook
 * `disconnect {reason:"completed"}`, Twilio close 1000).
 */

/** What the router may ask of the consumer that owns a stream. */
export interface StreamControl {
  /** das-Peak has what it needs (or the stream was never claimed): end the stream politely. */
  complete(reason: string): void;
}

/** The consumer's side of a stream. */
export interface AudioStream {
  readonly callId: string;
  /** Caller-channel bytes in the stream's format (copied when they must be kept). */
  audio(bytes: Uint8Array): void;
  /** The audio cannot be used (undecodable): sessions of the call fail with `error-audio`. */
  fail(error: SessionError): void;
  /** The stream is over (the sender closed, or the socket went away). Idempotent. */
  end(reason: string): void;
}

export type OpenStreamResult = { ok: true; stream: AudioStream } | { ok: false; reason: string };

interface EarlyChunk {
  bytes: Uint8Array;
  samples: number;
  at: number;
}

interface StreamEntry {
  format: StreamFormat;
  control: StreamControl;
  /** A session has used this stream (so completing it makes sense). */
  served: boolean;
  completed: boolean;
  orphanTimer: Timer;
}

interface CallEntry {
  callId: string;
  stream: StreamEntry | undefined;
  sessions: Set<SessionImpl>;
  early: EarlyChunk[];
  earlySamples: number;
  /** Format of the buffered early audio (the stream that sent it). */
  earlyFormat: StreamFormat | undefined;
  /** The last stream ended (with audio buffered or not): sessions joining later cannot get more. */
  ended: { reason: string; at: number } | undefined;
  /** The last stream's audio was unusable. */
  failure: { error: SessionError; at: number } | undefined;
  expiry: Timer;
}

export interface CallRouterDeps {
  clock: SandboxClock;
  timers: SandboxTimers;
  logger: Logger;
  timeouts: SandboxTimeouts;
  limits: SandboxLimits;
}

export class CallRouter {
  private readonly calls = new Map<string, CallEntry>();
  private streamCount = 0;

  constructor(private readonly deps: CallRouterDeps) {}

  get stats(): { calls: number; streams: number; earlyAudioSeconds: number } {
    let early = 0;
    for (const entry of this.calls.values()) early += entry.earlySamples;
    return { calls: this.calls.size, streams: this.streamCount, earlyAudioSeconds: early / 8000 };
  }

  hasLiveStream(callId: string): boolean {
    return this.calls.get(callId)?.stream !== undefined;
  }

  /** The codec sessions of the call declared, to pick a matching Audiohook offer. */
  declaredCodec(callId: string): StreamFormat['codec'] | undefined {
    for (const session of this.calls.get(callId)?.sessions ?? []) {
      if (session.wantsAudio) return session.params.audio.codec;
    }
    return undefined;
  }

  openStream(callId: string, format: StreamFormat, control: StreamControl): OpenStreamResult {
    const entry = this.entry(callId);
    if (entry.stream) return { ok: false, reason: `call ${callId} already has an audio stream` };
    const stream: StreamEntry = {
      format,
      control,
      served: false,
      completed: false,
      orphanTimer: new Timer(this.deps.timers),
    };
    entry.stream = stream;
    entry.ended = undefined;
    entry.failure = undefined;
    entry.expiry.cancel();
    this.streamCount++;
    for (const session of entry.sessions) {
      if (!session.wantsAudio) continue;
      stream.served = true;
      session.streamConnected(format);
    }
    if (!stream.served) this.startOrphanTimer(entry, stream);
    return { ok: true, stream: this.handle(entry, stream) };
  }

  /** A session was started: give it the call's stream, early audio or failure. */
  join(session: SessionImpl): void {
    const entry = this.entry(session.params.callId);
    entry.sessions.add(session);
    entry.expiry.cancel();
    const now = this.deps.clock.now();
    const { failure, stream } = entry;
    if (failure && now - failure.at <= this.deps.timeouts.earlyAudioMs) {
      session.audioFailed(failure.error);
      return;
    }
    if (stream) {
      stream.served = true;
      stream.orphanTimer.cancel();
      session.streamConnected(stream.format);
    }
    this.handOverEarlyAudio(entry, session, now);
    if (!stream && entry.ended && session.wantsAudio) session.streamEnded(entry.ended.reason);
    this.completeIfDone(entry);
  }

  /** The session wants no more audio. */
  doneWithAudio(session: SessionImpl): void {
    const entry = this.calls.get(session.params.callId);
    if (entry) this.completeIfDone(entry);
  }

  leave(session: SessionImpl): void {
    const entry = this.calls.get(session.params.callId);
    if (!entry) return;
    entry.sessions.delete(session);
    this.collect(entry);
  }

  /** Forgets everything (shutdown); consumers close their sockets themselves. */
  clear(): void {
    for (const entry of this.calls.values()) {
      entry.expiry.cancel();
      entry.stream?.orphanTimer.cancel();
    }
    this.calls.clear();
    this.streamCount = 0;
  }

  // ---- internals ----------------------------------------------------------------------------------

  private handle(entry: CallEntry, stream: StreamEntry): AudioStream {
    let open = true;
    return {
      callId: entry.callId,
      audio: (bytes) => {
        if (open) this.deliver(entry, stream, bytes);
      },
      fail: (error) => {
        if (!open) return;
        entry.failure = { error, at: this.deps.clock.now() };
        for (const session of entry.sessions) session.audioFailed(error);
      },
      end: (reason) => {
        if (!open) return;
        open = false;
        stream.orphanTimer.cancel();
        if (entry.stream === stream) entry.stream = undefined;
        this.streamCount--;
        entry.ended = { reason, at: this.deps.clock.now() };
        for (const session of entry.sessions) session.streamEnded(reason);
        this.collect(entry);
      },
    };
  }

  private deliver(entry: CallEntry, stream: StreamEntry, bytes: Uint8Array): void {
    if (bytes.length === 0 || stream.format.codec === null) return;
    const wanting = [...entry.sessions].filter((s) => s.wantsAudio);
    if (wanting.length > 0) {
      const samples = decode(stream.format, bytes);
      for (const session of wanting) session.audio(samples);
      return;
    }
    // Audio after every session of the call is satisfied is in flight towards a completed stream.
    if (stream.served) return;
    this.buffer(entry, stream.format, bytes);
  }

  private buffer(entry: CallEntry, format: StreamFormat, bytes: Uint8Array): void {
    const now = this.deps.clock.now();
    const samples = format.codec === 'l16' ? bytes.length >> 1 : bytes.length;
    entry.early.push({ bytes: Uint8Array.from(bytes), samples, at: now });
    entry.earlySamples += samples;
    entry.earlyFormat = format;
    const max = this.deps.limits.earlyAudioSeconds * format.sampleRate;
    while (entry.earlySamples > max && entry.early.length > 0) {
      entry.earlySamples -= entry.early.shift()!.samples;
    }
  }

  private handOverEarlyAudio(entry: CallEntry, session: SessionImpl, now: number): void {
    const format = entry.earlyFormat;
    const chunks = entry.early.filter((c) => now - c.at <= this.deps.timeouts.earlyAudioMs);
    entry.early = [];
    entry.earlySamples = 0;
    if (!format || chunks.length === 0) return;
    if (!entry.stream) session.streamConnected(format);
    for (const chunk of chunks) {
      if (!session.wantsAudio) break;
      session.audio(decode(format, chunk.bytes));
    }
  }

  private completeIfDone(entry: CallEntry): void {
    const stream = entry.stream;
    if (!stream || !stream.served || stream.completed) return;
    for (const session of entry.sessions) if (session.wantsAudio) return;
    stream.completed = true;
    safely(this.deps.logger, 'completing an audio stream', () =>
      stream.control.complete('das-Peak has enough audio for every session of the call'),
    );
  }

  private startOrphanTimer(entry: CallEntry, stream: StreamEntry): void {
    const ms = this.deps.timeouts.orphanStreamMs;
    stream.orphanTimer.start(ms, () => {
      if (stream.served || stream.completed) return;
      stream.completed = true;
      this.deps.logger.info(
        { callId: entry.callId },
        'das-Peak sandbox: audio stream without a session ended',
      );
      safely(this.deps.logger, 'ending an orphan audio stream', () =>
        stream.control.complete(`no das-Peak session for call ${entry.callId} within ${ms / 1000} s`),
      );
    });
  }

  private entry(callId: string): CallEntry {
    let entry = this.calls.get(callId);
    if (!entry) {
      entry = {
        callId,
        stream: undefined,
        sessions: new Set(),
        early: [],
        earlySamples: 0,
        earlyFormat: undefined,
        ended: undefined,
        failure: undefined,
        expiry: new Timer(this.deps.timers),
      };
      this.calls.set(callId, entry);
    }
    return entry;
  }

  /** Drops a call with nothing left in it; one with early audio or a failure waits out the window. */
  private collect(entry: CallEntry): void {
    if (entry.stream || entry.sessions.size > 0) return;
    if (entry.early.length === 0 && !entry.failure && !entry.ended) {
      this.calls.delete(entry.callId);
      return;
    }
    entry.expiry.start(this.deps.timeouts.earlyAudioMs, () => {
      if (entry.stream || entry.sessions.size > 0) return;
      if (this.calls.get(entry.callId) === entry) this.calls.delete(entry.callId);
    });
  }
}

function decode(format: StreamFormat, bytes: Uint8Array): Int16Array {
  // Consumers deliver whole samples; a stray odd byte is dropped rather than thrown on.
  return format.codec === 'l16' ? pcm16leToInt16(bytes.subarray(0, bytes.length & ~1)) : decodeMulaw(bytes);
}
