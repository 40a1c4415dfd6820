/** Checks of what callers hand the store, so that bad input is a 400 and never a database error. */
import { storeInvalid } from './errors.js';
import {
  AUDIT_ACTIONS,
  EVENT_ACTIONS,
  type AccessContext,
  type Actor,
  type AuditAction,
  type AuditOutcome,
  type ConsentDecision,
  type EventAction,
} from './types.js';

/** das-Peak credentials are a few kilobytes; anything far larger is not one. */
export const MAX_CREDENTIAL_BYTES = 256 * 1024;

const ACTOR_TYPES = new Set(['agent', 'ivr', 'admin', 'system']);
const OUTCOMES = new Set(['ok', 'not_found', 'denied', 'error']);
const CONVERSATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u;
const CODE = /^[a-z0-9_.:-]{1,64}$/;
const WORDING_VERSION = /^[A-Za-z0-9._:-]{1,64}$/;
const EVENT_DETAIL = /^[A-Za-z0-9_.:=,-]{1,200}$/;

export interface CheckedContext {
  actor: Actor;
  conversationId: string | null;
}

export function checkContext(ctx: AccessContext | undefined): CheckedContext {
  const actor = ctx?.actor as Partial<Actor> | undefined;
  if (!actor || typeof actor.type !== 'string' || !ACTOR_TYPES.has(actor.type)) {
    throw storeInvalid('the actor type must be agent, ivr, admin or system');
  }
  if (typeof actor.id !== 'string' || actor.id.length > 128 || !PRINTABLE.test(actor.id)) {
    throw storeInvalid('the actor id must be 1 to 128 printable characters');
  }
  const conversationId = ctx?.conversationId ?? null;
  return {
    actor: { type: actor.type, id: actor.id },
    conversationId: conversationId === null ? null : checkConversationId(conversationId),
  };
}

export function checkConversationId(value: unknown): string {
  if (typeof value !== 'string' || !CONVERSATION_ID.test(value)) {
    throw storeInvalid('the conversation id must be 1 to 128 letters, digits or . _ : -');
  }
  return value;
}

export function checkAniHash(value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    throw storeInvalid('an ANI hash is 64 lower-case hex digits (the keyed hash an audit entry gives)');
  }
  return value;
}

export function checkCredential(credential: unknown): Buffer {
  if (typeof credential !== 'string' || credential.length === 0) {
    throw storeInvalid('the credential must be a non-empty string');
  }
  const bytes = Buffer.from(credential, 'utf8');
  if (bytes.length > MAX_CREDENTIAL_BYTES) {
    throw storeInvalid(`the credential is larger than ${MAX_CREDENTIAL_BYTES} bytes`);
  }
  // A string with lone surrogates would not read back as it was written.
  if (bytes.toString('utf8') !== credential) {
    bytes.fill(0);
    throw storeInvalid('the credential is not valid text');
  }
  return bytes;
}

export function checkModelHash(modelHash: unknown): string {
  if (typeof modelHash !== 'string' || modelHash.length > 256 || !PRINTABLE.test(modelHash)) {
    throw storeInvalid('the model hash must be 1 to 256 printable characters');
  }
  return modelHash;
}

export function checkWordingVersion(version: unknown): string {
  if (typeof version !== 'string' || !WORDING_VERSION.test(version)) {
    throw storeInvalid(
      'the consent wording version must be 1 to 64 letters, digits or . _ : -',
      'name the version of the consent text the caller agreed to, such as 2024-06',
    );
  }
  return version;
}

export function checkReason(reason: unknown): string {
  if (typeof reason !== 'string' || !CODE.test(reason)) {
    throw storeInvalid(
      'a denial reason must be a short code of lower-case letters, digits or _ . : -',
      'such as not_on_conversation; never put a caller number or a token in it',
    );
  }
  return reason;
}

export function checkAction(action: unknown): AuditAction {
  if (typeof action !== 'string' || !(AUDIT_ACTIONS as readonly string[]).includes(action)) {
    throw storeInvalid(`the audit action must be one of ${AUDIT_ACTIONS.join(', ')}`);
  }
  return action as AuditAction;
}

export function checkEventAction(action: unknown): EventAction {
  if (typeof action !== 'string' || !(EVENT_ACTIONS as readonly string[]).includes(action)) {
    throw storeInvalid(
      `an event's audit action must be one of ${EVENT_ACTIONS.join(', ')}`,
      'the store writes the rows of its own operations itself',
    );
  }
  return action as EventAction;
}

export function checkEventDetail(detail: unknown): string | null {
  if (detail === undefined || detail === null) return null;
  if (typeof detail !== 'string' || !EVENT_DETAIL.test(detail)) {
    throw storeInvalid(
      "an event's detail must be 1 to 200 letters, digits or _ . : = , -",
      'such as register:result-success; never put a caller number, a token or a credential in it',
    );
  }
  return detail;
}

export function checkDecision(decision: unknown): ConsentDecision {
  if (decision === undefined) return 'granted';
  if (decision !== 'granted' && decision !== 'refused') {
    throw storeInvalid('a consent decision is granted or refused');
  }
  return decision;
}

export function checkOutcome(outcome: unknown): AuditOutcome {
  if (typeof outcome !== 'string' || !OUTCOMES.has(outcome)) {
    throw storeInvalid('the audit outcome must be ok, not_found, denied or error');
  }
  return outcome as AuditOutcome;
}

export function checkActorType(type: unknown): Actor['type'] {
  if (typeof type !== 'string' || !ACTOR_TYPES.has(type)) {
    throw storeInvalid('the actor type must be agent, ivr, admin or system');
  }
  return type as Actor['type'];
}

export function checkCount(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw storeInvalid(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function checkDate(value: unknown, name: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw storeInvalid(`${name} must be a valid Date`);
  return value.getTime();
}
