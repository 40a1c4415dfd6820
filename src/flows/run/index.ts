/**
 * `flows run`: one call through a flow with no phone (see offline-host.ts for what stands in for
 * Genesys). The result is the transcript, the participant data the flow wrote and how it ended.
 */
import { randomUUID } from 'node:crypto';
import type { KitConfig } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import type { CallAudio } from '../../simulate/audio.js';
import { renderFlows } from '../render.js';
import { FlowInterpreter, type Ending } from './interpreter.js';
import { OfflineHost, type TranscriptEntry } from './offline-host.js';
import { genesysOf } from '../../config/platform.js';

export { CallEnded, FlowInterpreter, MAX_LOOP_ITERATIONS } from './interpreter.js';
export { cuedFrames, ScriptedCallHost, type ScriptedCallOptions } from './call-host.js';
export { startsSession } from './speech-cue.js';
export type { Builtins, DataActionResult, Ending, RunHost, TranscriptKind } from './interpreter.js';
export { OfflineHost, audioMs, type TranscriptEntry } from './offline-host.js';

export interface FlowRunOptions {
  config: KitConfig;
  /** The flow's YAML, and the modules it may call by name. */
  flow: string;
  modules: Map<string, string>;
  ani: string;
  audio: CallAudio;
  dtmf?: string[];
  speed: number;
  language?: string;
  conversationId?: string;
  logger?: Logger;
  /** Each transcript line as it happens (a terminal shows the call live). */
  onLog?: (entry: TranscriptEntry) => void;
}

export interface FlowRunResult {
  conversationId: string;
  ending: Ending;
  transcript: TranscriptEntry[];
  participantData: Record<string, string>;
  /** Iterations run per loop (by loop name). */
  loops: Record<string, number>;
  audiohookError?: string;
  durationMs: number;
}

export async function runFlow(o: FlowRunOptions): Promise<FlowRunResult> {
  const conversationId = o.conversationId ?? randomUUID();
  const started = performance.now();
  const host = new OfflineHost({
    config: o.config,
    modules: o.modules,
    conversationId,
    ani: o.ani,
    organizationId: genesysOf(o.config).organizationId ?? randomUUID(),
    audio: o.audio,
    dtmf: [...(o.dtmf ?? [])],
    speed: o.speed,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.onLog ? { onLog: o.onLog } : {}),
  });
  const interpreter = new FlowInterpreter(host, {
    ani: o.ani,
    conversationId,
    ...(o.language ? { language: o.language } : {}),
  });
  let ending: Ending;
  try {
    ending = await interpreter.run(o.flow);
  } finally {
    await host.hangUp();
  }
  return {
    conversationId,
    ending,
    transcript: host.transcript,
    participantData: host.participantData,
    loops: Object.fromEntries(interpreter.loopIterations),
    ...(host.audiohookError ? { audiohookError: host.audiohookError } : {}),
    durationMs: Math.round(performance.now() - started),
  };
}

/** The config's rendered flows by name (what `flows run` finds a flow or a module in). */
export function renderedByName(config: KitConfig): Map<string, string> {
  return new Map(renderFlows(config).flows.map((f) => [f.name, f.text]));
}
