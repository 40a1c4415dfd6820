import { KitError } from '../errors.js';

/**
 * The store's error codes. Messages never hold a credential, a key, a caller number or a database
 * password: they reach logs and HTTP answers.
 */
export const StoreErrorCode = {
  unavailable: 'store.unavailable',
  corrupt: 'store.corrupt',
  unknownKey: 'store.unknown_key',
  invalid: 'store.invalid',
  consentRequired: 'store.consent_required',
  closed: 'store.closed',
  badConfig: 'store.bad_config',
  schemaTooNew: 'store.schema_too_new',
  migrationFailed: 'store.migration_failed',
  insecureFile: 'store.insecure_file',
  failed: 'store.failed',
} as const;

export function storeUnavailable(
  cause?: unknown,
  detail = 'the credential database cannot be reached',
): KitError {
  return new KitError(StoreErrorCode.unavailable, detail, {
    status: 503,
    hint: 'check that the database is up and reachable; the store reconnects by itself',
    cause,
  });
}

export function storeCorrupt(cause?: unknown): KitError {
  return new KitError(
    StoreErrorCode.corrupt,
    'a stored credential does not decrypt: it was altered, or copied from another row',
    {
      status: 500,
      hint: 'the row is kept as it is; delete it and register the caller again',
      cause,
    },
  );
}

export function storeUnknownKey(keyId: string): KitError {
  return new KitError(
    StoreErrorCode.unknownKey,
    `a stored credential is encrypted under key "${keyId}", which is not in backend.encryptionKeys`,
    {
      status: 500,
      hint: `add the key with id "${keyId}" back to backend.encryptionKeys (keep old keys until \`daspeak-genesys store rotate\` reports nothing remaining)`,
      details: { keyId },
    },
  );
}

export function storeInvalid(message: string, hint?: string): KitError {
  return new KitError(StoreErrorCode.invalid, message, { status: 400, ...(hint ? { hint } : {}) });
}

export function storeClosed(): KitError {
  return new KitError(StoreErrorCode.closed, 'the credential store is closed', { status: 503 });
}

export function storeFailed(cause: unknown): KitError {
  // The database's own words help an operator most. They cannot hold a credential or a key:
  // those never reach the database in clear, and statements carry only hashes and ciphertext.
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason = cause instanceof Error ? cause.message.split('\n')[0]!.slice(0, 200) : undefined;
  const said = reason ? `: ${reason}${typeof code === 'string' ? ` (${code})` : ''}` : '';
  return new KitError(StoreErrorCode.failed, `the credential database rejected an operation${said}`, {
    status: 500,
    hint: 'check that every backend instance runs the same kit version against this database',
    cause,
  });
}

export function storeUnknownKeys(keyIds: readonly string[]): KitError {
  const names = keyIds.map((id) => `"${id}"`).join(', ');
  return new KitError(
    StoreErrorCode.unknownKey,
    `the credential store holds rows under key ${names}, which backend.encryptionKeys does not list: their callers could not be found`,
    {
      status: 500,
      hint: `add the key(s) ${names} back to backend.encryptionKeys, after the new first key; remove a key only once \`daspeak-genesys store rotate\` reports remaining 0`,
      details: { keyIds: [...keyIds] },
    },
  );
}
