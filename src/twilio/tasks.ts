import { Type, type Static } from '@sinclair/typebox';
import { createValidators } from '../validation.js';
import type { TwilioClient } from './client.js';
import { checkSid, isSid } from './sids.js';

/**
 * Which calls a Flex agent is on, from TaskRouter: the worker's accepted reservations, each one's
 * task, kept when it is a voice task still assigned (a wrapping or completed task is a call that
 * ended). The customer's call SID and number come from the task attributes Flex's voice channel
 * (Studio "Send to Flex" / `<Enqueue>`) writes.
 */

/** The task attributes the kit reads; anything else in them is left alone. */
export const VoiceTaskAttributesSchema = Type.Object({
  call_sid: Type.Optional(Type.String()),
  from: Type.Optional(Type.String()),
  caller: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  conference: Type.Optional(
    Type.Object({
      sid: Type.Optional(Type.String()),
      participants: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
  ),
});
export type VoiceTaskAttributes = Static<typeof VoiceTaskAttributesSchema>;

export interface LiveCall {
  taskSid: string;
  reservationSid: string;
  /** The customer's call leg (conference participant `customer`, else the task's call_sid). */
  callSid: string;
  /** The caller's number as Twilio gives it (E.164 for PSTN), or undefined when the task has none. */
  from: string | undefined;
  to: string | undefined;
}

const validatorFor = createValidators();

/** The attributes JSON string of a task, read; undefined when it is not an object of the expected shape. */
export function parseTaskAttributes(text: string): VoiceTaskAttributes | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return validatorFor(VoiceTaskAttributesSchema)(value) ? (value as VoiceTaskAttributes) : undefined;
}

/** The customer's call SID and number from voice task attributes, as the Flex plugin reads them. */
export function callOfAttributes(
  attributes: VoiceTaskAttributes,
): { callSid: string; from: string | undefined; to: string | undefined } | undefined {
  const customer = attributes.conference?.participants?.customer;
  const callSid = isSid('CA', customer) ? customer : attributes.call_sid;
  if (!callSid || !isSid('CA', callSid)) return undefined;
  return { callSid, from: attributes.from ?? attributes.caller, to: attributes.to };
}

/** The live voice calls of a worker: one per accepted reservation of an assigned voice task. */
export async function liveCallsOfWorker(
  client: TwilioClient,
  workspaceSid: string,
  workerSid: string,
): Promise<LiveCall[]> {
  checkSid('WS', workspaceSid);
  checkSid('WK', workerSid);
  const workspace = client.taskrouter.v1.workspaces(workspaceSid);
  const reservations = await workspace
    .workers(workerSid)
    .reservations.list({ reservationStatus: 'accepted' });
  const calls = await Promise.all(
    reservations
      .filter((r) => r.reservationStatus === 'accepted')
      .map(async (r): Promise<LiveCall | undefined> => {
        const task = await workspace.tasks(r.taskSid).fetch();
        if (task.taskChannelUniqueName !== 'voice' || task.assignmentStatus !== 'assigned') return undefined;
        const attributes = parseTaskAttributes(task.attributes);
        const call = attributes && callOfAttributes(attributes);
        return call ? { taskSid: task.sid, reservationSid: r.sid, ...call } : undefined;
      }),
  );
  return calls.filter((c): c is LiveCall => c !== undefined);
}

/** The worker's live call with this call SID, or undefined when the worker is not on it. */
export async function liveCallOfWorker(
  client: TwilioClient,
  workspaceSid: string,
  workerSid: string,
  callSid: string,
): Promise<LiveCall | undefined> {
  checkSid('CA', callSid);
  const calls = await liveCallsOfWorker(client, workspaceSid, workerSid);
  return calls.find((c) => c.callSid === callSid);
}
