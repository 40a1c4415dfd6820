import { randomUUID } from 'node:crypto';
import { FlowInterpreter, type Ending, type TranscriptEntry } from '../../../flows/run/index.js';
import { badRequest } from '../api-error.js';
import type { SandboxContext } from '../http/context.js';
import type { ConversationRecord, FlowRecord } from '../state/model.js';
import { SandboxIvrHost } from './host.js';

/** What a call report says about the IVR part of a call (the flow, what it said, how it ended). */
export interface IvrReport {
  flowId: string;
  flowName: string;
  state: 'running' | 'ended';
  transcript: TranscriptEntry[];
  /** What the flow set on the customer (also in the conversation's participant `attributes`). */
  participantData: Record<string, string>;
  ending?: Ending;
  /** The queue the flow transferred the call to. */
  queueName?: string;
}

export interface IvrCallOptions {
  ctx: SandboxContext;
  flow: FlowRecord;
  conversation: ConversationRecord;
  report: IvrReport;
  dtmf: string[];
  /** 1 = real time, N = N times faster, 'max' = no waiting. */
  speed: number | 'max';
  language?: string;
  hangUp: AbortSignal;
  /** Audio Monitoring is on: start the call's Audiohook streams. */
  monitor(): void;
  /** The flow started a das-Peak session: the caller speaks now. */
  onSpeech?: () => void;
}

export function ivrReport(flow: FlowRecord): IvrReport {
  return { flowId: flow.id, flowName: flow.name, state: 'running', transcript: [], participantData: {} };
}

/** Transfer to ACD: the IVR leaves the conversation and the queue's ACD participant joins it. */
function enqueue(ctx: SandboxContext, conversation: ConversationRecord, queueName: string): string {
  const { state } = ctx.store;
  const queue = state.queues.find(
    (q) => q.name.toLowerCase() === queueName.toLowerCase() || q.id === queueName,
  );
  if (!queue) throw badRequest(`Queue ${queueName} not found`);
  const at = ctx.store.iso();
  const customer = conversation.participants.find((p) => p.purpose === 'customer');
  for (const p of conversation.participants) {
    if (p.purpose === 'ivr' && p.state === 'connected') {
      p.state = 'disconnected';
      p.endTime = at;
    }
  }
  conversation.queueId = queue.id;
  conversation.participants.push({
    id: randomUUID(),
    purpose: 'acd',
    queueId: queue.id,
    ...(customer?.ani !== undefined ? { ani: customer.ani } : {}),
    ...(customer?.dnis !== undefined ? { dnis: customer.dnis } : {}),
    startTime: at,
    state: 'connected',
  });
  ctx.store.changed();
  return queue.id;
}

/**
 * Runs a published inbound call flow on a sandbox call with the kit's flow interpreter, as Genesys
 * runs it: Call.Ani / Call.ConversationId / Call.CalledAddress from the conversation, key presses
 * from the call's script, waits at the call's speed. Resolves with how the flow ended; a hang-up
 * ends it where it is.
 */
export async function runIvrCall(o: IvrCallOptions): Promise<{ ending: Ending; queueId?: string }> {
  let queueId: string | undefined;
  const host = new SandboxIvrHost({
    ctx: o.ctx,
    conversation: o.conversation,
    dtmf: o.dtmf,
    speed: o.speed === 'max' ? Infinity : o.speed,
    hangUp: o.hangUp,
    monitor: () => o.monitor(),
    enqueue: (name) => {
      queueId = enqueue(o.ctx, o.conversation, name);
      o.report.queueName = name;
    },
  });
  if (o.onSpeech) void host.speechCue.then(o.onSpeech);
  // The report shows the call as it goes.
  Object.assign(o.report, { transcript: host.transcript, participantData: host.participantData });
  const customer = o.conversation.participants.find((p) => p.purpose === 'customer');
  const interpreter = new FlowInterpreter(host, {
    ani: customer?.ani ?? '',
    conversationId: o.conversation.id,
    ...(customer?.dnis ? { dnis: customer.dnis } : {}),
    ...(o.language ? { language: o.language } : {}),
  });
  let ending: Ending;
  try {
    ending = await interpreter.run(o.flow.yaml);
  } catch (err) {
    // The interpreter turns flow errors into an ending; anything else is the sandbox's own failure.
    o.ctx.logger.error({ err, conversationId: o.conversation.id }, 'the sandbox IVR failed');
    ending = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  o.report.ending = ending;
  o.report.state = 'ended';
  return { ending, ...(queueId ? { queueId } : {}) };
}
