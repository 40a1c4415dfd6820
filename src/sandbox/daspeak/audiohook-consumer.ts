import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  channelSamples,
  createAudiohookServer,
  type AudiohookServer,
  type AudiohookServerSession,
  type MediaParameter,
  type OpenParameters,
} from '../../audiohook/index.js';
import type { Logger } from '../../log.js';
import type { AudioCodec, StreamFormat } from './audio-settings.js';
import { SUPPORTED_SAMPLE_RATE } from './audio-settings.js';
import type { AudioStream, CallRouter } from './calls.js';
import type { ResolvedOptions } from './options.js';

/**
 * The Genesys Audiohook audio consumer (`audio_protocol: "audiohook"`), built on the kit's Audiohook
 * server: it checks the API key and the RFC 9421 signature, answers probes, and runs each session.
 * DESIGN (reference §5.1): `call_id` is `open.parameters.conversationId`, unless
 * `customConfig.call_id` overrides it; the caller (`external`) channel is used, from a mono offer when
 * there is one, else out of a stereo offer. Once every das-Peak session of the call has enough audio,
 * the stream ends with `disconnect {reason:"completed"}`.
 */

/** Problems the Audiohook server reports that mean the audio itself was unusable. */
const AUDIO_PROBLEMS = new Set([
  'audiohook.bad_frame',
  'audiohook.frame_too_large',
  'audiohook.unexpected_audio',
]);

export class AudiohookConsumer {
  private readonly server: AudiohookServer;
  private readonly streams = new WeakMap<AudiohookServerSession, AudioStream>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly router: CallRouter,
    private readonly logger: Logger,
  ) {
    const { credentials, limits, timeouts } = options;
    this.server = createAudiohookServer({
      auth: {
        credentials: { [credentials.audiohookApiKey]: credentials.audiohookClientSecret },
        strategy: options.audiohookAuthStrategy,
        failureDelayMs: options.audiohookFailureDelayMs,
      },
      limits: { maxSessions: limits.maxAudioStreams, maxBinaryBytes: limits.maxAudiohookFrameBytes },
      timeouts: { open: timeouts.audiohookOpenMs, close: timeouts.audiohookCloseMs },
      logger: logger.child({ consumer: 'audiohook' }),
      clock: () => options.clock.now(),
      timers: options.timers,
      hooks: {
        authorize: (session, open) => this.authorize(session, open),
        selectMedia: (offers, open) => this.selectMedia(offers, open),
        onOpen: (session, open) => this.onOpen(session, open),
        onAudio: (session, frame) => {
          const bytes = channelSamples(frame, 'external');
          if (bytes) this.streams.get(session)?.audio(bytes);
        },
        onClose: (session, close) =>
          this.endStream(session, close ? `close ${close.reason}` : 'socket ended'),
        onFinalize: (session) => this.endStream(session, 'socket ended'),
      },
    });
  }

  get sessionCount(): number {
    return this.server.sessions.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(req, socket, head);
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  /** Ends the call's stream once; audio the server refused fails the call's sessions first. */
  private endStream(session: AudiohookServerSession, reason: string): void {
    const stream = this.streams.get(session);
    if (!stream) return;
    this.streams.delete(session);
    const problem = session.summary().problems.find((p) => AUDIO_PROBLEMS.has(p.code));
    if (problem) stream.fail({ code: 'undecodable-audio', message: `Audiohook: ${problem.message}` });
    stream.end(`Audiohook ${reason}`);
  }

  // ---- hooks --------------------------------------------------------------------------------------

  private authorize(session: AudiohookServerSession, open: OpenParameters): true | string {
    if (session.probe) return true;
    const callId = callIdOf(open);
    if (this.router.hasLiveStream(callId)) return `call ${callId} already has an audio stream`;
    return true;
  }

  /**
   * The caller alone when offered (mono `external`), else a stereo offer holding it; in the codec the
   * call's sessions declared when there are any (PCMU otherwise). No caller channel: no audio.
   */
  private selectMedia(offers: MediaParameter[], open: OpenParameters): MediaParameter | null {
    const wanted: MediaParameter['format'] =
      this.router.declaredCodec(callIdOf(open)) === 'l16' ? 'L16' : 'PCMU';
    const usable = offers.filter(
      (m) => m.type === 'audio' && m.rate === SUPPORTED_SAMPLE_RATE && m.channels.includes('external'),
    );
    const rank = (m: MediaParameter) => (m.format === wanted ? 0 : 2) + (m.channels.length === 1 ? 0 : 1);
    return [...usable].sort((a, b) => rank(a) - rank(b))[0] ?? null;
  }

  private onOpen(session: AudiohookServerSession, open: OpenParameters): void {
    if (session.probe) return;
    const callId = callIdOf(open);
    const media = session.selectedMedia;
    const format: StreamFormat = media
      ? {
          protocol: 'audiohook',
          codec: (media.format === 'L16' ? 'l16' : 'mulaw') satisfies AudioCodec,
          encoding: media.format,
          sampleRate: media.rate,
          channels: media.channels.length,
        }
      : {
          protocol: 'audiohook',
          codec: null,
          encoding: 'no audio',
          sampleRate: SUPPORTED_SAMPLE_RATE,
          channels: 0,
        };
    const opened = this.router.openStream(callId, format, {
      complete: (reason) => {
        // A session can fail on the stream's format before `opened` is out; the goodbye follows it.
        if (session.state === 'OPENING')
          session.once('opened', () => session.disconnect('completed', reason));
        else session.disconnect('completed', reason);
      },
    });
    if (!opened.ok) throw new Error(opened.reason);
    this.streams.set(session, opened.stream);
    if (!media) {
      opened.stream.fail({
        code: 'no-caller-channel',
        message: 'the Audiohook offers hold no 8 kHz external (caller) channel',
      });
    }
  }
}

/** DESIGN: `customConfig.call_id` when it is a non-empty string, else the conversation id. */
function callIdOf(open: OpenParameters): string {
  const override = open.customConfig?.call_id;
  return typeof override === 'string' && override.length > 0 ? override : open.conversationId;
}
