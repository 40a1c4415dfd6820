/**
 * `simulate --via-genesys --flow "<prefix> Example Inbound"`: a caller goes through the org's IVR
 * twice, with no agent. The sandbox org places each call into the published inbound flow and runs
 * it (src/sandbox/genesys/ivr): the first call, with the speaker's register take and `1` at the
 * consent menu, registers the caller; the second, with a verify take, verifies them. Each call's
 * outcome is what the flow wrote to participant data (`daspeak.result`, …), which is also what the
 * agent's widget reads from the conversation.
 */
import type { Ending, TranscriptEntry } from '../flows/run/index.js';
import type { OnProgress } from '../progress.js';
import { isKitError } from '../errors.js';
import { callAudioWav, orgRequest, summariseOrgCall, type GenesysCallSummary } from './genesys-call.js';
import { SimulateError } from './errors.js';
import type { GenesysCallTarget } from './target.js';
import { voiceAudio } from './voices.js';

export interface FlowCallResult {
  take: 'register' | 'verify';
  voice: string;
  conversationId: string;
  /** `daspeak.result` as the flow wrote it (null when the flow wrote none). */
  result: string | null;
  participantData: Record<string, string>;
  ending: Ending | null;
  transcript: TranscriptEntry[];
  genesys: GenesysCallSummary;
  durationMs: number;
}

export interface FlowSimulation {
  ok: boolean;
  flow: string;
  ani: string;
  /** The first call found the caller registered already (it verified instead). */
  alreadyRegistered: boolean;
  calls: FlowCallResult[];
  /** Why the run is not ok, one sentence each. */
  problems: string[];
}

export interface FlowSimulationOptions {
  flow: string;
  ani: string;
  /** A speaker (`alice`, `synth-low`): its register take, then its first verify take. */
  speaker: string;
  /** 1 = real time; Infinity = no waiting. */
  speed: number;
  signal?: AbortSignal;
  onProgress?: OnProgress;
}

/** The parts of the org's call report this reads (an org that runs the flow adds `ivr`). */
interface IvrCallReport {
  id: string;
  conversationId: string;
  monitored: boolean;
  state: string;
  sessions: unknown[];
  ivr?: {
    state: string;
    ending?: Ending;
    transcript: TranscriptEntry[];
    participantData: Record<string, string>;
  };
}

function isIvrCallReport(value: unknown): value is IvrCallReport {
  const v = value as Partial<IvrCallReport> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.id === 'string' && typeof v.conversationId === 'string'
  );
}

/** A call takes as long as its flow; this only stops a wait on an org that stopped answering. */
const CALL_WAIT_MS = 15 * 60_000;

async function request(
  org: GenesysCallTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
) {
  const answer = await orgRequest(org, method, path, body, signal);
  if (!isIvrCallReport(answer)) {
    throw new SimulateError(
      'simulate.genesys_bad_answer',
      `the Genesys org answered ${method} ${path} with something that is not a call report`,
      {
        hint: 'genesys.baseUrl must be the kit sandbox org',
      },
    );
  }
  return answer;
}

async function place(org: GenesysCallTarget, o: FlowSimulationOptions, take: 'register' | 'verify') {
  const voice = `${o.speaker}-${take === 'register' ? 'register' : 'verify-1'}`;
  const audio = voiceAudio(voice, take);
  const started = Date.now();
  let placed: IvrCallReport;
  try {
    placed = await request(org, 'POST', '/sandbox/calls', {
      ani: o.ani,
      flow: o.flow,
      audio: { wav: callAudioWav(audio) },
      speed: Number.isFinite(o.speed) ? o.speed : 'max',
      // No agent: the IVR alone registers and verifies.
      agent: null,
      // The consent menu of the first call: 1 = agree.
      dtmf: take === 'register' ? ['1'] : [],
    });
  } catch (err) {
    if (isKitError(err) && err.code === 'simulate.genesys_call_refused' && /flow/i.test(err.message)) {
      throw new SimulateError(err.code, err.message, {
        usage: true,
        hint: `publish the flows with \`daspeak-genesys provision\` (flows.publish) and give the inbound flow's name (\`daspeak-genesys plan\` lists them)`,
      });
    }
    throw err;
  }
  const hangUp = () =>
    request(org, 'POST', `/sandbox/calls/${encodeURIComponent(placed.id)}/hangup`).catch(() => undefined);
  if (!placed.ivr) {
    await hangUp();
    throw new SimulateError(
      'simulate.genesys_no_ivr',
      `the Genesys org at ${org.baseUrl} did not run "${o.flow}" on its call`,
      {
        hint: 'the flow must be an inbound call flow, and the org the kit sandbox org (`npm start`)',
      },
    );
  }
  if (placed.sessions.length === 0) {
    await hangUp();
    throw new SimulateError(
      'simulate.genesys_no_audiohook',
      `the Genesys org has no ENABLED, ACTIVE audiohook integration for "${o.flow}" to stream the call to`,
      {
        hint: 'run `daspeak-genesys provision --config <file>`: it creates the Audiohook integration das-Peak listens on',
      },
    );
  }
  // The long poll ends with the call; a Ctrl-C hangs up instead.
  const waiting = AbortSignal.any([AbortSignal.timeout(CALL_WAIT_MS), ...(o.signal ? [o.signal] : [])]);
  let final: IvrCallReport;
  try {
    final = await request(
      org,
      'GET',
      `/sandbox/calls/${encodeURIComponent(placed.id)}?wait=true`,
      undefined,
      waiting,
    );
  } catch (err) {
    await hangUp();
    throw err;
  }
  const data = final.ivr?.participantData ?? {};
  return {
    take,
    voice,
    conversationId: final.conversationId,
    result: data['daspeak.result'] ?? null,
    participantData: data,
    ending: final.ivr?.ending ?? null,
    transcript: final.ivr?.transcript ?? [],
    genesys: summariseOrgCall(final as unknown as Parameters<typeof summariseOrgCall>[0]),
    durationMs: Date.now() - started,
  } satisfies FlowCallResult;
}

export async function simulateFlowCalls(
  org: GenesysCallTarget,
  o: FlowSimulationOptions,
): Promise<FlowSimulation> {
  const calls: FlowCallResult[] = [];
  const problems: string[] = [];
  for (const take of ['register', 'verify'] as const) {
    const call = await place(org, o, take);
    calls.push(call);
    o.onProgress?.({
      type: 'step',
      action: call.result ?? 'ended',
      kind: 'call',
      name: call.voice,
      id: call.conversationId,
      ...(call.ending?.kind === 'transfer' ? { detail: `transferred to ${call.ending.queue}` } : {}),
    });
    if (o.signal?.aborted) break;
  }
  const [first, second] = calls;
  const alreadyRegistered = first?.result === 'verified';
  if (first && first.result !== 'registered' && !alreadyRegistered) {
    problems.push(
      `the registration call ended ${first.result ?? 'without a result'}${first.participantData['daspeak.reason'] ? ` (${first.participantData['daspeak.reason']})` : ''}`,
    );
  }
  if (!second) problems.push('the verification call did not happen');
  else if (second.result !== 'verified') {
    problems.push(
      `the verification call ended ${second.result ?? 'without a result'}${second.participantData['daspeak.reason'] ? ` (${second.participantData['daspeak.reason']})` : ''}`,
    );
  }
  for (const c of calls) {
    if (c.ending?.kind !== 'transfer')
      problems.push(`the ${c.take} call did not reach the queue (${c.ending?.kind ?? 'no ending'})`);
  }
  return { ok: problems.length === 0, flow: o.flow, ani: o.ani, alreadyRegistered, calls, problems };
}

/** What a person reads: each call's transcript and outcome, then the verdict. */
export function formatFlowSimulation(r: FlowSimulation): string[] {
  const lines: string[] = [];
  for (const [n, c] of r.calls.entries()) {
    const end =
      c.ending?.kind === 'transfer' ? `transferred to ${c.ending.queue}` : (c.ending?.kind ?? 'no ending');
    lines.push(
      `call ${n + 1} (${c.voice}, conversation ${c.conversationId}): ${c.result ?? 'no result'}, ${end} (${(c.durationMs / 1000).toFixed(1)} s)`,
    );
    for (const t of c.transcript)
      lines.push(`  ${(t.atMs / 1000).toFixed(2).padStart(7)}s  ${t.kind.padEnd(11)} ${t.text}`);
  }
  if (r.alreadyRegistered)
    lines.push(`note: ${r.ani} was registered already, so the first call verified instead`);
  lines.push(
    r.ok
      ? `ok: ${r.ani} ${r.alreadyRegistered ? 'verified twice' : 'registered, then verified'} through the IVR "${r.flow}" with no agent`
      : `failed: ${r.problems.join('; ')}`,
  );
  return lines;
}
