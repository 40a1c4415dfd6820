import type { FlexTask } from './flex-types.js';

/**
 * What the widget needs of a Flex voice task: das-Peak's call_id, the call SID of the customer's leg
 * (the call whose audio Media Streams sends das-Peak), and the caller's number.
 */
export const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

function sid(value: unknown): string | null {
  return typeof value === 'string' && CALL_SID.test(value) ? value : null;
}

/**
 * The customer leg's call SID: the conference participant of type `customer` Flex keeps on the task
 * (live), else the one TaskRouter wrote into the attributes (`conference.participants.customer`),
 * else the task's `call_sid` (the inbound call that created the task). Null when none is a call SID.
 */
export function customerCallSid(task: FlexTask | null | undefined): string | null {
  if (!task) return null;
  const live = task.conference?.participants?.find((p) => p.participantType === 'customer');
  return (
    sid(live?.callSid) ??
    sid(task.attributes?.conference?.participants?.customer) ??
    sid(task.attributes?.call_sid)
  );
}

/** The caller's number as the task gives it (`from`, else `caller`); the core normalises it. */
export function callerOf(task: FlexTask | null | undefined): string | null {
  const a = task?.attributes;
  for (const value of [a?.from, a?.caller]) {
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return null;
}

/** The task's SID (Flex gives both `sid` and `taskSid`). */
export function taskSidOf(task: FlexTask | null | undefined): string | null {
  return task?.taskSid ?? task?.sid ?? null;
}
