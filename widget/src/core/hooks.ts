import type { Signalling } from './config.js';
import { configurationError } from './errors.js';

/**
 * utils.js, the integrator's hooks. The seed's five functions keep their names and arguments; the
 * kit's utils.js adds status, consent and a session setter, which the element calls only when they
 * exist, so the seed's sample utils.js keeps working.
 */
export interface CredentialStatus {
  registered: boolean;
  /** The caller's number as the backend normalised it. */
  ani?: string;
  createdAt?: string;
  updatedAt?: string;
  lastUsedAt?: string | null;
  modelHash?: string;
  modelCurrent?: boolean;
}

export type ConsentDecision = 'granted' | 'refused';

export interface ConsentEvent {
  at: string;
  actor?: unknown;
  conversationId?: string | null;
  wordingVersion?: string;
}

export interface ConsentRecord {
  status: 'granted' | 'refused' | 'withdrawn' | 'none';
  granted?: ConsentEvent | null;
  refused?: ConsentEvent | null;
  withdrawn?: ConsentEvent | null;
}

export interface IntegratorHooks {
  storeCredential?(id: string, credential: string): unknown;
  deleteCredential?(id: string): unknown;
  getCredential?(id: string): Promise<string | null | undefined> | string | null | undefined;
  onResponse?(result: unknown, collectedAudio: unknown): unknown;
  getTemporaryToken?(authenticationServerUrl: string): Promise<string> | string;
  /** The kit's additions. */
  setSession?(values: { accessToken?: string | null; conversationId?: string | null }): void;
  getCredentialStatus?(id: string): Promise<CredentialStatus> | CredentialStatus;
  getConsent?(id: string): Promise<ConsentRecord | null> | ConsentRecord | null;
  recordConsent?(id: string, decision: { decision: ConsentDecision; wordingVersion: string }): unknown;
}

type HookName = keyof IntegratorHooks;

/** The functions each signalling mode cannot do without. */
const REQUIRED: Record<Signalling, HookName[]> = {
  // The seed's design: the browser gets a das-Peak token and carries the credential both ways.
  direct: ['getTemporaryToken', 'getCredential', 'storeCredential', 'deleteCredential', 'onResponse'],
  // The backend holds token and credential; the browser only asks whether there is one.
  relay: ['getCredentialStatus', 'deleteCredential', 'onResponse'],
};

export function checkHooks(hooks: unknown, signalling: Signalling): IntegratorHooks {
  if (hooks === null || (typeof hooks !== 'object' && typeof hooks !== 'function')) {
    throw configurationError('utils.missing', 'utils.js must export the hook functions (storeCredential, …)');
  }
  const record = hooks as Record<string, unknown>;
  const missing = REQUIRED[signalling].filter((name) => typeof record[name] !== 'function');
  if (missing.length > 0) {
    throw configurationError(
      'utils.incomplete',
      `utils.js lacks ${missing.join(', ')}, needed in ${signalling} signalling mode`,
      missing,
    );
  }
  return hooks;
}
