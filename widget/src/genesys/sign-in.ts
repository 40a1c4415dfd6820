import { SignInError } from '../core/platform.js';
import { authorizeUrl, codeChallenge, codeVerifier, decodeState, encodeState, randomString } from './pkce.js';

/**
 * Sign-in in a popup window: Genesys' login page cannot be framed, so the widget (an iframe) opens
 * the authorize URL in a popup; the login service redirects the popup to auth-popup.html, which
 * hands the query (`code`, `state` or `error`) back to this window and closes. The widget then
 * exchanges the code with its PKCE verifier. The popup answers by postMessage to its opener, and
 * also leaves the answer in localStorage for a moment, for a browser that severed the opener.
 */
export const AUTH_MESSAGE_TYPE = 'daspeak-genesys-auth';
export const AUTH_STORAGE_KEY = 'daspeak-genesys.auth-result';

export interface AuthMessage {
  type: typeof AUTH_MESSAGE_TYPE;
  /** The redirect's query string, `?code=…&state=…` or `?error=…`. */
  search: string;
}

export interface AgentToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface PopupSignInOptions {
  loginBase: string;
  clientId: string;
  redirectUri: string;
  conversationId: string | null;
  /** The agent gets this long to sign in (default 2 minutes, as the Platform SDK's popup). */
  timeoutMs?: number;
}

/** The token, kept for the browser tab's session so a widget reload (next interaction) reuses it. */
export class TokenStore {
  constructor(private readonly key: string) {}

  get(now = Date.now()): AgentToken | null {
    try {
      const raw = sessionStorage.getItem(this.key);
      if (!raw) return null;
      const token = JSON.parse(raw) as Partial<AgentToken>;
      // A token about to expire is no better than none: sign in now rather than mid-operation.
      if (typeof token.accessToken !== 'string' || typeof token.expiresAt !== 'number') return null;
      return token.expiresAt - 30_000 > now ? (token as AgentToken) : null;
    } catch {
      return null;
    }
  }

  set(token: AgentToken): void {
    try {
      sessionStorage.setItem(this.key, JSON.stringify(token));
    } catch {
      // Storage blocked: the token lives in memory only, and the next load signs in again.
    }
  }

  clear(): void {
    try {
      sessionStorage.removeItem(this.key);
    } catch {
      // As above.
    }
  }
}

function waitForAnswer(popup: Window, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let closedSince: number | undefined;
    const done = (fn: () => void) => {
      try {
        localStorage.removeItem(AUTH_STORAGE_KEY);
      } catch {
        // Storage blocked.
      }
      window.removeEventListener('message', onMessage);
      window.removeEventListener('storage', onStorage);
      clearInterval(poll);
      clearTimeout(timer);
      fn();
    };
    const onMessage = (event: MessageEvent) => {
      const data = event.data as Partial<AuthMessage> | null;
      if (event.origin !== location.origin || data?.type !== AUTH_MESSAGE_TYPE) return;
      if (typeof data.search === 'string') done(() => resolve(data.search!));
    };
    const onStorage = (event: StorageEvent) => {
      if (event.key !== AUTH_STORAGE_KEY || !event.newValue) return;
      try {
        const data = JSON.parse(event.newValue) as Partial<AuthMessage>;
        if (typeof data.search === 'string') done(() => resolve(data.search!));
      } catch {
        // Not ours.
      }
    };
    window.addEventListener('message', onMessage);
    window.addEventListener('storage', onStorage);
    const poll = setInterval(() => {
      if (!popup.closed) return;
      // The popup may have answered as it closed; give its message a moment to arrive.
      closedSince ??= Date.now();
      if (Date.now() - closedSince > 1500) {
        done(() => reject(new SignInError('closed', 'the sign-in window was closed')));
      }
    }, 250);
    const timer = setTimeout(() => {
      done(() => reject(new SignInError('timeout', 'sign-in took too long')));
      popup.close();
    }, timeoutMs);
  });
}

async function exchangeCode(
  options: PopupSignInOptions,
  code: string,
  verifier: string,
): Promise<AgentToken> {
  let response: Response;
  try {
    response = await fetch(`${options.loginBase}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: options.redirectUri,
        client_id: options.clientId,
        code_verifier: verifier,
      }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (err) {
    throw new SignInError('unavailable', `the login service could not be reached: ${String(err)}`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    const reason = [body.error, body.error_description ?? body.description].filter(
      (x) => typeof x === 'string',
    );
    throw new SignInError(
      'refused',
      reason.length ? reason.join(': ') : `token exchange answered ${response.status}`,
    );
  }
  const seconds = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    expiresAt: Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 3600) * 1000,
  };
}

/**
 * Opens the sign-in popup and resolves with the agent's token. Call it from a click where possible:
 * a popup opened without one is usually blocked (SignInError `popup-blocked`).
 */
export async function popupSignIn(options: PopupSignInOptions): Promise<AgentToken> {
  // Opened first, before anything asynchronous, so the click's user activation still counts.
  const popup = window.open(
    '',
    `daspeak-genesys-sign-in-${options.conversationId ?? 'none'}`,
    'popup,width=520,height=680',
  );
  if (!popup) throw new SignInError('popup-blocked', 'the browser did not open the sign-in window');
  const verifier = codeVerifier();
  const nonce = randomString(16);
  try {
    try {
      localStorage.removeItem(AUTH_STORAGE_KEY);
    } catch {
      // Storage blocked: only the opener message can answer.
    }
    popup.location.href = authorizeUrl({
      loginBase: options.loginBase,
      clientId: options.clientId,
      redirectUri: options.redirectUri,
      challenge: await codeChallenge(verifier),
      state: encodeState({ nonce, conversationId: options.conversationId }),
    });
  } catch (err) {
    popup.close();
    throw new SignInError('unavailable', `the sign-in window could not be opened: ${String(err)}`);
  }
  const search = await waitForAnswer(popup, options.timeoutMs ?? 120_000);
  const params = new URLSearchParams(search);
  const state = decodeState(params.get('state'));
  if (!state || state.nonce !== nonce) {
    throw new SignInError('refused', 'the sign-in answer does not belong to this sign-in (state)');
  }
  if (state.conversationId !== options.conversationId) {
    throw new SignInError('refused', 'the sign-in answer is for another conversation (state)');
  }
  const error = params.get('error');
  if (error) {
    throw new SignInError('refused', [error, params.get('error_description')].filter(Boolean).join(': '));
  }
  const code = params.get('code');
  if (!code) throw new SignInError('refused', 'the login service answered without a code');
  return exchangeCode(options, code, verifier);
}
