import { randomUUID } from 'node:crypto';
import { pace } from '../../../audio/index.js';
import {
  connectAudiohook,
  resultOf,
  type AudiohookClientResult,
  type AudiohookClientSession,
  type JsonObject,
  type MediaParameter,
} from '../../../audiohook/index.js';
import type { SandboxContext } from '../http/context.js';
import type { ConversationRecord, FlowRecord, IntegrationRecord, ParticipantRecord } from '../state/model.js';
import { callAudio, framesFor, type CallAudio, type CallAudioRequest } from './audio.js';
import { CallerLine } from './caller-line.js';
import { badRequest, conflict } from '../api-error.js';
import { cuedFrames } from '../../../flows/run/index.js';
import { ivrReport, runIvrCall, type IvrReport } from '../ivr/run.js';

/** What a test asks for: who calls, where the call goes, what is said and how fast. */
export interface CallRequest {
  /** E.164, with or without `tel:`; `anonymous` (or `tel:anonymous`) or `''` for a withheld number. */
  ani: string;
  aniName?: string;
  dnis?: string;
  /** Queue name or id the call is routed to. */
  queue?: string;
  /** Inbound call flow (name or id) the call enters first. */
  flow?: string;
  /** Agent user id or email; null = no agent answers. Default: the first seeded agent. */
  agent?: string | null;
  audio?: CallAudioRequest;
  /** 1 = real time (default), N = N times faster, 'max' = no pacing. */
  speed?: number | 'max';
  /** Audio frame length in ms (default 200, the reference client's). */
  frameMs?: number;
  language?: string;
  /** Stay connected once the audio has been played, until hung up (the Audiohook session stays open too). */
  keepConnected?: boolean;
  /** With keepConnected: the caller can say more until hang-up (`speak`), each utterance paced at `speed`. */
  continuous?: boolean;
  /** Key presses for the flow's IVR, one per Collect Input. */
  dtmf?: string[];
}

export interface CallSessionReport {
  integrationId: string;
  integrationName: string;
  connectionUri: string;
  /** The Audiohook client's result, once the session has ended. */
  result?: AudiohookClientResult;
  /** A failure before any session could start (bad credential, bad options). */
  error?: { code: string; message: string };
}

export interface CallReport {
  id: string;
  /** The org the call belongs to: the `organizationId` its Audiohook sessions send. */
  organizationId: string;
  conversationId: string;
  ani: string;
  queueId?: string;
  flowId?: string;
  agentUserId?: string;
  /** Audio monitoring was on for the call (queue setting or the flow's Audio Monitoring action). */
  monitored: boolean;
  /** The catalogue voice the caller speaks with, when the call was placed with one. */
  voice?: string;
  state: 'active' | 'ended';
  startTime: string;
  endTime?: string;
  audioSeconds: number;
  sessions: CallSessionReport[];
  /** A call that entered an inbound call flow: the org ran it (src/sandbox/genesys/ivr). */
  ivr?: IvrReport;
}

/**
 * Normalises an ANI to the `tel:` form Genesys shows in conversations (`tel:+…`, `tel:anonymous`).
 * An empty ANI (a withheld number presented as nothing) stays empty.
 */
export function telUri(ani: string): string {
  if (ani === '') return '';
  return ani.startsWith('tel:') ? ani : `tel:${ani}`;
}

/** Resolves when the call is hung up (or `also` settles first, e.g. the server ended the session). */
function untilAborted(signal: AbortSignal, also?: Promise<unknown>): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void also?.then(done, done);
  });
}

interface LiveCall {
  report: CallReport;
  abort: AbortController;
  /** The live Audiohook sessions, by the report entry they fill when they end. */
  sessions: Map<CallSessionReport, AudiohookClientSession>;
  done: Promise<CallReport>;
  /** Set for a continuous call: what the caller says next. */
  line?: CallerLine;
}

/**
 * Simulated calls. Each creates a conversation (customer, IVR/ACD, agent) and, when audio monitoring
 * is on for it, streams its audio to every ENABLED and ACTIVE `audiohook` integration, signed with the
 * integration's `audioHook` credential, exactly as Genesys' Audiohook client would.
 */
export class CallManager {
  private readonly calls = new Map<string, LiveCall>();

  constructor(private readonly ctx: SandboxContext) {}

  /** Creates the conversation and starts streaming in the background; throws a 400 for a bad request. */
  start(
    request: CallRequest,
    resolved: { queueId?: string; flowId?: string; agentUserId?: string },
  ): CallReport {
    const { state } = this.ctx.store;
    const audio = callAudio(request.audio, this.ctx.voices);
    const flow = resolved.flowId ? state.flows.find((f) => f.id === resolved.flowId) : undefined;
    // A call that enters an inbound call flow is in the IVR until the flow transfers it: the flow
    // picks the queue, and an agent answers only after that.
    const ivrFlow = flow?.type === 'inboundcall' ? flow : undefined;
    const conversation = this.createConversation(request, ivrFlow ? { flowId: ivrFlow.id } : resolved, {
      ivr: ivrFlow !== undefined,
    });
    const queue = resolved.queueId ? state.queues.find((q) => q.id === resolved.queueId) : undefined;
    // Simplification: monitoring is on for the whole call when the flow's action or the queue turns it on.
    const monitored = flow?.audioMonitoring === true || queue?.enableAudioMonitoring === true;
    const targets = monitored
      ? state.integrations.filter(
          (i) =>
            i.integrationTypeId === 'audiohook' &&
            i.intendedState === 'ENABLED' &&
            i.reportedState.code === 'ACTIVE',
        )
      : [];
    const report: CallReport = {
      id: randomUUID(),
      organizationId: state.organization.id,
      conversationId: conversation.id,
      ani: telUri(request.ani),
      ...resolved,
      monitored,
      ...(request.audio?.voice !== undefined ? { voice: request.audio.voice } : {}),
      ...(ivrFlow ? { queueId: undefined, agentUserId: undefined, ivr: ivrReport(ivrFlow) } : {}),
      state: 'active',
      startTime: conversation.startTime,
      audioSeconds: audio.external.length / 8000,
      sessions: targets.map((i) => ({
        integrationId: i.id,
        integrationName: i.config.name,
        connectionUri:
          typeof i.config.properties.connectionUri === 'string' ? i.config.properties.connectionUri : '',
      })),
    };
    const live: LiveCall = {
      report,
      abort: new AbortController(),
      sessions: new Map(),
      done: Promise.resolve(report),
      ...(request.keepConnected && request.continuous ? { line: new CallerLine() } : {}),
    };
    const running = ivrFlow
      ? [this.ivrCall(live, ivrFlow, conversation, audio, request, targets, resolved.agentUserId)]
      : targets.length > 0
        ? targets.map((integration, n) =>
            this.stream(live, integration, conversation, audio, request, report.sessions[n]!),
          )
        : [this.silentCall(live, audio, request)];
    live.done = Promise.all(running)
      .catch((err: unknown) => {
        // Session failures are in the results; anything else is a sandbox bug, logged, and the call still ends.
        this.ctx.logger.error({ err, callId: report.id }, 'simulated call failed');
      })
      .then(() => this.end(live, conversation));
    this.calls.set(report.id, live);
    return report;
  }

  get(id: string): CallReport | undefined {
    const live = this.calls.get(id);
    return live ? this.snapshot(live) : undefined;
  }

  /** The report with the live sessions' results so far, so a running call's progress can be read. */
  private snapshot(live: LiveCall): CallReport {
    if (live.sessions.size === 0) return live.report;
    return {
      ...live.report,
      sessions: live.report.sessions.map((s) => {
        const session = live.sessions.get(s);
        return session && !s.result ? { ...s, result: session.result() } : s;
      }),
    };
  }

  /**
   * The caller of a continuous call says more: `audio` goes to every session of the call. 409 when
   * the call has ended or was not placed with `continuous` and `keepConnected`.
   */
  speak(id: string, request: CallAudioRequest | undefined): CallReport | undefined {
    const live = this.calls.get(id);
    if (!live) return undefined;
    if (live.report.state === 'ended') throw conflict(`Call ${id} has ended`);
    if (!live.line) {
      throw conflict(
        `Call ${id} was not placed with continuous and keepConnected: its caller cannot say more`,
      );
    }
    live.line.say(callAudio(request, this.ctx.voices));
    return live.report;
  }

  /** The calls of this run, newest first. */
  list(): CallReport[] {
    return [...this.calls.values()].map((c) => this.snapshot(c)).reverse();
  }

  /**
   * An agent answers a call that is waiting in its queue: the agent joins the conversation and the
   * queue's ACD participant leaves it. 409 when the call has ended or an agent is already on it.
   */
  answer(id: string, agentUserId: string): CallReport | undefined {
    const live = this.calls.get(id);
    if (!live) return undefined;
    const { state } = this.ctx.store;
    const conversation = state.conversations.find((c) => c.id === live.report.conversationId);
    if (!conversation || conversation.endTime) throw conflict(`Call ${id} has ended`);
    const onCall = conversation.participants.find((p) => p.purpose === 'agent' && p.state === 'connected');
    if (onCall)
      throw conflict(`Call ${id} is already answered by ${onCall.name ?? onCall.userId ?? 'an agent'}`);
    const agent = state.users.find((u) => u.id === agentUserId);
    if (!agent) throw badRequest(`Agent ${agentUserId} not found`);
    const at = this.ctx.store.iso();
    for (const p of conversation.participants) {
      if (p.purpose === 'acd' && p.state === 'connected') {
        p.state = 'disconnected';
        p.endTime = at;
      }
    }
    conversation.participants.push(this.agentParticipant(agent, conversation, at));
    live.report.agentUserId = agent.id;
    this.ctx.store.changed();
    return live.report;
  }

  wait(id: string): Promise<CallReport> | undefined {
    return this.calls.get(id)?.done;
  }

  /** Ends a call now: audio stops, sessions close with `end`. */
  hangup(id: string): Promise<CallReport> | undefined {
    const live = this.calls.get(id);
    if (!live) return undefined;
    live.abort.abort();
    return live.done;
  }

  async stopAll(): Promise<void> {
    const all = [...this.calls.values()];
    for (const c of all) c.abort.abort();
    await Promise.all(all.map((c) => c.done));
  }

  /** Creates a connected conversation with no audio; it lasts until `disconnect`. */
  createConversation(
    request: Pick<CallRequest, 'ani' | 'aniName' | 'dnis'>,
    resolved: { queueId?: string; flowId?: string; agentUserId?: string },
    options: { ivr?: boolean } = {},
  ): ConversationRecord {
    const { state } = this.ctx.store;
    const at = this.ctx.store.iso();
    const ani = telUri(request.ani);
    const dnis = telUri(request.dnis ?? '+34900000000');
    const participants: ParticipantRecord[] = [
      {
        id: randomUUID(),
        purpose: 'customer',
        ...(request.aniName ? { name: request.aniName } : {}),
        ani,
        dnis,
        address: ani,
        startTime: at,
        state: 'connected',
      },
    ];
    const flow = resolved.flowId ? state.flows.find((f) => f.id === resolved.flowId) : undefined;
    if (flow)
      participants.push({
        id: randomUUID(),
        purpose: 'ivr',
        name: flow.name,
        ani,
        dnis,
        startTime: at,
        // The IVR participant stays until the flow transfers or ends the call.
        ...(options.ivr ? { state: 'connected' as const } : { state: 'disconnected' as const, endTime: at }),
      });
    const agent = resolved.agentUserId ? state.users.find((u) => u.id === resolved.agentUserId) : undefined;
    if (resolved.queueId) {
      // The queue holds the call until an agent answers it.
      participants.push({
        id: randomUUID(),
        purpose: 'acd',
        queueId: resolved.queueId,
        ani,
        dnis,
        startTime: at,
        ...(agent ? { state: 'disconnected', endTime: at } : { state: 'connected' }),
      });
    }
    const conversation: ConversationRecord = {
      id: randomUUID(),
      startTime: at,
      ...(resolved.queueId ? { queueId: resolved.queueId } : {}),
      ...(resolved.flowId ? { flowId: resolved.flowId } : {}),
      participants,
    };
    if (agent) participants.push(this.agentParticipant(agent, conversation, at));
    state.conversations.push(conversation);
    // Keep the last thousand conversations.
    if (state.conversations.length > 1000) state.conversations.splice(0, state.conversations.length - 1000);
    this.ctx.store.changed();
    return conversation;
  }

  private agentParticipant(
    agent: { id: string; name: string },
    conversation: ConversationRecord,
    at: string,
  ): ParticipantRecord {
    const customer = conversation.participants.find((p) => p.purpose === 'customer');
    return {
      id: randomUUID(),
      purpose: 'agent',
      name: agent.name,
      userId: agent.id,
      ...(conversation.queueId ? { queueId: conversation.queueId } : {}),
      address: `sip:${agent.id}@sandbox.invalid`,
      ...(customer?.ani !== undefined ? { ani: customer.ani } : {}),
      ...(customer?.dnis !== undefined ? { dnis: customer.dnis } : {}),
      startTime: at,
      state: 'connected',
    };
  }

  private async stream(
    live: LiveCall,
    integration: IntegrationRecord,
    conversation: ConversationRecord,
    audio: CallAudio,
    request: CallRequest,
    out: CallSessionReport,
    caller?: (channels: readonly string[], frameMs: number) => AsyncIterable<Uint8Array>,
  ): Promise<void> {
    const { state } = this.ctx.store;
    const credId = integration.config.credentials.audioHook?.id;
    const cred = credId ? state.credentials.find((c) => c.id === credId) : undefined;
    const customer = conversation.participants[0]!;
    const channel = integration.config.properties.channel;
    const media: MediaParameter[] =
      channel === 'external' || channel === 'internal'
        ? [{ type: 'audio', format: 'PCMU', channels: [channel], rate: 8000 }]
        : [
            { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
            { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
            { type: 'audio', format: 'PCMU', channels: ['internal'], rate: 8000 },
          ];
    const advanced = integration.config.advanced as JsonObject;
    let session: AudiohookClientSession;
    try {
      session = await connectAudiohook({
        uri: out.connectionUri,
        organizationId: state.organization.id,
        conversationId: conversation.id,
        participant: {
          id: customer.id,
          ani: customer.ani ?? '',
          aniName: customer.name ?? '',
          dnis: customer.dnis ?? '',
        },
        media,
        apiKey: cred?.fields.apiKey ?? '',
        ...(cred?.fields.clientSecret ? { clientSecret: cred.fields.clientSecret } : {}),
        ...(Object.keys(advanced).length > 0 ? { customConfig: advanced } : {}),
        ...(request.language ? { language: request.language } : {}),
        logger: this.ctx.logger,
      });
    } catch (err) {
      const result = resultOf(err);
      if (result) out.result = result;
      else {
        const e = err as { code?: string; message?: string };
        out.error = { code: e.code ?? 'internal', message: e.message ?? String(err) };
      }
      return;
    }
    live.sessions.set(out, session);
    try {
      const selected = session.selectedMedia;
      if (selected && !live.abort.signal.aborted) {
        const speed = request.speed ?? 1;
        const frameMs = request.frameMs ?? 200;
        const frames = caller
          ? caller(selected.channels, frameMs)
          : live.line
            ? live.line.frames(audio, selected.channels, frameMs, live.abort.signal)
            : framesFor(audio, selected.channels, frameMs);
        const perSecond = 8000 * selected.channels.length;
        const source =
          speed === 'max'
            ? frames
            : pace(frames, { duration: (f) => f.byteLength / perSecond, speed, signal: live.abort.signal });
        try {
          await session.stream(source);
        } catch (err) {
          // A hang-up aborts the pacing; any other failure is already in the session result.
          this.ctx.logger.debug({ err, callId: live.report.id }, 'call audio stopped');
        }
      }
      if (request.keepConnected) await untilAborted(live.abort.signal, session.done);
      out.result = await session.close('end');
    } finally {
      live.sessions.delete(out);
    }
    // As in Genesys, a stream the server ended (das-Peak closes it once it has heard enough) does not
    // end the call: caller and agent stay on the line until one hangs up.
    if (request.keepConnected) await untilAborted(live.abort.signal);
  }

  /**
   * A call in an inbound call flow: the flow runs (src/sandbox/genesys/ivr); its Audio Monitoring
   * action starts the Audiohook streams, in which the caller is silent until the flow starts a
   * das-Peak session, then speaks, then waits. A transfer puts the call in the queue, where the
   * agent (if any) answers; with `keepConnected` it stays there until hung up, else it ends.
   */
  private async ivrCall(
    live: LiveCall,
    flow: FlowRecord,
    conversation: ConversationRecord,
    audio: CallAudio,
    request: CallRequest,
    targets: IntegrationRecord[],
    agentUserId: string | undefined,
  ): Promise<void> {
    const speed = request.speed ?? 1;
    const streams: Promise<void>[] = [];
    let cue = () => {};
    const spoken = new Promise<void>((resolve) => (cue = resolve));
    const silence = (channels: number, frameMs: number) =>
      new Uint8Array((8000 * frameMs * channels) / 1000).fill(0xff);
    const source = (channels: readonly string[], frameMs: number) =>
      cuedFrames({
        voice: framesFor(audio, channels, frameMs),
        silence: silence(channels.length, frameMs),
        cue: spoken,
        stop: live.abort.signal,
        paced: speed !== 'max',
      });
    const { ending, queueId } = await runIvrCall({
      ctx: this.ctx,
      flow,
      conversation,
      report: live.report.ivr!,
      dtmf: request.dtmf ?? [],
      speed,
      ...(request.language ? { language: request.language } : {}),
      hangUp: live.abort.signal,
      monitor: () => {
        if (streams.length > 0) return;
        targets.forEach((integration, n) =>
          streams.push(
            this.stream(live, integration, conversation, audio, request, live.report.sessions[n]!, source),
          ),
        );
      },
      onSpeech: () => cue(),
    });
    if (queueId) live.report.queueId = queueId;
    if (ending.kind === 'transfer' && agentUserId && !live.abort.signal.aborted)
      this.answer(live.report.id, agentUserId);
    if (ending.kind === 'transfer' && request.keepConnected) await untilAborted(live.abort.signal);
    // The flow is over and nobody keeps the line: the call ends, and with it the audio.
    live.abort.abort();
    await Promise.all(streams);
  }

  /** A call nobody listens to still lasts as long as its audio (and, when asked, until hung up). */
  private async silentCall(live: LiveCall, audio: CallAudio, request: CallRequest): Promise<void> {
    const speed = request.speed ?? 1;
    if (speed !== 'max') {
      const frames = framesFor(audio, ['external'], request.frameMs ?? 200);
      try {
        for await (const _frame of pace(frames, {
          duration: (f) => f.byteLength / 8000,
          speed,
          signal: live.abort.signal,
        })) {
          // Nothing is sent: the time passes as the audio would.
        }
      } catch {
        // Hung up.
      }
    }
    if (request.keepConnected) await untilAborted(live.abort.signal);
  }

  /** Ends a conversation made by `createConversation`. */
  disconnect(conversation: ConversationRecord): void {
    if (conversation.endTime) return;
    const at = this.ctx.store.iso();
    conversation.endTime = at;
    for (const p of conversation.participants) {
      if (p.state === 'connected') {
        p.state = 'disconnected';
        p.endTime = at;
      }
    }
    this.ctx.store.changed();
  }

  private end(live: LiveCall, conversation: ConversationRecord): CallReport {
    this.disconnect(conversation);
    this.ctx.store.flush();
    live.report.state = 'ended';
    live.report.endTime = conversation.endTime;
    return live.report;
  }
}
