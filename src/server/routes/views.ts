import type { ConsentRecord, PutCredentialResult, StoredCredential } from '../../store/index.js';

/** JSON shapes of the resource API (widget): ISO dates, nulls where nothing is known. */

export function credentialView(c: StoredCredential) {
  return {
    ani: c.ani,
    credential: c.credential,
    modelHash: c.modelHash,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
  };
}

export function storedView(r: PutCredentialResult) {
  return {
    ani: r.ani,
    created: r.created,
    modelHash: r.modelHash,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function consentView(c: ConsentRecord) {
  return {
    ani: c.ani,
    status: c.status,
    granted: c.granted && {
      at: c.granted.at.toISOString(),
      actor: c.granted.actor,
      conversationId: c.granted.conversationId,
      wordingVersion: c.granted.wordingVersion,
    },
    withdrawn: c.withdrawn && {
      at: c.withdrawn.at.toISOString(),
      actor: c.withdrawn.actor,
      conversationId: c.withdrawn.conversationId,
    },
  };
}

/**
 * Data-action shapes (IVR): flat, every field always present with the same type, "" for absent
 * text, so a Genesys translation map never meets a missing path or a null.
 */

export function ivrCredentialView(ani: string, c: StoredCredential | null, currentModelHash: string) {
  return {
    found: c !== null,
    ani,
    credential: c?.credential ?? '',
    modelHash: c?.modelHash ?? '',
    modelCurrent: c !== null && c.modelHash === currentModelHash,
  };
}

export function ivrConsentView(ani: string, c: ConsentRecord | null) {
  return {
    found: c !== null,
    ani,
    status: c?.status ?? 'none',
    granted: c?.status === 'granted',
    wordingVersion: c?.granted?.wordingVersion ?? '',
    grantedAt: c?.granted?.at.toISOString() ?? '',
    withdrawnAt: c?.withdrawn?.at.toISOString() ?? '',
  };
}
