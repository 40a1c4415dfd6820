import type {
  ConsentRecord,
  CredentialStatus,
  PutCredentialResult,
  StoredCredential,
} from '../../store/index.js';

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

/** `GET /api/v1/credentials/{ani}/status`: whether one is stored and its times; never the credential. */
export function credentialStatusView(ani: string, c: CredentialStatus | null, currentModelHash: string) {
  if (!c) return { ani, registered: false as const };
  return {
    ani: c.ani,
    registered: true as const,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    modelHash: c.modelHash,
    modelCurrent: c.modelHash === currentModelHash,
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
    refused: c.refused && {
      at: c.refused.at.toISOString(),
      actor: c.refused.actor,
      conversationId: c.refused.conversationId,
      wordingVersion: c.refused.wordingVersion,
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
    wordingVersion: (c?.status === 'refused' ? c.refused?.wordingVersion : c?.granted?.wordingVersion) ?? '',
    grantedAt: c?.granted?.at.toISOString() ?? '',
    refusedAt: c?.refused?.at.toISOString() ?? '',
    withdrawnAt: c?.withdrawn?.at.toISOString() ?? '',
  };
}
