/**
 * `simulate --platform twilio`: one caller through a Twilio stand-in, as a Flex deployment would see
 * them. Two calls, each:
 *
 *   1. the caller dials the Twilio number: the stand-in's control route (`POST /sandbox/calls`; real
 *      Twilio cannot be scripted to receive a call) answers it with the number's TwiML, whose
 *      `<Start><Stream>` streams the caller's voice to das-Peak's Twilio Media Streams consumer;
 *   2. the kit reads the call through Twilio's REST API (the helper library, src/twilio/client.ts:
 *      429 and 503 are retried as Twilio asks), as the backend does for a Flex agent;
 *   3. das-Peak's session for the call (audio_protocol twilio, call_id = the call SID) registers the
 *      caller on the first call and verifies them against that credential on the second;
 *   4. the kit hangs up through the REST API (`Status=completed`).
 *
 * The first call plays the speaker's register take, the second a verify take (another sentence), so
 * the verification is a live caller, not a replay.
 */
import { controlRequest, type ControlAnswer } from './control.js';
import { firstOf } from './first-of.js';
import { createDaspeakClient, type DaspeakConfig } from '../daspeak/client.js';
import type { Operation } from '../daspeak/contract.js';
import type { Channel, DaspeakOutcome } from '../daspeak/outcome.js';
import type { TwilioConfig } from '../config/schema.js';
import { isKitError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { OnProgress } from '../progress.js';
import { createTwilioClient, type RetryInfo } from '../twilio/client.js';
import { callAudioWav } from './genesys-call.js';
import { SimulateError } from './errors.js';
import { voiceAudio } from './voices.js';

export interface TwilioRunOptions {
  twilio: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>;
  daspeak: DaspeakConfig;
  /** A speaker (`alice`, `synth-low`): its register take, then its first verify take. */
  speaker: string;
  /** The caller's number (E.164). */
  ani: string;
  /** 1 = real time; Infinity = no pacing. */
  speed: number;
  channel: Channel;
  /** Seconds the caller stays on after speaking while no result has come. */
  holdSeconds: number;
  signal?: AbortSignal;
  onProgress?: OnProgress;
  logger?: Logger;
  /** Where the recorded voices are (tests). */
  voicesDir?: string;
}

export interface TwilioCallResult {
  operation: Operation;
  voice: string;
  callSid: string;
  taskSid: string | null;
  /** das-Peak's outcome: registered, verified, no-match, spoof or error. */
  result: DaspeakOutcome['kind'];
  score?: number;
  error?: { code: string; message: string };
  /** The call as the REST API showed it while live, and once hung up. */
  status: { live: string; final: string };
  /** What the stand-in streamed to das-Peak (its call report). */
  stream: { mediaFrames: number; secondsSent: number; closedBy: string | null } | null;
  durationMs: number;
}

export interface TwilioSimulation {
  ok: boolean;
  platform: 'twilio';
  speaker: string;
  ani: string;
  speed: number;
  channel: Channel;
  apiBaseUrl: string;
  calls: TwilioCallResult[];
  /** Twilio requests retried after a 429 or 503 (the run rode them out). */
  retries: RetryInfo[];
  problems: string[];
  interrupted: boolean;
}

/** A control route of the stand-in; a SimulateError that says what it answered. */
async function standIn(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
) {
  let res: ControlAnswer;
  try {
    res = await controlRequest(base, method, path, body, signal ?? AbortSignal.timeout(15_000));
  } catch (err) {
    const why =
      err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new SimulateError(
      'simulate.twilio_unreachable',
      `cannot reach the Twilio stand-in at ${base}: ${why}`,
      {
        hint: 'start it (`daspeak-genesys sandbox`, or `demo --platform twilio`) and check twilio.apiBaseUrl',
      },
    );
  }
  const parsed = res.body;
  if (res.status === 404 && path === '/sandbox/calls') {
    throw new SimulateError(
      'simulate.twilio_not_stand_in',
      `${base} has no call control route (POST /sandbox/calls answered 404): only the kit's Twilio stand-in can be asked to place a call`,
      { usage: true, hint: 'point twilio.apiBaseUrl at the stand-in (`daspeak-genesys sandbox` prints it)' },
    );
  }
  if (!res.ok) {
    const message = (parsed as { message?: unknown } | undefined)?.message;
    throw new SimulateError(
      'simulate.twilio_call_refused',
      `the Twilio stand-in refused ${method} ${path}: ${res.status}${typeof message === 'string' ? ` ${message}` : ''}`,
      { status: res.status },
    );
  }
  return parsed as Record<string, unknown>;
}

function refused(what: string, err: unknown): SimulateError {
  const line = isKitError(err) ? err.toLine() : err instanceof Error ? err.message : String(err);
  return new SimulateError('simulate.twilio_refused', `Twilio refused to ${what}: ${line}`, {
    cause: err,
    ...(isKitError(err) && err.hint ? { hint: err.hint } : {}),
  });
}

export async function simulateTwilioCalls(o: TwilioRunOptions): Promise<TwilioSimulation> {
  const logger = o.logger ?? silentLogger;
  const base = (o.twilio.apiBaseUrl ?? '').replace(/\/+$/, '');
  if (!base) {
    throw new SimulateError(
      'simulate.twilio_not_stand_in',
      '--platform twilio needs the Twilio stand-in (twilio.apiBaseUrl): real Twilio cannot be scripted to receive a call with chosen audio',
      {
        usage: true,
        hint: 'use the local stand-in (`daspeak-genesys sandbox` or `demo --platform twilio`), or place a real call to your Flex number',
      },
    );
  }
  const retries: RetryInfo[] = [];
  const rest = createTwilioClient(o.twilio, {
    onRetry: (info) => {
      retries.push(info);
      o.onProgress?.({
        type: 'wait',
        ms: info.delayMs,
        reason: info.status === 429 ? 'rate-limited' : 'server-error',
        service: 'Twilio',
        status: info.status,
        request: `${info.method} ${info.path}`,
      });
    },
  });
  const daspeak = createDaspeakClient(o.daspeak, { logger, audioProtocol: 'twilio' });
  const calls: TwilioCallResult[] = [];
  const problems: string[] = [];
  let credential: string | undefined;

  for (const operation of ['register', 'verify'] as const) {
    if (o.signal?.aborted) break;
    const voice = `${o.speaker}-${operation === 'register' ? 'register' : 'verify-1'}`;
    const audio = voiceAudio(voice, operation, o.voicesDir);
    const required = o.daspeak.audioTotalDuration[operation];
    if (audio.netSpeechSeconds < required) {
      throw new SimulateError(
        'simulate.audio_too_short',
        `${voice} holds ${audio.netSpeechSeconds.toFixed(1)} s of net speech and a ${operation} waits for ${required} s`,
        { usage: true, hint: 'give another --voice' },
      );
    }
    const started = Date.now();
    // 1. The caller dials in; the number's TwiML streams them to das-Peak.
    const placed = await standIn(base, 'POST', '/sandbox/calls', {
      from: o.ani,
      audio: { wav: callAudioWav(audio) },
      speed: Number.isFinite(o.speed) ? o.speed : 'max',
    });
    const callSid = String(placed.callSid);
    const taskSid = typeof placed.taskSid === 'string' ? placed.taskSid : null;
    const hangUp = async () => {
      try {
        return (await rest.calls(callSid).update({ status: 'completed' })).status;
      } catch (err) {
        // The call must not outlive the run: the control route ends it whatever REST said.
        await standIn(base, 'POST', `/sandbox/calls/${callSid}/hangup`).catch(() => undefined);
        throw refused(`hang up call ${callSid}`, err);
      }
    };
    let live: string;
    try {
      // 2. The kit sees the live call through the REST API.
      live = (await rest.calls(callSid).fetch()).status;
    } catch (err) {
      await standIn(base, 'POST', `/sandbox/calls/${callSid}/hangup`).catch(() => undefined);
      throw refused(`read call ${callSid}`, err);
    }
    // 3. das-Peak's session for the call SID.
    const session = new AbortController();
    const common = { callId: callSid, channel: o.channel, signal: session.signal };
    const outcomeP =
      operation === 'register'
        ? daspeak.register(common)
        : daspeak.verify({ ...common, credential: credential ?? '' });
    const speechMs = Number.isFinite(o.speed) ? (audio.seconds * 1000) / o.speed : 0;
    await firstOf(speechMs + o.holdSeconds * 1000, o.signal, [outcomeP]);
    // No result in time (or interrupted): the caller hangs up and the session is given up.
    session.abort(new Error('the caller hung up before das-Peak answered'));
    const outcome = await outcomeP;
    // 4. Hang up through the REST API.
    const final = await hangUp();
    const report = (await standIn(base, 'GET', `/sandbox/calls/${callSid}`).catch(() => undefined)) as
      | { streams?: { socket?: { mediaSent?: number; secondsSent?: number; closedBy?: string } }[] }
      | undefined;
    const socket = report?.streams?.[0]?.socket;
    const call: TwilioCallResult = {
      operation,
      voice,
      callSid,
      taskSid,
      result: outcome.kind,
      ...('score' in outcome ? { score: outcome.score } : {}),
      ...(outcome.kind === 'error' ? { error: { code: outcome.code, message: outcome.message } } : {}),
      status: { live, final },
      stream: socket
        ? {
            mediaFrames: socket.mediaSent ?? 0,
            secondsSent: socket.secondsSent ?? 0,
            closedBy: socket.closedBy ?? null,
          }
        : null,
      durationMs: Date.now() - started,
    };
    calls.push(call);
    o.onProgress?.({
      type: 'step',
      action: outcome.kind,
      kind: 'call',
      name: voice,
      id: callSid,
      ...(call.score !== undefined ? { detail: `score ${call.score.toFixed(2)}` } : {}),
    });
    if (outcome.kind === 'registered') credential = outcome.credential;
    const expected = operation === 'register' ? 'registered' : 'verified';
    if (outcome.kind !== expected) {
      problems.push(
        `the ${operation} call ended ${outcome.kind}${call.error ? ` (${call.error.message})` : ''}`,
      );
      if (operation === 'register') break;
    }
  }
  const interrupted = o.signal?.aborted ?? false;
  if (interrupted) problems.push('the run was interrupted');
  if (calls.length < 2 && problems.length === 0) problems.push('the verification call did not happen');
  return {
    ok: problems.length === 0,
    platform: 'twilio',
    speaker: o.speaker,
    ani: o.ani,
    speed: o.speed,
    channel: o.channel,
    apiBaseUrl: base,
    calls,
    retries,
    problems,
    interrupted,
  };
}

/** What a person reads: each call and its outcome, the retries ridden out, then the verdict. */
export function formatTwilioSimulation(r: TwilioSimulation): string[] {
  const lines: string[] = [];
  for (const [n, c] of r.calls.entries()) {
    const score = c.score !== undefined ? `, score ${c.score.toFixed(2)}` : '';
    const sent = c.stream ? `, ${c.stream.secondsSent.toFixed(1)} s streamed` : '';
    lines.push(
      `call ${n + 1} (${c.voice}, ${c.callSid}): ${c.result}${score}${c.error ? ` (${c.error.message})` : ''}${sent}, ${(c.durationMs / 1000).toFixed(1)} s`,
    );
  }
  if (r.retries.length > 0) {
    lines.push(
      `Twilio answered ${r.retries.map((x) => `${x.status} to ${x.method} ${x.path}`).join(', ')}; retried`,
    );
  }
  lines.push(
    r.ok
      ? `ok: ${r.ani} registered, then verified, over Twilio Media Streams (${r.apiBaseUrl})`
      : `failed: ${r.problems.join('; ')}`,
  );
  return lines;
}
