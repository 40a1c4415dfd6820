/**
 * A whole simulation run: one call, or N calls at most C at once, against a resolved target. The CLI
 * command parses options, resolves the target and prints; everything in between is here.
 */
import { setMaxListeners } from 'node:events';
import { createDaspeakClient } from '../daspeak/client.js';
import { silentLogger, type Logger } from '../log.js';
import type { CallAudio } from './audio.js';
import { simulateCall, type CallReport, type CallResult, type CallTarget } from './call.js';
import { simulateGenesysCall } from './genesys-call.js';
import { SimulateError } from './errors.js';
import { loadCallAudio, loadCredential, saveCredential } from './inputs.js';
import { runPool, summariseCalls, type LoadSummary } from './load.js';
import type { Expectation, SimulateOptions, Target } from './options.js';
import type { ResolvedTarget } from './target.js';

export interface SimulationInputs {
  audio: CallAudio;
  credential?: string;
}

/** Reads the audio and the credential the options name; throws SimulateError for unusable input. */
export function prepareInputs(options: SimulateOptions, voicesDir?: string): SimulationInputs {
  const audio = loadCallAudio(options.audio, options.operation, voicesDir);
  const inputs: SimulationInputs = { audio };
  if (options.credential) inputs.credential = loadCredential(options.credential);
  return inputs;
}

/** What a person should know about the input before the calls start. */
export function inputWarnings(
  inputs: SimulationInputs,
  options: SimulateOptions,
  target: ResolvedTarget,
): string[] {
  const required = target.daspeak.audioTotalDuration[options.operation];
  const { audio } = inputs;
  const warnings: string[] = [];
  if (audio.netSpeechSeconds < required) {
    const problem = `${audio.source} holds ${audio.netSpeechSeconds.toFixed(1)} s of net speech and a ${options.operation} waits for ${required} s`;
    // Refused before any call: otherwise the run waits out das-Peak's timeout to say the same.
    if (!options.force) {
      throw new SimulateError('simulate.audio_too_short', problem, {
        hint: `use a recording with at least ${required} s of speech, or pass --force to send it anyway`,
      });
    }
    warnings.push(`${problem}: expect no result until das-Peak gives up (--force)`);
  }
  return warnings;
}

interface RunInfo {
  target: Target;
  operation: SimulateOptions['operation'];
  channel: SimulateOptions['channel'];
  expect: Expectation;
  speed: number;
  organizationId: string;
  /** The run was stopped (Ctrl-C) before every call had ended. */
  interrupted: boolean;
}

export interface SingleCallResult extends RunInfo {
  mode: 'single';
  ok: boolean;
  call: CallReport;
  /** Where the registration's credential was saved (`--credential-out`). */
  credentialSavedTo?: string;
}

export interface LoadResult extends RunInfo {
  mode: 'load';
  ok: boolean;
  summary: LoadSummary;
  calls: CallReport[];
}

export type SimulationResult = SingleCallResult | LoadResult;

export interface SimulationControl {
  logger?: Logger;
  /** Aborting stops the run: no new call starts, calls in flight hang up. */
  signal?: AbortSignal;
  /** Called as each call ends (progress for long load runs). */
  onCall?: (report: CallReport, index: number) => void;
}

export async function runSimulation(
  options: SimulateOptions,
  inputs: SimulationInputs,
  target: ResolvedTarget,
  control: SimulationControl = {},
): Promise<SimulationResult> {
  const logger = control.logger ?? silentLogger;
  const callTarget: CallTarget = {
    daspeak: createDaspeakClient(target.daspeak, { logger }),
    audiohook: {
      uri: target.audiohook.connectionUri,
      apiKey: target.audiohook.apiKey,
      clientSecret: target.audiohook.clientSecret,
      organizationId: target.organizationId,
    },
    audioTotalDuration: target.daspeak.audioTotalDuration,
    logger,
  };
  const info = (interrupted: boolean): RunInfo => ({
    target: target.name,
    operation: options.operation,
    channel: options.channel,
    expect: options.expect,
    speed: options.speed,
    // Through Genesys, the org sends its own id: the one its calls carried.
    organizationId: orgId ?? target.organizationId,
    interrupted,
  });
  // Through Genesys, a call the org cannot place or does not stream (no monitoring, no integration)
  // is a set-up problem that every call would hit: the first one stops the run, the calls in flight
  // hang up, and the error is thrown once they have.
  const runController = new AbortController();
  // Every call in flight listens to this one signal (its pacer, its das-Peak session, its hang-up):
  // a few listeners per call is the design, not a leak, so the bound follows the concurrency.
  for (const shared of [runController.signal, control.signal]) {
    if (shared) setMaxListeners(Math.max(10, options.concurrency * 8), shared);
  }
  const stopRun = () => runController.abort(control.signal?.reason);
  if (control.signal?.aborted) stopRun();
  control.signal?.addEventListener('abort', stopRun, { once: true });
  let setupError: Error | undefined;
  let orgId: string | undefined;
  const call = async (index: number, callId?: string): Promise<CallResult | undefined> => {
    const plan = {
      operation: options.operation,
      channel: options.channel,
      ani: options.ani,
      audio: inputs.audio,
      speed: options.speed,
      holdSeconds: options.hold,
      expect: options.expect,
      ...(inputs.credential !== undefined ? { credential: inputs.credential } : {}),
      signal: target.genesys ? runController.signal : (control.signal ?? runController.signal),
    };
    let result: CallResult;
    if (target.genesys) {
      try {
        result = await simulateGenesysCall(callTarget, target.genesys, plan);
      } catch (err) {
        setupError ??= err instanceof Error ? err : new Error(String(err));
        runController.abort(err);
        return undefined;
      }
      orgId ??= result.report.genesys?.organizationId;
    } else {
      result = await simulateCall(callTarget, { ...plan, ...(callId !== undefined ? { callId } : {}) });
    }
    control.onCall?.(result.report, index);
    return result;
  };
  const finish = () => {
    control.signal?.removeEventListener('abort', stopRun);
    if (setupError !== undefined) throw setupError;
  };

  if (options.calls === 1) {
    const first = await call(0, options.callId);
    finish();
    const { report, credential } = first!;
    const interrupted = control.signal?.aborted ?? false;
    const single: SingleCallResult = {
      mode: 'single',
      ok: report.expected && !interrupted,
      ...info(interrupted),
      call: report,
    };
    if (credential !== undefined && options.credentialOut !== undefined) {
      saveCredential(options.credentialOut, credential);
      single.credentialSavedTo = options.credentialOut;
    }
    return single;
  }

  const started = performance.now();
  const results = await runPool(options.calls, options.concurrency, (i) => call(i), runController.signal);
  finish();
  const calls = results.filter((r): r is CallResult => r !== undefined).map((r) => r.report);
  const summary = summariseCalls(calls, options.calls, options.concurrency, performance.now() - started);
  const interrupted = (control.signal?.aborted ?? false) || calls.length < options.calls;
  return {
    mode: 'load',
    ok: !interrupted && summary.unexpected === 0,
    ...info(interrupted),
    summary,
    calls,
  };
}
