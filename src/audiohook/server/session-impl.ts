import { EventEmitter } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../../log.js';
import { AudiohookError, isAudiohookError } from '../errors.js';
import { NULL_UUID, PROTOCOL_VERSION, UUID_PATTERN, type MediaParameter } from '../protocol/core.js';
import { formatDuration, parseDuration } from '../protocol/duration.js';
import { frameSampleCount, sameMedia } from '../protocol/media.js';
import type {
  ClientMessage,
  ClientMessageOf,
  CloseParameters,
  DisconnectParameters,
  DisconnectReason,
  ErrorParameters,
  EventEntity,
  OpenParameters,
  OpenedParameters,
  ServerMessage,
  ServerMessageType,
  ServerParameters,
} from '../protocol/messages.js';
import { parseClientMessage, serializeMessage } from '../protocol/parse.js';
import { checkAck, checkSeq } from '../protocol/sequence.js';
import { TimerSlot, type Clock, type Timers } from '../timers.js';
import { selectCallerMedia } from './media.js';
import type {
  AudioFrame,
  AudiohookRequestHeaders,
  AudiohookServerHooks,
  AudiohookServerSession,
  AuthOutcome,
  OpenAnswer,
  ServerSessionEvents,
  ServerSessionState,
  ServerSessionSummary,
} from './session.js';

export interface ServerSessionConfig {
  ws: WebSocket;
  headers: AudiohookRequestHeaders;
  auth: AuthOutcome;
  hooks: AudiohookServerHooks;
  maxBinaryBytes: number;
  maxTextLength: number;
  /** open: wait for `open` after the upgrade; close: wait for the client's `close` / socket end. */
  timeouts: { open: number; close: number };
  failureDelayMs: number;
  supportedLanguages: string[] | undefined;
  logger: Logger;
  clock: Clock;
  timers: Timers;
}

/** States in which this side may still start a disconnect or signal an error. */
const CAN_DISCONNECT: ReadonlySet<ServerSessionState> = new Set(['PREPARING', 'OPENING', 'ACTIVE', 'PAUSED']);
/** States after this side's `disconnect`, waiting for the client's `close`. */
const DISCONNECT_SENT: ReadonlySet<ServerSessionState> = new Set(['DISCONNECTING', 'UNAUTHORIZED', 'ERROR']);
const UUID_RE = new RegExp(UUID_PATTERN);
const ENDED: ReadonlySet<ServerSessionState> = new Set(['CLOSING', 'CLOSED', 'FINALIZING', 'DISCONNECTED']);

export class ServerSessionImpl extends EventEmitter<ServerSessionEvents> implements AudiohookServerSession {
  readonly correlationId: string | undefined;
  readonly headers: AudiohookRequestHeaders;
  readonly auth: AuthOutcome;
  readonly finalized: Promise<ServerSessionSummary>;

  private sessionId: string;
  private currentState: ServerSessionState = 'PREPARING';
  private readonly states: ServerSessionState[] = ['PREPARING'];
  private seq = 0;
  private clientseq = 0;
  private open: OpenParameters | null = null;
  private media: MediaParameter | null = null;
  private startPaused = false;
  private positionSamples = 0;
  private receivedSamples = 0;
  private frames = 0;
  private bytes = 0;
  private ignoredFrames = 0;
  private lastRtt: number | null = null;
  private closeReason: CloseParameters['reason'] | null = null;
  private sentDisconnect: DisconnectParameters | null = null;
  private readonly clientErrors: ErrorParameters[] = [];
  private readonly problems: Array<{ code: string; message: string }> = [];
  private wsCloseCode: number | null = null;
  private openTransaction: Promise<void> | null = null;
  private closeHooksRan = false;
  private readonly waitTimer: TimerSlot;
  private readonly log: Logger;
  private readonly ws: WebSocket;
  private resolveFinalized!: (summary: ServerSessionSummary) => void;

  constructor(private readonly config: ServerSessionConfig) {
    super();
    this.ws = config.ws;
    this.headers = config.headers;
    this.auth = config.auth;
    this.correlationId = config.headers.correlationId;
    // Without a usable header id the session adopts the id of the client's `open` (and is refused there).
    const headerId = config.headers.sessionId;
    this.sessionId = headerId && UUID_RE.test(headerId) ? headerId : NULL_UUID;
    this.log = config.logger.child({ audiohookSession: this.sessionId, correlationId: this.correlationId });
    this.waitTimer = new TimerSlot(config.timers);
    this.finalized = new Promise((resolve) => (this.resolveFinalized = resolve));
  }

  // ---- public surface -----------------------------------------------------------------------------

  get id(): string {
    return this.sessionId;
  }

  get state(): ServerSessionState {
    return this.currentState;
  }

  get openParameters(): OpenParameters | null {
    return this.open;
  }

  get selectedMedia(): MediaParameter | null {
    return this.media;
  }

  get probe(): boolean {
    return this.open?.conversationId === NULL_UUID;
  }

  get position(): number {
    return this.media ? this.positionSamples / this.media.rate : 0;
  }

  /** Wires the socket; called once the upgrade completed. */
  start(): void {
    const ws = this.ws;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        const buffer = toBuffer(data);
        if (isBinary) this.onBinary(buffer);
        else this.onText(buffer.toString('utf8'));
      } catch (err) {
        this.log.error({ err }, 'audiohook server: error handling a client message');
        this.signalError('audiohook.internal', 'internal server error');
      }
    });
    ws.on('error', (err: Error) => {
      // ws reports oversize payloads and invalid frames here, then closes the socket (1009, 1007…).
      this.problems.push({ code: 'audiohook.socket_error', message: err.message });
      this.log.warn({ err: err.message }, 'audiohook server: WebSocket error');
    });
    ws.on('close', (code: number) => {
      this.wsCloseCode = code;
      void this.finalize();
    });
    this.waitTimer.start(this.config.timeouts.open, () => {
      if (this.currentState === 'PREPARING') {
        this.problems.push({ code: 'audiohook.open_timeout', message: 'no open message after the upgrade' });
        this.ws.terminate();
      }
    });
  }

  pause(): boolean {
    if (this.currentState === 'PREPARING' || this.currentState === 'OPENING') {
      this.startPaused = true;
      return true;
    }
    if (this.currentState !== 'ACTIVE' && this.currentState !== 'PAUSED') return false;
    // `pause` is idempotent, so it may be sent while already paused.
    this.send('pause', {});
    return true;
  }

  resume(): boolean {
    if (this.currentState === 'PREPARING' || this.currentState === 'OPENING') {
      this.startPaused = false;
      return true;
    }
    if (this.currentState !== 'ACTIVE' && this.currentState !== 'PAUSED') return false;
    this.send('resume', {});
    return true;
  }

  disconnect(reason: DisconnectReason, info?: string): boolean {
    if (!CAN_DISCONNECT.has(this.currentState)) return false;
    const next: ServerSessionState =
      reason === 'completed' ? 'DISCONNECTING' : reason === 'unauthorized' ? 'UNAUTHORIZED' : 'ERROR';
    const parameters: DisconnectParameters = info === undefined ? { reason } : { reason, info };
    this.sentDisconnect = parameters;
    this.setState(next);
    this.send('disconnect', parameters);
    // The client answers with `close`; if it never does, the socket goes.
    this.waitTimer.start(this.config.timeouts.close, () => {
      if (DISCONNECT_SENT.has(this.currentState)) {
        this.problems.push({ code: 'audiohook.close_timeout', message: 'no close after disconnect' });
        this.ws.terminate();
      }
    });
    return true;
  }

  sendEvent(entities: EventEntity[]): boolean {
    const s = this.currentState;
    if (s !== 'ACTIVE' && s !== 'PAUSED' && s !== 'DISCONNECTING' && s !== 'CLOSING') return false;
    return this.send('event', { entities });
  }

  summary(): ServerSessionSummary {
    const rate = this.media?.rate ?? 1;
    return {
      id: this.sessionId,
      correlationId: this.correlationId,
      organizationId: this.headers.organizationId,
      conversationId: this.open?.conversationId,
      probe: this.probe,
      state: this.currentState,
      states: [...this.states],
      authenticated: this.auth.ok,
      signed: this.auth.ok && this.auth.signed,
      selectedMedia: this.media,
      audio: {
        frames: this.frames,
        bytes: this.bytes,
        seconds: this.receivedSamples / rate,
        positionSeconds: this.position,
        ignoredFrames: this.ignoredFrames,
      },
      closeReason: this.closeReason,
      disconnect: this.sentDisconnect,
      clientErrors: this.clientErrors.map((e) => ({ ...e })),
      problems: this.problems.map((p) => ({ ...p })),
      lastRttSeconds: this.lastRtt,
      wsCloseCode: this.wsCloseCode,
    };
  }

  // ---- incoming -----------------------------------------------------------------------------------

  private onText(text: string): void {
    if (ENDED.has(this.currentState) && this.currentState !== 'CLOSING') return;
    const expectedId = this.sessionId === NULL_UUID ? undefined : this.sessionId;
    const parsed = parseClientMessage(text, { expectedId, maxLength: this.config.maxTextLength });
    if (!parsed.ok) {
      if (parsed.envelope.seq !== undefined) this.clientseq = parsed.envelope.seq;
      this.signalError(parsed.error.code, parsed.error.message);
      return;
    }
    const msg = parsed.message;
    // After we signalled an error the counts may be off because of it; just follow the client's.
    const lenient = this.currentState === 'ERROR';
    const seqError = lenient ? null : checkSeq(this.clientseq, msg.seq);
    // Resynchronise so the client's `close` after our error still lines up.
    this.clientseq = msg.seq;
    const problem = seqError ?? (lenient ? null : checkAck(this.seq, msg.serverseq, 'serverseq'));
    if (problem) {
      this.signalError(problem.code, problem.message);
      if (msg.type !== 'close') return;
    }
    this.dispatch(msg);
  }

  private dispatch(msg: ClientMessage): void {
    switch (msg.type) {
      case 'open':
        return this.onOpen(msg);
      case 'close':
        return this.onClose(msg);
      case 'ping':
        return this.onPing(msg);
      case 'paused':
        if (this.currentState === 'ACTIVE') {
          this.setState('PAUSED');
          this.emit('paused');
        }
        return;
      case 'resumed':
        return this.onResumed(msg);
      case 'discarded':
        return this.onDiscarded(msg);
      case 'update':
        if (this.currentState === 'ACTIVE' || this.currentState === 'PAUSED') {
          this.send('updated', {});
          this.emit('update', msg.parameters.language);
        }
        return;
      case 'error':
        this.clientErrors.push(msg.parameters);
        this.log.warn(
          { code: msg.parameters.code, message: msg.parameters.message },
          'audiohook server: client error',
        );
        this.emit('clientError', msg.parameters);
        return;
    }
  }

  private onOpen(msg: ClientMessageOf<'open'>): void {
    if (this.currentState !== 'PREPARING') {
      if (CAN_DISCONNECT.has(this.currentState)) {
        this.signalError('audiohook.unexpected_message', `unexpected 'open' in state ${this.currentState}`);
      }
      return;
    }
    this.waitTimer.cancel();
    if (this.sessionId === NULL_UUID) this.sessionId = msg.id;
    this.open = msg.parameters;
    this.setState('OPENING');
    this.openTransaction = this.runOpen(msg.parameters).catch((err: unknown) => {
      this.log.error({ err }, 'audiohook server: open handler failed');
      this.signalError('audiohook.open_failed', 'internal server error');
    });
  }

  private async runOpen(open: OpenParameters): Promise<void> {
    const hooks = this.config.hooks;
    const refusal = await this.authorizationProblem(open);
    if (this.currentState !== 'OPENING') return;
    if (refusal !== null) {
      this.problems.push({ code: 'audiohook.unauthorized', message: refusal });
      // Failures are slowed down so their timing says little about why they failed.
      if (this.config.failureDelayMs > 0) {
        await new Promise<void>((resolve) =>
          this.config.timers.setTimeout(resolve, this.config.failureDelayMs),
        );
      }
      this.disconnect('unauthorized', refusal);
      return;
    }

    const selector = hooks.selectMedia ?? selectCallerMedia;
    const selected = await selector(open.media, open, this);
    if (this.currentState !== 'OPENING') return;
    if (selected && !open.media.some((offer) => sameMedia(offer, selected))) {
      throw new AudiohookError(
        'audiohook.bad_media_selection',
        'the media selector chose media that was not offered',
      );
    }
    this.media = selected ?? null;

    const answer: OpenAnswer = (await hooks.onOpen?.(this, open)) ?? {};
    if (this.currentState !== 'OPENING') return;
    if (answer.startPaused !== undefined) this.startPaused = answer.startPaused;

    const opened: OpenedParameters = { media: this.media ? [this.media] : [], startPaused: this.startPaused };
    if (answer.discardTo !== undefined && answer.discardTo > 0 && this.media) {
      opened.discardTo = formatDuration(answer.discardTo);
    }
    if (open.supportedLanguages) opened.supportedLanguages = this.config.supportedLanguages ?? [];
    this.send('opened', opened);
    this.setState('ACTIVE');
    this.emit('opened', open, this.media);
  }

  /** Null when the session may open, else the reason it may not. */
  private async authorizationProblem(open: OpenParameters): Promise<string | null> {
    if (!this.auth.ok) {
      // A failed credential lookup is our problem, answered as an error rather than "unauthorized".
      if ((this.auth.error.status ?? 0) >= 500) throw this.auth.error;
      return this.auth.error.message;
    }
    if (this.headers.organizationId?.toLowerCase() !== open.organizationId.toLowerCase()) {
      return 'organizationId does not match the Audiohook-Organization-Id header';
    }
    const verdict = await this.config.hooks.authorize?.(this, open);
    if (verdict === false) return 'not authorized';
    if (typeof verdict === 'string' && verdict.length > 0) return verdict;
    return null;
  }

  private onClose(msg: ClientMessageOf<'close'>): void {
    if (ENDED.has(this.currentState)) return;
    this.waitTimer.cancel();
    this.closeReason = msg.parameters.reason;
    this.setState('CLOSING');
    this.emit('closing', msg.parameters);
    void this.completeClose(msg.parameters);
  }

  private async completeClose(params: CloseParameters): Promise<void> {
    await this.openTransaction;
    await this.runCloseHook(params);
    if (this.currentState !== 'CLOSING') return;
    this.send('closed', {});
    this.setState('CLOSED');
    // The client closes the socket after `closed`; do not wait for ever.
    this.waitTimer.start(this.config.timeouts.close, () => this.ws.terminate());
  }

  private async runCloseHook(params: CloseParameters | null): Promise<void> {
    if (this.closeHooksRan) return;
    this.closeHooksRan = true;
    try {
      await this.config.hooks.onClose?.(this, params);
    } catch (err) {
      this.log.warn({ err }, 'audiohook server: close handler failed');
    }
  }

  private onPing(msg: ClientMessageOf<'ping'>): void {
    if (this.currentState === 'CLOSED') return;
    this.send('pong', {});
    this.lastRtt = msg.parameters.rtt === undefined ? this.lastRtt : parseDuration(msg.parameters.rtt);
    this.emit('ping', msg.parameters.rtt === undefined ? null : this.lastRtt);
  }

  private onResumed(msg: ClientMessageOf<'resumed'>): void {
    const start = parseDuration(msg.parameters.start);
    const discarded = parseDuration(msg.parameters.discarded);
    this.advancePosition(start + discarded);
    if (this.currentState === 'PAUSED') {
      this.setState('ACTIVE');
      this.emit('resumed', { start, discarded });
    }
  }

  private onDiscarded(msg: ClientMessageOf<'discarded'>): void {
    const start = parseDuration(msg.parameters.start);
    const discarded = parseDuration(msg.parameters.discarded);
    this.advancePosition(start + discarded);
    this.emit('discarded', { start, discarded });
  }

  /** Audio the client dropped still moves the stream position; received samples alone would lag. */
  private advancePosition(seconds: number): void {
    if (!this.media) return;
    this.positionSamples = Math.max(this.positionSamples, Math.round(seconds * this.media.rate));
  }

  private onBinary(data: Buffer): void {
    const state = this.currentState;
    if (DISCONNECT_SENT.has(state) || ENDED.has(state)) {
      // In flight when we disconnected, or after the client's close: drop quietly.
      this.ignoredFrames++;
      return;
    }
    if (data.byteLength > this.config.maxBinaryBytes) {
      return this.signalError(
        'audiohook.frame_too_large',
        `audio frame of ${data.byteLength} bytes exceeds ${this.config.maxBinaryBytes}`,
      );
    }
    if (state !== 'ACTIVE')
      return this.signalError('audiohook.unexpected_audio', `audio received in state ${state}`);
    const media = this.media;
    if (!media)
      return this.signalError('audiohook.unexpected_audio', 'audio received but no media was selected');
    const sampleCount = frameSampleCount(data.byteLength, media);
    if (sampleCount === null) {
      return this.signalError(
        'audiohook.bad_frame',
        `audio frame of ${data.byteLength} bytes is not whole samples`,
      );
    }
    const frame: AudioFrame = {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      media,
      sampleCount,
      position: this.positionSamples / media.rate,
      duration: sampleCount / media.rate,
    };
    this.positionSamples += sampleCount;
    this.receivedSamples += sampleCount;
    this.frames++;
    this.bytes += data.byteLength;
    try {
      this.config.hooks.onAudio?.(this, frame);
      this.emit('audio', frame);
    } catch (err) {
      this.log.error({ err }, 'audiohook server: audio handler failed');
      this.signalError('audiohook.internal', 'internal server error');
    }
  }

  // ---- errors, close, finalisation --------------------------------------------------------------------

  /** Drops the connection without a protocol goodbye (server shutdown after its grace period). */
  terminate(): void {
    this.ws.terminate();
  }

  /** A protocol violation (or our own failure): `disconnect {reason:"error", info}` once, then wait for `close`. */
  private signalError(code: string, info: string): void {
    this.problems.push({ code, message: info });
    this.log.warn({ code, state: this.currentState }, `audiohook server: ${info}`);
    if (CAN_DISCONNECT.has(this.currentState)) this.disconnect('error', info);
  }

  private async finalize(): Promise<void> {
    if (this.currentState === 'FINALIZING' || this.currentState === 'DISCONNECTED') return;
    this.waitTimer.cancel();
    this.setState('FINALIZING');
    await this.openTransaction;
    await this.runCloseHook(null);
    const summary = this.summary();
    try {
      await this.config.hooks.onFinalize?.(this, summary);
    } catch (err) {
      this.log.warn({ err }, 'audiohook server: finalize handler failed');
    }
    this.setState('DISCONNECTED');
    const final = this.summary();
    this.emit('finalized', final);
    this.resolveFinalized(final);
  }

  // ---- outgoing -----------------------------------------------------------------------------------

  private send<T extends ServerMessageType>(type: T, parameters: ServerParameters<T>): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    const message = {
      version: PROTOCOL_VERSION,
      id: this.sessionId,
      type,
      seq: this.seq + 1,
      clientseq: this.clientseq,
      parameters,
    } as ServerMessage;
    let text: string;
    try {
      text = serializeMessage(message);
    } catch (err) {
      // Only an oversize event can fail here: report it and keep the session (and the seq) intact.
      const e = isAudiohookError(err) ? err : new AudiohookError('audiohook.internal', String(err));
      this.problems.push({ code: e.code, message: e.message });
      this.log.warn({ code: e.code }, `audiohook server: ${e.message}`);
      return false;
    }
    this.seq++;
    this.ws.send(text);
    return true;
  }

  private setState(state: ServerSessionState): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.states.push(state);
    this.log.debug({ from: previous, to: state }, 'audiohook server: state');
    this.emit('state', state, previous);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
