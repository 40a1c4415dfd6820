/**
 * One call placed by a Genesys org (`--via-genesys`). The org does Genesys' part, and the simulator
 * only what the IVR or the widget does:
 *
 *   1. the simulator asks the org to place the call (a sandbox org's `POST /sandbox/calls`: queue,
 *      ANI, the caller audio, speed). The org creates the conversation and, when audio monitoring is
 *      on for it, streams the audio to every enabled Audiohook integration, signed with the
 *      integration's credential. Its conversationId is the call_id;
 *   2. the simulator starts the das-Peak register/verify session for that call_id, as in a call it
 *      plays itself;
 *   3. the org keeps the line open after the audio (`keepConnected`) until the result comes or the
 *      hold runs out, and the simulator then hangs up through the org. Without a result, das-Peak
 *      hears the audio end and gets the same grace as in a call the simulator plays itself.
 *
 * The org plays the audio from the moment it accepts the call, so the speech usually reaches
 * das-Peak before its session exists: das-Peak joins audio and session by call_id (the emulator
 * buffers early audio for this). The org's call report (sessions opened and closed, media, errors)
 * goes into the call's report.
 */
import { controlRequest, type ControlAnswer } from './control.js';
import { firstOf } from './first-of.js';
import { interleave, TELEPHONY_RATE, writeWav } from '../audio/index.js';
import type { AudiohookClientResult } from '../audiohook/client/index.js';
import type { DaspeakOutcome } from '../daspeak/outcome.js';
import { silentLogger } from '../log.js';
import { speechReachedAt, type CallAudio } from './audio.js';
import {
  AUDIO_LOST_GRACE_MS,
  audioLost,
  buildReport,
  settledWithin,
  summariseAudiohook,
  type AudiohookSummary,
  type CallError,
  type CallPlan,
  type CallResult,
  type CallStep,
  type CallTarget,
} from './call.js';
import { SimulateError } from './errors.js';
import { DEFAULT_HOLD_SECONDS } from './options.js';
import type { GenesysCallTarget } from './target.js';

/** How long one control-route request may take (the call itself runs in the org, not in the request). */
const ORG_REQUEST_TIMEOUT_MS = 15_000;

/** One Audiohook session of the org's call, as its call report tells it. */
export interface GenesysSessionSummary {
  integrationId: string;
  integrationName: string;
  connectionUri: string;
  /** The session got past `open`: the server answered `opened`. */
  opened: boolean;
  media: string[] | null;
  secondsSent: number;
  closeReason: string | null;
  closedByServer: boolean;
  disconnectReason: string | null;
  httpStatus: number | null;
  errors: { code: string; message: string }[];
  /** A failure before the session could start (for example a missing credential). */
  error?: { code: string; message: string };
}

/** What the org's call report says about a call it placed. */
export interface GenesysCallSummary {
  /** The org's id of the call (not the conversation): its control routes take this one. */
  callId: string;
  conversationId: string;
  organizationId?: string;
  queueId?: string;
  /** Audio monitoring was on for the call. */
  monitored: boolean;
  state: string;
  startTime?: string;
  endTime?: string;
  audioSeconds?: number;
  sessions: GenesysSessionSummary[];
}

/** The parts of the org's call report (`GET /sandbox/calls/{id}`) the simulator relies on. */
interface OrgCallReport {
  id: string;
  organizationId?: string;
  conversationId: string;
  queueId?: string;
  monitored: boolean;
  state: string;
  startTime?: string;
  endTime?: string;
  audioSeconds?: number;
  sessions: {
    integrationId: string;
    integrationName: string;
    connectionUri: string;
    result?: AudiohookClientResult;
    error?: { code: string; message: string };
  }[];
}

function isOrgCallReport(value: unknown): value is OrgCallReport {
  const v = value as Partial<OrgCallReport> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.conversationId === 'string' &&
    typeof v.monitored === 'boolean' &&
    Array.isArray(v.sessions)
  );
}

/**
 * The caller audio in the form the control route accepts: a base64 WAV, µ-law 8 kHz (what the call
 * carries anyway, so nothing is converted twice). Stereo when the source had an agent side.
 */
export function callAudioWav(audio: CallAudio): string {
  const stereo = audio.original.channels === 2;
  const data = stereo ? interleave([audio.external, audio.internal]) : audio.external;
  const wav = writeWav({
    encoding: 'mulaw',
    sampleRate: TELEPHONY_RATE,
    channels: stereo ? 2 : 1,
    data,
  });
  return Buffer.from(wav).toString('base64');
}

function unreachable(org: GenesysCallTarget, err: unknown): SimulateError {
  const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new SimulateError(
    'simulate.genesys_unreachable',
    `cannot reach the Genesys org at ${org.baseUrl}: ${why}`,
    { hint: 'start the local stack (`npm start` or `daspeak-genesys sandbox`) and check genesys.baseUrl' },
  );
}

/** A request to the org's control routes; the answer's JSON, or a SimulateError that says what the org said (flow-call.ts uses it too). */
export async function orgRequest(
  org: GenesysCallTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  let res: ControlAnswer;
  try {
    res = await controlRequest(
      org.baseUrl,
      method,
      path,
      body,
      signal ?? AbortSignal.timeout(ORG_REQUEST_TIMEOUT_MS),
    );
  } catch (err) {
    throw unreachable(org, err);
  }
  const parsed = res.body;
  if (res.status === 404 && path === '/sandbox/calls') {
    throw new SimulateError(
      'simulate.genesys_not_sandbox',
      `the Genesys org at ${org.baseUrl} has no call control route (POST /sandbox/calls answered 404): only the kit's sandbox org can be asked to place a call`,
      { usage: true, hint: 'point genesys.baseUrl at the sandbox org (`npm start` writes such a config)' },
    );
  }
  if (!res.ok) {
    const message = (parsed as { message?: unknown } | undefined)?.message;
    throw new SimulateError(
      'simulate.genesys_call_refused',
      `the Genesys org refused ${method} ${path}: ${res.status}${typeof message === 'string' ? ` ${message}` : ''}`,
      {
        status: res.status,
        hint:
          res.status === 413
            ? 'the caller audio is too long for the control route (its JSON body limit is 5 MB, about 7 minutes of mono audio): use a shorter --wav'
            : path === '/sandbox/calls'
              ? 'check --queue (or widget.queues) and --ani: the org routes the call by queue name or id'
              : 'see the org log (`daspeak-genesys sandbox --verbose`)',
      },
    );
  }
  return parsed;
}

async function orgCall(
  org: GenesysCallTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<OrgCallReport> {
  const answer = await orgRequest(org, method, path, body, signal);
  if (!isOrgCallReport(answer)) {
    throw new SimulateError(
      'simulate.genesys_bad_answer',
      `the Genesys org answered ${method} ${path} with something that is not a call report`,
      { hint: 'genesys.baseUrl must be the kit sandbox org' },
    );
  }
  return answer;
}

/** Why the org streamed the call nowhere, as an error that names what is missing and how to fix it. */
function notStreamed(report: OrgCallReport, org: GenesysCallTarget): SimulateError | undefined {
  const fix =
    'run `daspeak-genesys provision --config <file>`: it creates the Audiohook integration and turns audio monitoring on for the queues of widget.queues';
  if (!report.monitored) {
    return new SimulateError(
      'simulate.genesys_monitoring_off',
      `the Genesys org streamed no audio: audio monitoring is off for queue ${org.queue}, so no Audiohook integration hears the call`,
      { hint: `${fix} (list ${org.queue} there, or pass --queue with a provisioned queue)` },
    );
  }
  if (report.sessions.length === 0) {
    return new SimulateError(
      'simulate.genesys_no_audiohook',
      `the Genesys org streamed no audio: it has no ENABLED, ACTIVE audiohook integration (audio monitoring is on for queue ${org.queue})`,
      { hint: fix },
    );
  }
  return undefined;
}

export function summariseOrgCall(report: OrgCallReport): GenesysCallSummary {
  return {
    callId: report.id,
    conversationId: report.conversationId,
    ...(report.organizationId !== undefined ? { organizationId: report.organizationId } : {}),
    ...(report.queueId !== undefined ? { queueId: report.queueId } : {}),
    monitored: report.monitored,
    state: report.state,
    ...(report.startTime !== undefined ? { startTime: report.startTime } : {}),
    ...(report.endTime !== undefined ? { endTime: report.endTime } : {}),
    ...(report.audioSeconds !== undefined ? { audioSeconds: report.audioSeconds } : {}),
    sessions: report.sessions.map((s) => {
      const r = s.result;
      return {
        integrationId: s.integrationId,
        integrationName: s.integrationName,
        connectionUri: s.connectionUri,
        opened: r?.opened != null,
        media: r?.selectedMedia ? [...r.selectedMedia.channels] : null,
        secondsSent: r?.audio.seconds ?? 0,
        closeReason: r?.closeReason ?? null,
        closedByServer: r?.closedByServer ?? false,
        disconnectReason: r?.disconnect?.reason ?? null,
        httpStatus: r?.httpStatus ?? null,
        errors: (r?.errors ?? []).map((e) => ({ code: e.code, message: e.message })),
        ...(s.error ? { error: s.error } : {}),
      };
    }),
  };
}

/**
 * The org's session that carried the audio to this das-Peak: the one whose connectionUri is the
 * config's `daspeak.audiohook.connectionUri`, or else the first (an org may have several integrations).
 */
function ourSession(report: OrgCallReport, uri: string): OrgCallReport['sessions'][number] | undefined {
  return report.sessions.find((s) => s.connectionUri === uri) ?? report.sessions[0];
}

function sessionSummary(session: OrgCallReport['sessions'][number] | undefined): AudiohookSummary {
  if (session?.result) return summariseAudiohook(session.result);
  return {
    sessionId: '',
    media: null,
    secondsSent: 0,
    closeReason: null,
    closedByServer: false,
    disconnectReason: null,
    httpStatus: null,
    errors: session?.error ? [session.error] : [],
  };
}

/** Why the org's Audiohook session failed, if it did. */
function sessionFailure(session: OrgCallReport['sessions'][number] | undefined): CallError | undefined {
  if (!session) return undefined;
  if (session.error) return { source: 'audiohook', ...session.error };
  const r = session.result;
  if (!r) return undefined;
  if (r.httpStatus !== null && r.httpStatus !== 101 && !r.opened) {
    const first = r.errors[0];
    return {
      source: 'audiohook',
      code: first?.code ?? 'audiohook.open_refused',
      message: first?.message ?? `the Audiohook server refused the org's connection (HTTP ${r.httpStatus})`,
      status: r.httpStatus,
    };
  }
  return audioLost(r);
}

export interface GenesysCallResult extends CallResult {
  genesys: GenesysCallSummary;
}

/**
 * Plays one call through the org. Throws SimulateError when the org cannot place it or places it
 * without streaming it anywhere (no monitoring, no integration): those are set-up problems, the same
 * for every call of a run. What das-Peak and the Audiohook sessions do is in the report.
 */
export async function simulateGenesysCall(
  target: CallTarget,
  org: GenesysCallTarget,
  plan: Omit<CallPlan, 'callId'>,
): Promise<GenesysCallResult> {
  const logger = target.logger ?? silentLogger;
  const required = target.audioTotalDuration[plan.operation];
  const hold = plan.holdSeconds ?? DEFAULT_HOLD_SECONDS;
  const step = (name: CallStep) => {
    try {
      plan.onStep?.(name);
    } catch (err) {
      logger.debug({ err, step: name }, 'simulate: an onStep callback threw; ignored');
    }
  };

  // 1. The org places the call and streams it.
  const started = Date.now();
  const placed = await orgCall(org, 'POST', '/sandbox/calls', {
    ani: plan.ani,
    queue: org.queue,
    audio: { wav: callAudioWav(plan.audio) },
    speed: Number.isFinite(plan.speed) ? plan.speed : 'max',
    keepConnected: true,
  });
  const acceptedAt = Date.now();
  const hangUp = () => orgCall(org, 'POST', `/sandbox/calls/${encodeURIComponent(placed.id)}/hangup`);
  const missing = notStreamed(placed, org);
  if (missing) {
    await hangUp().catch((err: unknown) => logger.debug({ err }, 'simulate: hanging up an unheard call'));
    throw missing;
  }
  const callId = placed.conversationId;
  // The org streams the speech from the start of the call, at `speed`; these two are estimates.
  const speechSeconds = (seconds: number) =>
    Number.isFinite(plan.speed) ? (seconds * 1000) / plan.speed : 0;
  const requiredAt = speechReachedAt(plan.audio.speech, required);
  const requiredSpeechSentAt = requiredAt === undefined ? undefined : acceptedAt + speechSeconds(requiredAt);

  // The call also ends on its own when every Audiohook session has ended (das-Peak had enough audio).
  const waitController = new AbortController();
  const endedByItself = orgCall(
    org,
    'GET',
    `/sandbox/calls/${encodeURIComponent(placed.id)}?wait=true`,
    undefined,
    waitController.signal,
  ).catch(() => undefined);
  // Only a report means the call ended; a failed long poll is no reason to hang up early.
  const ended = endedByItself.then((r) => (r ? undefined : new Promise<void>(() => {})));

  // 2. The IVR or the widget starts the das-Peak session for the org's conversation.
  const daspeakController = new AbortController();
  let outcome: DaspeakOutcome | undefined;
  const sessionStartedAt = Date.now();
  step('session-started');
  const common = {
    callId,
    channel: plan.channel,
    signal: daspeakController.signal,
    onConsumerReady: () => step('consumer-ready'),
  };
  const outcomeP = (
    plan.operation === 'register'
      ? target.daspeak.register(common)
      : target.daspeak.verify({ ...common, credential: plan.credential ?? '' })
  ).then((o) => {
    outcome = o;
    step('result');
    return o;
  });

  // 3. The line stays open through the audio and the hold, until the result or the call's own end.
  let final: OrgCallReport | undefined;
  let result: DaspeakOutcome;
  try {
    const holdUntil = acceptedAt + speechSeconds(plan.audio.seconds) + hold * 1000;
    await firstOf(holdUntil - Date.now(), plan.signal, [outcomeP, ended]);
    if (!outcome) {
      final = await hangUp();
      if (!plan.signal?.aborted) await settledWithin(outcomeP, AUDIO_LOST_GRACE_MS, plan.signal);
    }
  } finally {
    if (!outcome) daspeakController.abort(new Error('the call ended before das-Peak answered'));
  }
  const gaveUp = !outcome && !plan.signal?.aborted;
  try {
    result = await outcomeP;
    final ??= await hangUp();
  } finally {
    // The long poll ends with the call; stop waiting for it either way.
    waitController.abort();
    await endedByItself;
  }
  step('ended');

  const session = ourSession(final, target.audiohook.uri);
  let failure: CallError | undefined;
  if (result.kind === 'error' && !plan.signal?.aborted) {
    failure = sessionFailure(session);
    if (!failure && gaveUp) {
      failure = {
        source: 'daspeak',
        code: 'no-result',
        message: `das-Peak gave no result within ${AUDIO_LOST_GRACE_MS / 1000} s of the call ending`,
      };
    }
  }
  const since = (at: number | undefined) => (at === undefined ? undefined : at - started);
  const report = buildReport(
    { callId, plan: { ...plan, callId }, required },
    sessionSummary(session),
    result,
    failure,
    {
      sessionStartedMs: since(sessionStartedAt),
      sessionCreatedMs: since(result.timings.createdAt),
      consumerReadyMs: since(result.timings.consumerReadyAt),
      speechStartedMs: since(acceptedAt),
      requiredSpeechSentMs: since(requiredSpeechSentAt),
      resultMs: since(result.timings.resultAt),
      endedMs: since(Date.now()),
    },
  );
  const genesys = summariseOrgCall(final);
  report.genesys = genesys;
  return {
    report,
    genesys,
    ...(result.kind === 'registered' ? { credential: result.credential } : {}),
  };
}
