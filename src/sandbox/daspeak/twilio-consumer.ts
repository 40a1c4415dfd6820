import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { check } from '../../daspeak/validate.js';
import type { Logger } from '../../log.js';
import type { StreamFormat } from './audio-settings.js';
import type { AudioStream, CallRouter } from './calls.js';
import type { ResolvedOptions, SandboxFaults } from './options.js';
import {
  TWILIO_MULAW,
  TwilioEnvelopeSchema,
  TwilioMediaSchema,
  TwilioStartSchema,
} from './twilio-protocol.js';
import { Timer } from './timing.js';

/**
 * The Twilio Media Streams audio consumer (`audio_protocol: "twilio"`). `call_id` is `start.callSid`
 * (documented), or `start.customParameters.call_id` when there is no callSid (DESIGN alias). Only the
 * inbound track (the caller) is used. Once the call's sessions have enough audio the socket is closed
 * with 1000 (documented: "it closes the websocket connection"). Protocol violations close the socket:
 * 1003 binary message, 1007 bad JSON or payload, 1008 out-of-order or out-of-place messages.
 */

type ConnectionState = 'awaiting-start' | 'streaming' | 'closing';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class TwilioConsumer {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private closing = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly router: CallRouter,
    private readonly faults: () => SandboxFaults,
    private readonly logger: Logger,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxTwilioMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    if (this.closing) return refuse(socket, 503, 'the emulator is shutting down');
    if (this.sockets.size >= this.options.limits.maxAudioStreams) {
      return refuse(socket, 503, `at most ${this.options.limits.maxAudioStreams} Twilio streams at once`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const ws of this.sockets) ws.close(1001, 'the emulator is shutting down');
    const gone = [...this.sockets].map(
      (ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())),
    );
    const timer = new Timer(this.options.timers);
    await Promise.race([
      Promise.all(gone),
      new Promise<void>((resolve) => timer.start(this.options.timeouts.audiohookCloseMs, resolve)),
    ]);
    timer.cancel();
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private serve(ws: WebSocket): void {
    this.sockets.add(ws);
    const log = this.logger.child({ consumer: 'twilio' });
    let state: ConnectionState = 'awaiting-start';
    let stream: AudioStream | undefined;
    let lastSequence = -1;
    let samples = 0;
    const startTimer = new Timer(this.options.timers);

    const closing = () => state === 'closing';
    const close = (code: number, reason: string) => {
      if (state === 'closing') return;
      state = 'closing';
      startTimer.cancel();
      if (code !== 1000) log.info({ code }, `das-Peak sandbox Twilio: ${reason}`);
      ws.close(code, reason.slice(0, 120));
    };

    startTimer.start(this.options.timeouts.twilioStartMs, () => close(1008, 'no start message in time'));

    ws.on('error', (err) => log.debug({ err: err.message }, 'das-Peak sandbox Twilio: socket error'));
    ws.on('close', () => {
      this.sockets.delete(ws);
      startTimer.cancel();
      state = 'closing';
      stream?.end('the Twilio socket closed');
    });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        onMessage(data, isBinary);
      } catch (err) {
        log.error({ err }, 'das-Peak sandbox Twilio: message handling failed');
        stream?.fail({ code: 'internal', message: 'the Twilio consumer failed' });
        close(1011, 'internal error');
      }
    });

    const onMessage = (data: RawData, isBinary: boolean): void => {
      if (state === 'closing') return;
      if (isBinary) return close(1003, 'binary messages are not part of Media Streams');
      let message: unknown;
      try {
        message = JSON.parse(rawText(data));
      } catch {
        return close(1007, 'the message is not JSON');
      }
      const envelope = check(TwilioEnvelopeSchema, message);
      if (!envelope.ok) return close(1008, 'the message has no event');
      if (envelope.value.sequenceNumber !== undefined) {
        const n = Number(envelope.value.sequenceNumber);
        if (n <= lastSequence) return close(1008, 'sequenceNumber out of order');
        lastSequence = n;
      }
      switch (envelope.value.event) {
        case 'start': {
          if (state !== 'awaiting-start') return close(1008, 'a second start message');
          const start = check(TwilioStartSchema, message);
          if (!start.ok) return close(1008, `invalid start: ${start.problem}`);
          const { callSid, customParameters, mediaFormat } = start.value.start;
          const alias = customParameters?.call_id;
          const callId = callSid ?? (typeof alias === 'string' && alias.length > 0 ? alias : undefined);
          if (!callId) return close(1008, 'start has no callSid');
          // Twilio always sends 8 kHz µ-law mono; the minimal subset may leave the format out.
          const encoding = mediaFormat?.encoding ?? TWILIO_MULAW;
          const format: StreamFormat = {
            protocol: 'twilio',
            codec: encoding.toLowerCase() === TWILIO_MULAW ? 'mulaw' : null,
            encoding,
            sampleRate: mediaFormat?.sampleRate ?? 8000,
            channels: mediaFormat?.channels ?? 1,
          };
          const opened = this.router.openStream(callId, format, {
            complete: () => close(1000, 'enough audio'),
          });
          if (!opened.ok) return close(1008, opened.reason);
          stream = opened.stream;
          startTimer.cancel();
          // The call's sessions may have failed on the format already, completing (closing) the stream.
          if (!closing()) state = 'streaming';
          return;
        }
        case 'media': {
          if (state !== 'streaming' || !stream) return close(1008, 'media before start');
          const media = check(TwilioMediaSchema, message);
          if (!media.ok) return close(1008, `invalid media: ${media.problem}`);
          const { track, payload } = media.value.media;
          if (track !== undefined && track !== 'inbound') return;
          if (!BASE64.test(payload)) {
            stream.fail({ code: 'undecodable-audio', message: 'a Twilio media payload is not base64' });
            return close(1007, 'the media payload is not base64');
          }
          const bytes = Buffer.from(payload, 'base64');
          stream.audio(bytes);
          samples += bytes.length;
          const dropAfter = this.faults().dropTwilioAfterSeconds;
          if (dropAfter !== undefined && samples >= dropAfter * 8000) {
            state = 'closing';
            ws.terminate();
          }
          return;
        }
        case 'stop':
          stream?.end('stop');
          return close(1000, 'stream stopped');
        default:
          // connected, mark, dtmf, clear and whatever Twilio adds: nothing to do for a listener.
          return;
      }
    };
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ code: 'unavailable', message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
