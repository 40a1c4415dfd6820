/**
 * Authorization Code with PKCE (RFC 7636), S256, as Genesys Cloud's login service does it for a
 * browser app (and as the Platform SDK's loginPKCEGrant does it): a fresh verifier per sign-in, its
 * SHA-256 as the challenge, and an OAuth `state` that carries the conversation id and a nonce.
 */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** 43–128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1): 64 random bytes give 86. */
export function codeVerifier(): string {
  return randomString(64);
}

export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export interface SignInState {
  /** Matches the sign-in this window started (CSRF). */
  nonce: string;
  conversationId: string | null;
}

export function encodeState(state: SignInState): string {
  return base64url(new TextEncoder().encode(JSON.stringify({ n: state.nonce, c: state.conversationId })));
}

export function decodeState(value: string | null): SignInState | null {
  if (!value) return null;
  try {
    const padded = value.replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
    const parsed = JSON.parse(json) as { n?: unknown; c?: unknown };
    if (typeof parsed.n !== 'string') return null;
    return { nonce: parsed.n, conversationId: typeof parsed.c === 'string' ? parsed.c : null };
  } catch {
    return null;
  }
}

export function authorizeUrl(options: {
  loginBase: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  state: string;
}): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    code_challenge: options.challenge,
    code_challenge_method: 'S256',
    state: options.state,
  });
  return `${options.loginBase}/oauth/authorize?${params.toString()}`;
}
