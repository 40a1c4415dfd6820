/**
 * The credential store as the backend sees it. Every method takes the caller's number in any form
 * normaliseAni() accepts and keys the data by its E.164 form; every method is async, whatever the
 * database. Failures are KitErrors: `store.unavailable` (503) when the database cannot be reached,
 * `store.corrupt` / `store.unknown_key` when a row cannot be decrypted, `ani.invalid` /
 * `ani.withheld` / `store.invalid` (400) for bad input.
 */

/** Who acts: an agent (Genesys user id), the IVR (flow or data action), an operator, or the kit itself. */
export type ActorType = 'agent' | 'ivr' | 'admin' | 'system';

export interface Actor {
  type: ActorType;
  /** Genesys user id for agents; 'ivr' or a flow id for the IVR; a name for operators. */
  id: string;
}

/** Who asks and in which call; written to the audit log with every operation. */
export interface AccessContext {
  actor: Actor;
  /** Genesys conversation id (or another platform's call id). */
  conversationId?: string | null | undefined;
}

export interface CredentialInfo {
  /** E.164 caller number. */
  ani: string;
  /** Hash of the das-Peak model that produced the credential (to spot credentials of an old model). */
  modelHash: string;
  createdAt: Date;
  updatedAt: Date;
  /**
   * Last successful read (a verification); null until the first. The stored value is refreshed at
   * most once an hour, so it may lag behind the last read by up to an hour; getCredential returns
   * the time of the read itself.
   */
  lastUsedAt: Date | null;
}

/** What credentialStatus answers: whether a credential is stored and its times, never the credential. */
export type CredentialStatus = CredentialInfo;

export interface StoredCredential extends CredentialInfo {
  /** The credential das-Peak returned at registration (an opaque, usually base64, string). */
  credential: string;
}

export interface PutCredentialInput {
  credential: string;
  modelHash: string;
  /** Refuse (store.consent_required, 409) unless the caller's consent is on record and not withdrawn. */
  requireConsent?: boolean;
}

export interface PutCredentialResult extends CredentialInfo {
  /** False when an existing credential was replaced. */
  created: boolean;
}

export interface ConsentEvent {
  at: Date;
  actor: Actor;
  conversationId: string | null;
}

/** A caller's answer when asked for consent. */
export type ConsentDecision = 'granted' | 'refused';

export interface ConsentRecord {
  ani: string;
  /** The caller's latest decision: granted, refused, or withdrawn (a grant taken back). */
  status: 'granted' | 'refused' | 'withdrawn';
  /** The last grant, with the version of the wording the caller agreed to; null if never granted. */
  granted: (ConsentEvent & { wordingVersion: string }) | null;
  /** The refusal that is the current status, with the wording the caller refused; null otherwise. */
  refused: (ConsentEvent & { wordingVersion: string }) | null;
  /** The withdrawal that is the current status; null otherwise. */
  withdrawn: ConsentEvent | null;
}

export interface RecordConsentInput {
  /** Version of the consent wording the caller heard or read (such as 2024-06 or v3). */
  wordingVersion: string;
  /**
   * What the caller answered (default granted). A refusal is recorded as the current status; unlike
   * a withdrawal it deletes nothing, so a credential stored under an earlier grant stays.
   */
  decision?: ConsentDecision;
}

export interface WithdrawConsentResult {
  /** Whether consent had been granted before this withdrawal. */
  wasGranted: boolean;
  /** Whether a stored credential was deleted with it (in the same transaction). */
  credentialDeleted: boolean;
}

export type AuditAction =
  | 'credential.store'
  | 'credential.read'
  | 'credential.delete'
  | 'credential.purge'
  | 'consent.record'
  | 'consent.withdraw'
  | 'keys.rotate'
  | 'audit.purge'
  // Refusals only: issuing a das-Peak token and reading consent change nothing in the store, so
  // the backend records them when it refuses them (recordDenied), not when it serves them.
  | 'token.issue'
  | 'consent.read'
  // Whether a credential is stored (credentialStatus), without reading it.
  | 'credential.status'
  // A das-Peak session the backend relayed for the widget (recordEvent).
  | 'relay.session';

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'credential.store',
  'credential.read',
  'credential.delete',
  'credential.purge',
  'consent.record',
  'consent.withdraw',
  'keys.rotate',
  'audit.purge',
  'token.issue',
  'consent.read',
  'credential.status',
  'relay.session',
];

/**
 * Actions the backend records through recordEvent: things it does that are not store operations
 * (handing out a das-Peak token, a relayed das-Peak session, a consent read), so the store cannot
 * write their rows itself.
 */
export type EventAction = 'token.issue' | 'consent.read' | 'relay.session';

export const EVENT_ACTIONS: readonly EventAction[] = ['token.issue', 'consent.read', 'relay.session'];

/** ok; not_found (nothing stored); denied (refused before reaching the data); error (the data failed). */
export type AuditOutcome = 'ok' | 'not_found' | 'denied' | 'error';

/** One audit row. It never holds the caller number in clear nor any credential. */
export interface AuditEntry {
  id: number;
  at: Date;
  actor: Actor;
  conversationId: string | null;
  /**
   * The caller's keyed hash (HMAC of the number's SHA-256 under a configured key; see docs/store.md),
   * or null when the action names no caller. After a key rotation a caller's rows carry its new hash.
   */
  aniHash: string | null;
  action: AuditAction;
  outcome: AuditOutcome;
  /** A short code (such as `not_on_conversation`, `store.corrupt`) or counts; never personal data. */
  detail: string | null;
}

export interface AuditQuery {
  /** A caller number in any accepted form; matched by its keyed hash under every configured key. */
  ani?: string;
  /** A keyed hash as AuditEntry.aniHash gives it. */
  aniHash?: string;
  conversationId?: string;
  actorType?: ActorType;
  actorId?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  /** Inclusive lower bound of `at`. */
  since?: Date;
  /** Exclusive upper bound of `at`. */
  until?: Date;
  /** Page backwards: only entries with a smaller id. */
  beforeId?: number;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface DeniedAccess {
  /** The caller number the request named, if any (invalid numbers are recorded without one). */
  ani?: string | null;
  action: AuditAction;
  /** A short code saying why, such as `not_on_conversation` or `wrong_organization`. */
  reason: string;
}

export interface AuditEvent {
  action: EventAction;
  outcome: AuditOutcome;
  /** The caller number concerned, if any (a number that does not normalise is recorded without one). */
  ani?: string | null;
  /**
   * A short code or key=value list of letters, digits and `_ . : = , -` (at most 200), such as
   * `register:result-success` or `session=8c1e…,score=0.91`. Never a caller number, a token or a credential.
   */
  detail?: string | null;
}

export interface PurgeResult {
  /** Credentials deleted because they were unused longer than retention.credentialDays. */
  credentials: number;
  /** Audit rows deleted because they were older than retention.auditDays. */
  audit: number;
  /**
   * Callers forgotten (their sealed number deleted) because nothing of them was left: no credential,
   * no consent record and no audit row, and first seen before the audit retention.
   */
  callers: number;
}

export interface RotateOptions {
  /** Rows re-encrypted per transaction (default 100). */
  batchSize?: number;
  /** Stop after this many batches (default: until done); run again to resume. */
  maxBatches?: number;
}

export interface RotateResult {
  /** Id of the key everything is now under (the first configured key). */
  keyId: string;
  /** Credentials re-encrypted by this run. */
  rotated: number;
  /** Credentials already encrypted under the current key before this run. */
  alreadyCurrent: number;
  /** Credentials left as they are because they do not decrypt (store.corrupt). */
  corrupt: number;
  /** Credentials left as they are because their key is not configured (store.unknown_key). */
  unknownKey: number;
  /** Callers (and with each, its credential, consent and audit rows) moved to the current key's hash. */
  callers: {
    rekeyed: number;
    alreadyCurrent: number;
    /** Callers whose sealed number does not open; left as they are. */
    corrupt: number;
    /** Callers under a key that is not configured; left as they are. */
    unknownKey: number;
    /** Callers that also have a row under the current key already (see docs/store.md); left as they are. */
    conflicts: number;
    /** Callers still under another key after this run. */
    remaining: number;
  };
  /** Rows under an older key's hash that no caller row accounts for, so they cannot be re-keyed. */
  unlinked: number;
  /**
   * Everything that still depends on an older key after this run: credentials under another key,
   * callers under another key, and unlinked rows. Older keys can go from the config only at 0.
   */
  remaining: number;
}

export interface CredentialStore {
  /** 'sqlite' or 'postgres'. */
  readonly kind: 'sqlite' | 'postgres';

  putCredential(ctx: AccessContext, ani: string, input: PutCredentialInput): Promise<PutCredentialResult>;
  /**
   * The stored credential, or null. A read counts as use (lastUsedAt, retention) and always writes
   * its audit row before the credential is returned; that commit has relaxed durability (see
   * docs/store.md), unlike every write, delete and consent change.
   */
  getCredential(ctx: AccessContext, ani: string): Promise<StoredCredential | null>;
  /**
   * Whether a credential is stored for the caller, with its times and model hash; null when none.
   * Never decrypts anything. Audited as credential.status (ok / not_found), committed with relaxed
   * durability like a read; unlike a read it does not count as use.
   */
  credentialStatus(ctx: AccessContext, ani: string): Promise<CredentialStatus | null>;
  /** True when a credential was deleted. */
  deleteCredential(ctx: AccessContext, ani: string): Promise<boolean>;

  /** Records the caller's decision (granted by default, or refused); a refusal deletes nothing. */
  recordConsent(ctx: AccessContext, ani: string, input: RecordConsentInput): Promise<ConsentRecord>;
  getConsent(ani: string): Promise<ConsentRecord | null>;
  /** Marks consent withdrawn and deletes the caller's credential in the same transaction. */
  withdrawConsent(ctx: AccessContext, ani: string): Promise<WithdrawConsentResult>;

  /** Writes a `denied` audit row for an access the backend refused. */
  recordDenied(ctx: AccessContext, denied: DeniedAccess): Promise<void>;
  /**
   * Writes an audit row for something the backend did that is not a store operation (EventAction),
   * with relaxed durability, before it resolves.
   */
  recordEvent(ctx: AccessContext, event: AuditEvent): Promise<void>;
  /** Audit rows, newest first. */
  queryAudit(query?: AuditQuery): Promise<AuditEntry[]>;

  /** Deletes credentials unused for longer than retention.credentialDays and audit rows older than retention.auditDays. */
  purge(now?: Date): Promise<PurgeResult>;
  /**
   * Moves every caller hash and re-encrypts every credential to the first configured key, in
   * batches; safe to interrupt and run again.
   */
  rotate(options?: RotateOptions): Promise<RotateResult>;

  /** Resolves when the database answers; throws store.unavailable otherwise. */
  ping(): Promise<void>;
  /** Closes the database (idempotent). Later calls fail with store.closed. */
  close(): Promise<void>;
}
