import { EventEmitter } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../../log.js';
import { AudiohookError } from '../errors.js';
import { PROTOCOL_VERSION, type MediaParameter } from '../protocol/core.js';
import { formatDuration, parseDuration } from '../protocol/duration.js';
import { bytesPerInstant, sameMedia } from '../protocol/media.js';
import type {
  ClientMessage,
  ClientMessageType,
  ClientParameters,
  CloseReason,
  DisconnectParameters,
  OpenParameters,
  OpenedParameters,
  ServerMessage,
  ServerMessageOf,
} from '../protocol/messages.js';
import { parseServerMessage, serializeMessage } from '../protocol/parse.js';
import { checkAck, checkSeq } from '../protocol/sequence.js';
import { TimerSlot, type Clock, type Timers } from '../timers.js';
import type {
  AudioFrames,
  AudiohookClientError,
  AudiohookClientResult,
  AudiohookClientSession,
  AudiohookClientTimeouts,
  ClientSessionEvents,
  ClientSessionState,
  PauseSource,
  StreamSummary,
} from './session.js';

/** Everything a session needs, already validated by `connectAudiohook`. */
export interface ClientSessionConfig {
  url: string;
  headers: Record<string, string>;
  subprotocols: string[];
  sessionId: string;
  correlationId: string;
  openParameters: OpenParameters;
  probe: boolean;
  timeouts: Required<AudiohookClientTimeouts>;
  maxFrameBytes: number;
  maxTextLength: number;
  logger: Logger;
  clock: Clock;
  timers: Timers;
}

/** Past this much unsent data the streamer waits for the socket instead of queueing more. */
const HIGH_WATER_BYTES = 256 * 1024;

const LIVE: ReadonlySet<ClientSessionState> = new Set(['ACTIVE', 'PAUSED']);

export class ClientSessionImpl extends EventEmitter<ClientSessionEvents> implements AudiohookClientSession {
  readonly id: string;
  readonly correlationId: string;
  readonly done: Promise<AudiohookClientResult>;
  /** Settles when `opened` arrives (or the session ends before it); `connectAudiohook` awaits it. */
  readonly opening: Promise<void>;

  private currentState: ClientSessionState = 'CONNECTING';
  private readonly states: ClientSessionState[] = ['CONNECTING'];
  private ws: WebSocket | null = null;
  private seq = 0;
  private serverseq = 0;

  private openedParams: OpenedParameters | null = null;
  private media: MediaParameter | null = null;
  private positionSamples = 0;
  private discardedSamples = 0;
  private frames = 0;
  private bytes = 0;
  private readonly pausedBy = new Set<PauseSource>();
  private pauseStartSamples = 0;
  /** Samples to drop from the start of the stream (`opened.discardTo`); null when not discarding. */
  private discardToSamples: number | null = null;
  private discardStartSamples = 0;
  private streaming = false;
  private lastSend: Promise<void> | null = null;

  private pendingPing: { seq: number; sentAt: number } | null = null;
  private pingsSent = 0;
  private pongs = 0;
  private lastRtt: number | null = null;

  private closeReason: CloseReason | null = null;
  private closedByServer = false;
  private disconnectParams: DisconnectParameters | null = null;
  private readonly errors: AudiohookClientError[] = [];
  private httpStatus: number | null = null;
  private protocol = '';
  private wsCloseCode: number | null = null;

  private readonly openTimer: TimerSlot;
  private readonly closeTimer: TimerSlot;
  private readonly pingTimer: TimerSlot;
  private readonly log: Logger;
  private resolveDone!: (result: AudiohookClientResult) => void;
  private settleOpening!: (error?: AudiohookError) => void;

  constructor(private readonly config: ClientSessionConfig) {
    super();
    this.id = config.sessionId;
    this.correlationId = config.correlationId;
    this.log = config.logger.child({ audiohookSession: config.sessionId });
    this.openTimer = new TimerSlot(config.timers);
    this.closeTimer = new TimerSlot(config.timers);
    this.pingTimer = new TimerSlot(config.timers);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.opening = new Promise<void>((resolve, reject) => {
      let settled = false;
      this.settleOpening = (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
    });
    // connectAudiohook awaits this; the handler keeps a failed open from being an unhandled rejection.
    this.opening.catch(() => undefined);
  }

  // ---- public surface -----------------------------------------------------------------------------

  get state(): ClientSessionState {
    return this.currentState;
  }

  get selectedMedia(): MediaParameter | null {
    return this.media;
  }

  get position(): number {
    return this.media ? this.positionSamples / this.media.rate : 0;
  }

  start(): void {
    if (this.ws) return;
    const { url, subprotocols, headers, timeouts, maxTextLength } = this.config;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, subprotocols, {
        headers,
        handshakeTimeout: timeouts.connect,
        // Text is all a Monitor server may send; a UTF-16 unit takes at most 3 UTF-8 bytes.
        maxPayload: maxTextLength * 3 + 3,
      });
    } catch (err) {
      this.recordError(
        new AudiohookError('audiohook.connect_failed', `cannot connect: ${(err as Error).message}`),
      );
      this.finish();
      return;
    }
    this.ws = ws;
    ws.on('upgrade', (res: IncomingMessage) => (this.httpStatus = res.statusCode ?? null));
    ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      this.httpStatus = res.statusCode ?? null;
      res.resume();
      this.recordError(
        new AudiohookError(
          'audiohook.http_rejected',
          `server answered the upgrade with HTTP ${this.httpStatus}`,
          {
            status: this.httpStatus ?? undefined,
          },
        ),
      );
      ws.terminate();
    });
    ws.on('open', () => this.onSocketOpen());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        if (isBinary) this.onBinary();
        else this.onText(toBuffer(data).toString('utf8'));
      } catch (err) {
        this.log.error({ err }, 'audiohook client: error handling a server message');
        this.fail(
          new AudiohookError('audiohook.internal', 'internal client error', {
            protocolCode: 500,
            cause: err,
          }),
        );
      }
    });
    ws.on('error', (err: Error) => {
      // A rejected upgrade was recorded already; anything else is a transport failure.
      if (this.httpStatus !== null && this.httpStatus !== 101) return;
      const code = this.currentState === 'CONNECTING' ? 'audiohook.connect_failed' : 'audiohook.socket_error';
      this.recordError(new AudiohookError(code, `WebSocket error: ${err.message}`));
    });
    ws.on('close', (code: number) => {
      this.wsCloseCode = code;
      this.finish();
    });
  }

  async stream(frames: AudioFrames): Promise<StreamSummary> {
    if (this.streaming)
      throw new AudiohookError('audiohook.already_streaming', 'this session is already streaming');
    if (!LIVE.has(this.currentState)) {
      throw new AudiohookError('audiohook.not_open', `cannot stream audio in state ${this.currentState}`);
    }
    const startFrames = this.frames;
    const startBytes = this.bytes;
    const startDiscarded = this.discardedSamples;
    const media = this.media;
    const summary = (ended: StreamSummary['ended']): StreamSummary => {
      const rate = media?.rate ?? 1;
      return {
        frames: this.frames - startFrames,
        bytes: this.bytes - startBytes,
        seconds: media ? (this.bytes - startBytes) / bytesPerInstant(media) / rate : 0,
        discardedSeconds: (this.discardedSamples - startDiscarded) / rate,
        ended,
      };
    };
    // The server asked for no audio (empty media in `opened`).
    if (!media) return summary('no-media');

    this.streaming = true;
    const unit = bytesPerInstant(media);
    const chunkBytes = Math.max(unit, this.config.maxFrameBytes - (this.config.maxFrameBytes % unit));
    try {
      for await (const frame of frames) {
        if (!LIVE.has(this.currentState)) return summary('session-ended');
        if (!(frame instanceof Uint8Array) || frame.byteLength % unit !== 0) {
          throw this.recordAndReturn(
            new AudiohookError(
              'audiohook.bad_frame',
              `audio frame of ${frame instanceof Uint8Array ? frame.byteLength : typeof frame} bytes is not whole ${media.format} samples of ${media.channels.length} channel(s)`,
              { hint: `frames must hold interleaved samples in the order ${media.channels.join(', ')}` },
            ),
          );
        }
        for (let offset = 0; offset < frame.byteLength && LIVE.has(this.currentState); offset += chunkBytes) {
          this.pushAudio(frame.subarray(offset, Math.min(frame.byteLength, offset + chunkBytes)), unit);
        }
        await this.backpressure();
      }
      this.finishDiscard();
      return summary(LIVE.has(this.currentState) ? 'exhausted' : 'session-ended');
    } finally {
      this.streaming = false;
    }
  }

  pause(): boolean {
    return this.enterPause('client');
  }

  resume(): boolean {
    return this.leavePause('client');
  }

  update(language: string): boolean {
    if (!LIVE.has(this.currentState)) return false;
    this.send('update', { language });
    return true;
  }

  close(reason: Extract<CloseReason, 'end' | 'error'> = 'end'): Promise<AudiohookClientResult> {
    this.initiateClose(reason);
    return this.done;
  }

  result(): AudiohookClientResult {
    const rate = this.media?.rate ?? 1;
    const unit = this.media ? bytesPerInstant(this.media) : 1;
    return {
      sessionId: this.id,
      correlationId: this.correlationId,
      conversationId: this.config.openParameters.conversationId,
      state: this.currentState,
      states: [...this.states],
      httpStatus: this.httpStatus,
      protocol: this.protocol,
      opened: this.openedParams,
      selectedMedia: this.media,
      audio: {
        frames: this.frames,
        bytes: this.bytes,
        seconds: this.media ? this.bytes / unit / rate : 0,
        discardedSeconds: this.media ? this.discardedSamples / rate : 0,
        positionSeconds: this.position,
      },
      pings: { sent: this.pingsSent, answered: this.pongs, lastRttSeconds: this.lastRtt },
      closeReason: this.closeReason,
      closedByServer: this.closedByServer,
      disconnect: this.disconnectParams,
      errors: this.errors.map((e) => ({ ...e })),
      wsCloseCode: this.wsCloseCode,
    };
  }

  // ---- socket events -------------------------------------------------------------------------------

  private onSocketOpen(): void {
    if (this.currentState !== 'CONNECTING') return;
    this.protocol = this.ws?.protocol ?? '';
    this.setState('OPENING');
    this.send('open', this.config.openParameters);
    this.openTimer.start(this.config.timeouts.open, () => {
      if (this.currentState === 'OPENING') {
        this.fail(
          new AudiohookError('audiohook.open_timeout', 'no opened before the open timeout', {
            protocolCode: 408,
          }),
        );
      }
    });
  }

  private onBinary(): void {
    // Audiohook Monitor servers send no audio; the reference client answers with 415.
    this.fail(
      new AudiohookError('audiohook.unexpected_binary', 'unexpected binary message from the server', {
        protocolCode: 415,
      }),
    );
  }

  private onText(text: string): void {
    if (this.currentState === 'CLOSED' || this.currentState === 'DISCONNECTED') return;
    const parsed = parseServerMessage(text, { expectedId: this.id, maxLength: this.config.maxTextLength });
    if (!parsed.ok) {
      // Keep counting so a later `closed` still lines up after we signalled the error.
      if (parsed.envelope.seq !== undefined) this.serverseq = parsed.envelope.seq;
      this.fail(parsed.error);
      return;
    }
    const msg = parsed.message;
    // After we signalled an error the counts may be off because of it; just follow the server's.
    const lenient = this.currentState === 'CLOSING' && this.closeReason === 'error';
    const seqError = lenient ? null : checkSeq(this.serverseq, msg.seq);
    this.serverseq = msg.seq;
    const problem = seqError ?? (lenient ? null : checkAck(this.seq, msg.clientseq, 'clientseq'));
    if (problem) {
      this.fail(problem);
      // Once closing, the transaction is all that matters: let `closed` through even out of order.
      if (msg.type !== 'closed' || this.currentState !== 'CLOSING') return;
    }
    this.dispatch(msg);
  }

  private dispatch(msg: ServerMessage): void {
    switch (msg.type) {
      case 'opened':
        return this.onOpened(msg);
      case 'closed':
        return this.onClosed(msg);
      case 'pong':
        return this.onPong(msg);
      case 'pause':
        return this.onServerPauseResume(msg, 'pause');
      case 'resume':
        return this.onServerPauseResume(msg, 'resume');
      case 'disconnect':
        return this.onDisconnect(msg);
      case 'event':
        this.emit('event', msg.parameters.entities);
        return;
      case 'updated':
        this.log.debug('audiohook client: updated');
        return;
      case 'reconnect':
        // Genesys does not re-establish sessions; record it and carry on.
        this.log.info({ info: msg.parameters.info }, 'audiohook client: reconnect requested (not supported)');
        return;
    }
  }

  private onOpened(msg: ServerMessageOf<'opened'>): void {
    if (this.currentState !== 'OPENING') return this.unexpected(msg);
    this.openTimer.cancel();
    const params = msg.parameters;
    this.openedParams = params;
    const offers = this.config.openParameters.media;
    if (params.media.length > 1) {
      return this.fail(
        new AudiohookError('audiohook.bad_opened', 'opened selects more than one media', {
          protocolCode: 400,
        }),
      );
    }
    const selected = params.media[0] ?? null;
    if (selected && !offers.some((offer) => sameMedia(offer, selected))) {
      return this.fail(
        new AudiohookError('audiohook.bad_opened', 'opened selects media that was not offered', {
          protocolCode: 400,
        }),
      );
    }
    this.media = selected;
    if (selected && params.discardTo !== undefined) {
      const target = Math.round(parseDuration(params.discardTo) * selected.rate);
      if (target > 0) {
        this.discardToSamples = target;
        this.discardStartSamples = this.positionSamples;
      }
    }
    this.setState('ACTIVE');
    this.settleOpening();
    this.emit('opened', params);
    if (params.startPaused) this.enterPause('server');
    this.pingTimer.start(this.config.timeouts.initialPingDelay, () => this.sendPing());
    // A probe only checks that the server answers `opened`.
    if (this.config.probe) this.initiateClose('end');
  }

  private onClosed(msg: ServerMessageOf<'closed'>): void {
    if (this.currentState !== 'CLOSING') return this.unexpected(msg);
    this.closeTimer.cancel();
    this.closedByServer = true;
    this.setState('CLOSED');
    this.closeSocket();
  }

  private onPong(msg: ServerMessageOf<'pong'>): void {
    const pending = this.pendingPing;
    if (!pending) {
      // Not fatal (the reference client says so with a 409 and carries on).
      this.sendError(
        new AudiohookError('audiohook.unexpected_pong', "unexpected 'pong' (no outstanding 'ping')", {
          protocolCode: 409,
        }),
      );
      return;
    }
    // The reference requires clientseq === ping seq; a server that answers after reading later
    // messages acknowledges a higher seq, which still proves it saw the ping.
    if (msg.clientseq < pending.seq) {
      this.sendError(
        new AudiohookError(
          'audiohook.bad_pong',
          `pong clientseq ${msg.clientseq} is before the ping seq ${pending.seq}`,
          {
            protocolCode: 400,
          },
        ),
      );
      return;
    }
    this.pendingPing = null;
    this.pongs++;
    this.lastRtt = Math.max(0, (this.config.clock() - pending.sentAt) / 1000);
    this.emit('rtt', this.lastRtt);
  }

  private onServerPauseResume(msg: ServerMessageOf<'pause' | 'resume'>, kind: 'pause' | 'resume'): void {
    if (this.currentState === 'CLOSING') return; // the reference ignores these while closing
    if (!LIVE.has(this.currentState)) return this.unexpected(msg);
    if (kind === 'pause') this.enterPause('server');
    else this.leavePause('server');
  }

  private onDisconnect(msg: ServerMessageOf<'disconnect'>): void {
    this.disconnectParams = msg.parameters;
    if (this.currentState === 'OPENING') {
      const { reason, info } = msg.parameters;
      this.settleOpening(
        new AudiohookError(
          'audiohook.open_refused',
          `the server refused the session (${reason}${info ? `: ${info}` : ''})`,
          {
            status: reason === 'unauthorized' ? 401 : undefined,
            details: { reason, info },
          },
        ),
      );
    }
    this.log.info(
      { reason: msg.parameters.reason, info: msg.parameters.info },
      'audiohook client: server disconnect',
    );
    this.emit('disconnect', msg.parameters);
    if (this.currentState === 'OPENING' || LIVE.has(this.currentState)) this.initiateClose('disconnect');
  }

  // ---- pause / resume / discard ---------------------------------------------------------------------

  private enterPause(source: PauseSource): boolean {
    if (!LIVE.has(this.currentState)) return false;
    this.pausedBy.add(source);
    if (this.currentState === 'PAUSED') {
      // `pause` is idempotent and interrogating: confirm the state again.
      if (source === 'server') this.send('paused', {});
      return true;
    }
    this.pauseStartSamples = this.positionSamples;
    this.setState('PAUSED');
    this.send('paused', {});
    this.emit('pause', source);
    return true;
  }

  private leavePause(source: PauseSource): boolean {
    if (!LIVE.has(this.currentState)) return false;
    this.pausedBy.delete(source);
    if (this.currentState === 'ACTIVE') {
      // Already streaming: answer a server's `resume` with an empty gap.
      if (source === 'server')
        this.send('resumed', { start: this.durationAt(this.positionSamples), discarded: 'PT0S' });
      return true;
    }
    if (this.pausedBy.size > 0) {
      // The other party still holds the pause (e.g. Audio Monitoring is off): say so.
      if (source === 'server') this.send('paused', {});
      return true;
    }
    const start = this.pauseStartSamples;
    const gap = this.positionSamples - start;
    this.setState('ACTIVE');
    this.send('resumed', { start: this.durationAt(start), discarded: this.durationAt(gap) });
    const rate = this.media?.rate ?? 1;
    this.emit('resume', { source, start: start / rate, discarded: gap / rate });
    return true;
  }

  /** Sends or drops one aligned chunk, advancing the position by its samples either way. */
  private pushAudio(chunk: Uint8Array, unit: number): void {
    let data = chunk;
    let samples = data.byteLength / unit;
    if (this.discardToSamples !== null) {
      const toDrop = Math.min(samples, this.discardToSamples - this.positionSamples);
      this.positionSamples += toDrop;
      this.discardedSamples += toDrop;
      if (this.positionSamples >= this.discardToSamples) this.finishDiscard();
      data = data.subarray(toDrop * unit);
      samples -= toDrop;
      if (samples === 0) return;
    }
    if (this.currentState === 'PAUSED') {
      this.positionSamples += samples;
      this.discardedSamples += samples;
      return;
    }
    this.positionSamples += samples;
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    this.frames++;
    this.bytes += data.byteLength;
    this.lastSend = new Promise((resolve) => ws.send(data, { binary: true }, () => resolve()));
  }

  /** Ends a `discardTo` skip: tells the server what was dropped. */
  private finishDiscard(): void {
    if (this.discardToSamples === null) return;
    this.discardToSamples = null;
    const dropped = this.positionSamples - this.discardStartSamples;
    // A pause that began during the skip reports only what follows it, so the two never overlap.
    if (this.currentState === 'PAUSED')
      this.pauseStartSamples = Math.max(this.pauseStartSamples, this.positionSamples);
    if (dropped <= 0 || !LIVE.has(this.currentState)) return;
    const rate = this.media?.rate ?? 1;
    this.send('discarded', {
      start: this.durationAt(this.discardStartSamples),
      discarded: this.durationAt(dropped),
    });
    this.emit('discarded', { start: this.discardStartSamples / rate, discarded: dropped / rate });
  }

  private async backpressure(): Promise<void> {
    const ws = this.ws;
    if (ws && ws.bufferedAmount > HIGH_WATER_BYTES && this.lastSend) {
      await this.lastSend;
      return;
    }
    // Let incoming messages (pause, disconnect) in between frames, even for a synchronous source.
    await nextTurn();
  }

  // ---- ping -----------------------------------------------------------------------------------------

  private sendPing(): void {
    if (!LIVE.has(this.currentState)) return;
    if (this.pendingPing) {
      this.fail(
        new AudiohookError('audiohook.ping_timeout', 'no pong before the next ping was due', {
          protocolCode: 408,
        }),
      );
      return;
    }
    const params = this.lastRtt === null ? {} : { rtt: formatDuration(this.lastRtt) };
    const seq = this.send('ping', params);
    this.pendingPing = { seq, sentAt: this.config.clock() };
    this.pingsSent++;
    this.pingTimer.start(this.config.timeouts.pingInterval, () => this.sendPing());
  }

  // ---- close and failure ----------------------------------------------------------------------------

  private initiateClose(reason: CloseReason): void {
    switch (this.currentState) {
      case 'CONNECTING':
        this.closeReason = reason;
        this.ws?.terminate();
        if (!this.ws) this.finish();
        return;
      case 'OPENING':
      case 'ACTIVE':
      case 'PAUSED':
        break;
      default:
        return;
    }
    this.finishDiscard();
    this.openTimer.cancel();
    this.pingTimer.cancel();
    this.closeReason = reason;
    this.setState('CLOSING');
    this.send('close', { reason });
    this.closeTimer.start(this.config.timeouts.close, () => {
      if (this.currentState !== 'CLOSING') return;
      this.sendError(
        new AudiohookError('audiohook.close_timeout', 'no closed before the close timeout', {
          protocolCode: 408,
        }),
      );
      this.setState('CLOSED');
      this.closeSocket();
    });
  }

  /** A fatal problem: tell the server (`error`), then close with reason "error". */
  private fail(error: AudiohookError): void {
    const state = this.currentState;
    if (state === 'CLOSING' || state === 'CLOSED' || state === 'DISCONNECTED' || state === 'CONNECTING') {
      this.recordError(error);
      if (state === 'CONNECTING') this.initiateClose('error');
      return;
    }
    this.sendError(error);
    this.initiateClose('error');
  }

  private unexpected(msg: ServerMessage): void {
    this.fail(
      new AudiohookError(
        'audiohook.unexpected_message',
        `unexpected '${msg.type}' message in state ${this.currentState}`,
        {
          protocolCode: 409,
        },
      ),
    );
  }

  private sendError(error: AudiohookError): void {
    this.recordError(error);
    if (error.protocolCode !== undefined)
      this.send('error', { code: error.protocolCode, message: error.message });
  }

  private recordAndReturn(error: AudiohookError): AudiohookError {
    this.recordError(error);
    return error;
  }

  private recordError(error: AudiohookError): void {
    this.log.warn(
      { code: error.code, protocolCode: error.protocolCode },
      `audiohook client: ${error.message}`,
    );
    const entry: AudiohookClientError = { code: error.code, message: error.message };
    if (error.protocolCode !== undefined) entry.protocolCode = error.protocolCode;
    this.errors.push(entry);
    if (this.currentState === 'CONNECTING' || this.currentState === 'OPENING') this.settleOpening(error);
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** Closes the socket, and destroys it if the server does not finish the close handshake in time. */
  private closeSocket(): void {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return this.finish();
    ws.close(1000);
    this.closeTimer.start(this.config.timeouts.close, () => ws.terminate());
  }

  private finish(): void {
    if (this.currentState === 'DISCONNECTED') return;
    this.openTimer.cancel();
    this.closeTimer.cancel();
    this.pingTimer.cancel();
    if (this.currentState !== 'CLOSED' && this.currentState !== 'CONNECTING') {
      this.recordError(
        new AudiohookError('audiohook.connection_lost', `connection ended in state ${this.currentState}`, {
          details: { wsCloseCode: this.wsCloseCode },
        }),
      );
    }
    this.settleOpening(
      new AudiohookError('audiohook.closed_before_open', 'the session ended before it was opened', {
        details: { wsCloseCode: this.wsCloseCode },
      }),
    );
    this.setState('DISCONNECTED');
    const result = this.result();
    this.emit('closed', result);
    this.resolveDone(result);
  }

  // ---- messages out ---------------------------------------------------------------------------------

  private send<T extends ClientMessageType>(type: T, parameters: ClientParameters<T>): number {
    const ws = this.ws;
    const seq = ++this.seq;
    const message = {
      version: PROTOCOL_VERSION,
      id: this.id,
      type,
      seq,
      serverseq: this.serverseq,
      position: this.durationAt(this.positionSamples),
      parameters,
    } as ClientMessage;
    if (ws?.readyState === WebSocket.OPEN) ws.send(serializeMessage(message));
    return seq;
  }

  private durationAt(samples: number): string {
    return formatDuration(this.media ? samples / this.media.rate : 0);
  }

  private setState(state: ClientSessionState): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.states.push(state);
    this.log.debug({ from: previous, to: state }, 'audiohook client: state');
    this.emit('state', state, previous);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
