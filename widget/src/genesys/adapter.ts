import { configurationError } from '../core/errors.js';
import type { Agent, CallContext, NoticeKind, PlatformAdapter } from '../core/platform.js';
import { resolveEnvironment, type GenesysEnvironment } from './environment.js';
import { customerOf, ivrResultOf, PlatformApi } from './platform-api.js';
import { popupSignIn, TokenStore, type AgentToken } from './sign-in.js';

/**
 * The Genesys Cloud adapter: the Interaction Widget's URL tokens (`{{gcConversationId}}`,
 * `{{gcHostOrigin}}`, `{{gcTargetEnv}}`, `{{gcLangTag}}`), the agent's sign-in (PKCE in a popup),
 * the conversation and its customer, and toasts through purecloud-client-app-sdk.
 */
export interface GenesysParams {
  conversationId: string | null;
  gcHostOrigin: string | null;
  gcTargetEnv: string | null;
  gcLangTag: string | null;
}

/** config.js fields the adapter reads (contract A; the rest is the core's). */
interface GenesysConfigFields {
  genesysRegion?: unknown;
  genesysBaseUrl?: unknown;
  genesysClientId?: unknown;
  redirectUri?: unknown;
  backendUrl?: unknown;
}

const CONVERSATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export class GenesysAdapter implements PlatformAdapter {
  readonly languageTag: string | undefined;
  readonly callId: string | null;
  #env: GenesysEnvironment | undefined;
  #clientId: string | null;
  #redirectUri: string;
  #store: TokenStore;
  #token: AgentToken | null = null;
  #agent: Agent | null = null;
  #api: PlatformApi | undefined;
  readonly #config: GenesysConfigFields;

  constructor(
    private readonly params: GenesysParams,
    config: unknown,
  ) {
    this.#config = config ?? {};
    this.languageTag = params.gcLangTag ?? undefined;
    const id = params.conversationId?.trim() ?? '';
    // An unfilled token ("{{gcConversationId}}") or nothing at all: no conversation selected.
    this.callId = CONVERSATION_ID.test(id) ? id : null;
    this.#clientId = stringOrNull(this.#config.genesysClientId);
    const backend = stringOrNull(this.#config.backendUrl) ?? new URL('./', location.href).href;
    this.#redirectUri = stringOrNull(this.#config.redirectUri) ?? new URL('auth-popup.html', backend).href;
    this.#store = new TokenStore(`daspeak-genesys.token.${this.#clientId ?? 'none'}`);
  }

  #environment(): GenesysEnvironment {
    this.#env ??= resolveEnvironment({
      gcHostOrigin: this.params.gcHostOrigin,
      gcTargetEnv: this.params.gcTargetEnv,
      genesysRegion: stringOrNull(this.#config.genesysRegion),
      genesysBaseUrl: stringOrNull(this.#config.genesysBaseUrl),
      framed: window.parent !== window,
    });
    this.#api ??= new PlatformApi(this.#env.apiBase, () => this.#token?.accessToken ?? null);
    return this.#env;
  }

  async signIn(interactive: boolean): Promise<Agent> {
    const env = this.#environment();
    if (!this.#clientId) {
      throw configurationError(
        'genesys.no_client_id',
        'config.js has no genesysClientId: run `daspeak-genesys provision` (it creates the widget OAuth client) or set widget.clientId',
      );
    }
    const stored = this.#store.get();
    if (stored && !interactive) {
      this.#token = stored;
      try {
        return await this.#identify();
      } catch (err) {
        // A stored token Genesys no longer takes: sign in afresh below.
        this.#token = null;
        this.#store.clear();
        if (!(err instanceof Error && err.name === 'SignInRequiredError')) throw err;
      }
    }
    this.#token = await popupSignIn({
      loginBase: env.loginBase,
      clientId: this.#clientId,
      redirectUri: this.#redirectUri,
      conversationId: this.callId,
    });
    this.#store.set(this.#token);
    return this.#identify();
  }

  async #identify(): Promise<Agent> {
    const me = await this.#api!.me();
    this.#agent = { id: me.id, ...(me.name ? { name: me.name } : {}) };
    return this.#agent;
  }

  async readCall(): Promise<CallContext> {
    this.#environment();
    const conversation = await this.#api!.conversation(this.callId!);
    const customer = customerOf(conversation);
    const ivr = ivrResultOf(customer);
    return {
      callId: conversation.id ?? this.callId!,
      callerNumber: customer?.ani ?? null,
      ...(ivr ? { ivr } : {}),
    };
  }

  hookSession() {
    return { accessToken: this.#token?.accessToken ?? null, conversationId: this.callId };
  }

  relayAuth(): Record<string, string> {
    return { token: this.#token?.accessToken ?? '', conversationId: this.callId ?? '' };
  }

  tokenRefused(): void {
    this.#token = null;
    this.#store.clear();
  }

  notify(kind: NoticeKind, title: string, message: string): void {
    const app = this.#env?.clientApp;
    if (!app) return;
    try {
      // Genesys keeps error toasts until dismissed (timeout 0 needs the close button).
      app.alerting.showToastPopup(title, message, {
        type: kind,
        ...(kind === 'error' ? { timeout: 0, showCloseButton: true } : { timeout: 5 }),
      });
    } catch {
      // A host that does not answer toasts: the widget shows the result itself anyway.
    }
  }

  ready(): void {
    try {
      this.#env?.clientApp?.lifecycle.bootstrapped();
    } catch {
      // As for toasts.
    }
  }

  dispose(): void {
    this.#token = null;
  }
}

/** The URL's Genesys tokens (the Interaction Widget URL fills them in). */
export function paramsFromUrl(search: string): GenesysParams {
  const q = new URLSearchParams(search);
  const first = (...names: string[]) => {
    for (const name of names) {
      const value = q.get(name);
      if (value !== null && value !== '' && !value.startsWith('{{')) return value;
    }
    return null;
  };
  return {
    conversationId: first('conversationId', 'gcConversationId', 'conversationid'),
    gcHostOrigin: first('gcHostOrigin'),
    gcTargetEnv: first('gcTargetEnv'),
    gcLangTag: first('langTag', 'gcLangTag', 'lang'),
  };
}
