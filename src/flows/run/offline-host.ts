/**
 * `flows run` with no phone: the kit's data actions run by the offline executor against the
 * endpoints of the config (the sandboxes, or a real das-Peak and backend), the caller's audio
 * streamed over Audiohook (signed, as Genesys does) to das-Peak when the flow turns Audio
 * Monitoring on, prompts timed as a transcript, key presses from a script, waits through the pacer.
 */
import { pace, sliceFrames, type Clock } from '../../audio/index.js';
import { connectAudiohook, type AudiohookClientSession } from '../../audiohook/client/index.js';
import type { KitConfig } from '../../config/schema.js';
import { audiohookOf } from '../../config/platform.js';
import { credentialKind } from '../../genesys/resources/credential/kind.js';
import { renderDataActions, names } from '../../genesys/resources/index.js';
import { silentLogger, type Logger } from '../../log.js';
import { mediaBytes, silenceBytes, type CallAudio } from '../../simulate/audio.js';
import { runDataAction } from '../executor/index.js';
import { cuedFrames, ScriptedCallHost, type TranscriptEntry } from './call-host.js';
import type { DataActionResult } from './interpreter.js';

export { audioMs, type TranscriptEntry } from './call-host.js';

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
  onLog?: (entry: TranscriptEntry) => void;
}

export class OfflineHost extends ScriptedCallHost {
  transferredTo: string | undefined;
  private readonly definitions: ReturnType<typeof renderDataActions>;
  private session: AudiohookClientSession | undefined;
  private streaming: Promise<void> | undefined;
  private readonly stop = new AbortController();
  /** Why the Audiohook side failed, if it did (reported in the run). */
  audiohookError: string | undefined;

  /** The fields provisioning writes to the data actions' credential (`${credentials.*}`). */
  private readonly credentials: Record<string, string>;

  constructor(private readonly o: OfflineHostOptions) {
    super({
      dtmf: o.dtmf,
      speed: o.speed,
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.onLog ? { onLog: o.onLog } : {}),
    });
    const cred = credentialKind.desired(o.config).find((d) => d.spec.type === 'userDefined');
    this.credentials = (cred?.spec.fields ?? {}) as Record<string, string>;
    this.definitions = definitionsOf(o.config);
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
    const run = runDataAction({ ...found.definition, integrationId: names(this.o.config).dataActions }, inputs, {
      credentials: this.credentials,
      credentialType: 'userDefined',
    }).then((r): DataActionResult => {
      if (r.outcome.ok) return { ok: true, outputs: r.outcome.output as Record<string, unknown> };
      return {
        ok: false,
        timeout: r.outcome.code === 'data_action.timeout',
        message: `${r.outcome.code}: ${r.outcome.message}`,
      };
    });
    return this.timed(run, timeoutMs);
  }

  module(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const [n, text] of this.o.modules) if (n.toLowerCase() === lower) return text;
    return undefined;
  }

  async audioMonitoring(enable: boolean): Promise<void> {
    if (!enable || this.session) return;
    const a = audiohookOf(this.o.config);
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
    const format = { sampleRate: media.rate, channels: media.channels.length, bytesPerSample: 1 };
    const { speed } = this.o;
    const { signal } = this.stop;
    const frames = cuedFrames({
      voice: sliceFrames(mediaBytes(this.o.audio, media), format, 200),
      silence: silenceBytes(media, 200),
      cue: this.speechCue,
      stop: signal,
      paced: Number.isFinite(speed),
    });
    const source = Number.isFinite(speed)
      ? pace(frames, { duration: (f) => f.byteLength / format.channels / format.sampleRate, speed, signal })
      : frames;
    this.streaming = this.session.stream(source).then(
      () => undefined,
      (err: unknown) => {
        if (!signal.aborted) this.audiohookError = err instanceof Error ? err.message : String(err);
      },
    );
  }

  async transfer(queue: string): Promise<void> {
    this.transferredTo = queue;
  }

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
