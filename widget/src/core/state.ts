import type { Progress, Operation } from './daspeak/session.js';
import type { ErrorKind } from './errors.js';
import type { ConsentRecord } from './hooks.js';
import type { MessageKey } from './i18n.js';
import type { IvrResult } from './platform.js';

/**
 * What the widget shows, as data: the phase it is in (one at a time, a typed union) and what it
 * knows about the call, which survives a new sign-in. The view renders this and nothing else.
 */
export type SignInReason = 'initial' | 'blocked' | 'blocked-again' | 'closed' | 'expired' | 'failed';

export type RunStep = 'connecting' | 'waiting-audio' | 'collecting' | 'analysing' | 'saving';

export type Phase =
  | { name: 'starting' }
  | { name: 'signing-in' }
  | { name: 'sign-in-needed'; reason: SignInReason; detail?: string }
  | { name: 'no-call' }
  | { name: 'reading-call' }
  | { name: 'caller-unusable'; problem: 'withheld' | 'invalid' }
  | { name: 'ready' }
  | { name: 'running'; operation: Operation; step: RunStep; progress?: Progress }
  | { name: 'confirm-delete' }
  | { name: 'deleting' }
  | { name: 'recording-consent' }
  /** Nothing can be done until the cause is fixed (a wrong config.js, the backend unreachable). */
  | { name: 'fatal'; kind: ErrorKind; code: string };

export type PhaseName = Phase['name'];

export interface CallState {
  callId: string;
  /** The caller's number as the widget sends it to utils.js (E.164 when the platform gave one). */
  ani: string;
  /** The number to show: the backend's normalisation when it told us, else `ani`. */
  displayAni: string;
  registered: boolean;
  registeredSince?: string;
  /** False when the stored credential was made with another voice model than das-Peak's. */
  modelCurrent?: boolean;
  /** null: utils.js cannot read consent (the seed's sample). */
  consent: ConsentRecord | null;
  consentSupported: boolean;
  /** This call's verification, once one has finished. */
  verification?: { outcome: 'verified'; score: number } | { outcome: 'failed'; kind: ErrorKind };
  ivr?: IvrResult;
}

export interface Notice {
  type: 'success' | 'error' | 'info';
  /** For errors: the seed's kind (title and sentence). */
  kind?: ErrorKind;
  key?: MessageKey;
  values?: Record<string, string | number>;
  /** An action offered with the notice. */
  action?: 'save-again' | 'retry';
}

export interface WidgetState {
  phase: Phase;
  call: CallState | null;
  notice: Notice | null;
}

export const INITIAL_STATE: WidgetState = { phase: { name: 'starting' }, call: null, notice: null };

/** The action the agent can take on the caller: what the main button does. */
export type MainAction = 'register' | 'authenticate' | 'reauthenticate';

export function mainAction(call: CallState): MainAction {
  if (!call.registered) return 'register';
  return call.verification ? 'reauthenticate' : 'authenticate';
}

/** Why Register is not possible now (consent), or null when it is. */
export function registerBlock(
  call: CallState,
  requireConsent: boolean,
): 'consentRequired' | 'consentRefusedBlock' | 'consentUnavailable' | null {
  const status = call.consent?.status;
  if (status === 'refused') return 'consentRefusedBlock';
  if (!requireConsent) return null;
  if (!call.consentSupported) return 'consentUnavailable';
  return status === 'granted' ? null : 'consentRequired';
}

/** Phases in which an operation is under way: nothing else may start. */
export function isBusy(phase: Phase): boolean {
  return ['running', 'deleting', 'recording-consent', 'reading-call', 'signing-in', 'starting'].includes(
    phase.name,
  );
}
