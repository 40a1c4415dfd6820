import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  codeChallenge,
  codeVerifier,
  decodeState,
  encodeState,
} from '../../widget/src/genesys/pkce.js';

describe('PKCE (RFC 7636, S256)', () => {
  it('a verifier is 43–128 unreserved characters, fresh each time', () => {
    const v = codeVerifier();
    expect(v).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(codeVerifier()).not.toBe(v);
  });

  it('the challenge is the verifier’s SHA-256, base64url without padding (RFC 7636 appendix B)', async () => {
    const verifier = 'dBjftJeZ4CVP-mJ92K9nh2Dsl0e0f0e0g8ln6Hte5Hk';
    expect(await codeChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
    const v = codeVerifier();
    expect(await codeChallenge(v)).toBe(createHash('sha256').update(v).digest('base64url'));
  });

  it('the state carries the nonce and the conversation id, and refuses what it did not write', () => {
    const state = encodeState({ nonce: 'n-1', conversationId: '7a4f7e0c-4b1e-4d39-9b1e-0a4c7b5d2e11' });
    expect(state).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeState(state)).toEqual({
      nonce: 'n-1',
      conversationId: '7a4f7e0c-4b1e-4d39-9b1e-0a4c7b5d2e11',
    });
    expect(decodeState(encodeState({ nonce: 'n', conversationId: null }))).toEqual({
      nonce: 'n',
      conversationId: null,
    });
    expect(decodeState('not-base64-json')).toBeNull();
    expect(decodeState(null)).toBeNull();
  });

  it('builds the authorize URL Genesys expects', () => {
    const url = new URL(
      authorizeUrl({
        loginBase: 'https://login.mypurecloud.ie',
        clientId: 'c',
        redirectUri: 'https://w/auth-popup.html',
        challenge: 'x',
        state: 's',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://login.mypurecloud.ie/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'c',
      redirect_uri: 'https://w/auth-popup.html',
      code_challenge: 'x',
      code_challenge_method: 'S256',
      state: 's',
    });
  });
});
