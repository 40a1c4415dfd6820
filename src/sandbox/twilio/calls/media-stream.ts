/**
 * The sending side of one Twilio Media Stream, as Twilio plays it to a WebSocket server: JSON text
 * frames `connected`, `start` (callSid, streamSid, tracks, customParameters, mediaFormat μ-law 8 kHz
 * mono), then `media` every 20 ms of audio (160 bytes, base64, track `inbound`, chunk and timestamp as
 * strings), and `stop` when the stream or the call ends. Shapes:
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages and github.com/twilio/media-streams.
 */
import WebSocket from 'ws';
import { pace } from '../../../audio/index.js';
import type { Logger } from '../../../log.js';

/** 20 ms of 8 kHz μ-law: what one `media` message carries. */
export const FRAME_BYTES = 160;
export const FRAME_SECONDS = 0.02;

export interface MediaStreamStart {
  url: string;
  accountSid: string;
  callSid: string;
  streamSid: string;
  customParameters: Record<string, string>;
  track: 'inbound_track' | 'outbound_track' | 'both_tracks';
  logger: Logger;
  /** How long the WebSocket handshake may take (default 10 s). */
  connectTimeoutMs?: number;
}

export interface StreamClosed {
  code: number;
  reason: string;
  /** The server closed it (das-Peak had enough audio), not the stand-in. */
  byServer: boolean;
}

/** 20 ms frames of μ-law; the last one is padded with silence (0xff) as a line would be. */
export function mulawFrames(audio: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let at = 0; at < audio.length; at += FRAME_BYTES) {
    const frame = new Uint8Array(FRAME_BYTES).fill(0xff);
    frame.set(audio.subarray(at, Math.min(audio.length, at + FRAME_BYTES)));
    frames.push(frame);
  }
  return frames;
}

export class MediaStreamConnection {
  private sequence = 0;
  private chunk = 0;
  private stopping = false;
  readonly closed: Promise<StreamClosed>;
  /** Media messages sent so far. */
  mediaSent = 0;

  private constructor(
    private readonly ws: WebSocket,
    private readonly start: MediaStreamStart,
  ) {
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) =>
        resolve({ code, reason: reason.toString('utf8'), byServer: !this.stopping }),
      );
    });
  }

  /** Opens the WebSocket and sends `connected` and `start`; rejects when the server cannot be reached. */
  static async open(start: MediaStreamStart): Promise<MediaStreamConnection> {
    const ws = new WebSocket(start.url, {
      perMessageDeflate: false,
      handshakeTimeout: start.connectTimeoutMs ?? 10_000,
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        ws.off('open', onOpen);
        reject(err);
      };
      const onOpen = () => {
        ws.off('error', onError);
        resolve();
      };
      ws.once('error', onError);
      ws.once('open', onOpen);
      ws.once('unexpected-response', (_req, res) => {
        ws.off('error', onError);
        reject(
          new Error(`the Media Streams server answered HTTP ${res.statusCode} to the WebSocket handshake`),
        );
        ws.terminate();
      });
    });
    ws.on('error', (err) => start.logger.debug({ err: err.message }, 'Twilio stand-in: stream socket error'));
    const conn = new MediaStreamConnection(ws, start);
    await conn.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    const tracks =
      start.track === 'both_tracks'
        ? ['inbound', 'outbound']
        : [start.track === 'outbound_track' ? 'outbound' : 'inbound'];
    await conn.send({
      event: 'start',
      sequenceNumber: conn.nextSequence(),
      streamSid: start.streamSid,
      start: {
        streamSid: start.streamSid,
        accountSid: start.accountSid,
        callSid: start.callSid,
        tracks,
        customParameters: start.customParameters,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    return conn;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private nextSequence(): string {
    this.sequence += 1;
    return String(this.sequence);
  }

  private send(message: unknown): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => this.ws.send(JSON.stringify(message), () => resolve()));
  }

  /**
   * Sends the caller's audio as `media` messages, one per 20 ms frame, paced at `speed` (1 = real time)
   * with the kit's pacer. Stops early, without error, when `signal` aborts or the socket closes.
   */
  async play(
    audio: Uint8Array,
    speed: number,
    signal: AbortSignal,
    onFrame?: (sent: number) => void,
  ): Promise<void> {
    // Only the caller's leg exists in the stand-in: an outbound-only stream hears nothing.
    if (this.start.track === 'outbound_track') return;
    const frames = mulawFrames(audio);
    try {
      for await (const frame of pace(frames, { duration: () => FRAME_SECONDS, speed, signal })) {
        if (!this.open) return;
        this.chunk += 1;
        this.mediaSent += 1;
        onFrame?.(this.mediaSent);
        await this.send({
          event: 'media',
          sequenceNumber: this.nextSequence(),
          streamSid: this.start.streamSid,
          media: {
            track: 'inbound',
            chunk: String(this.chunk),
            timestamp: String(Math.round(this.chunk * FRAME_SECONDS * 1000)),
            payload: Buffer.from(frame).toString('base64'),
          },
        });
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  /** Sends `stop` and closes the socket (1000); resolves once it is closed. */
  async stop(): Promise<StreamClosed> {
    if (this.open && !this.stopping) {
      this.stopping = true;
      await this.send({
        event: 'stop',
        sequenceNumber: this.nextSequence(),
        streamSid: this.start.streamSid,
        stop: { accountSid: this.start.accountSid, callSid: this.start.callSid },
      });
      this.ws.close(1000, 'stream stopped');
      const timer = setTimeout(() => this.ws.terminate(), 2000);
      const closed = await this.closed;
      clearTimeout(timer);
      return closed;
    }
    this.stopping = true;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    return this.closed;
  }
}
