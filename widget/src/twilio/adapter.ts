import { configurationError } from '../core/errors.js';
import {
  SignInError,
  type Agent,
  type CallContext,
  type NoticeKind,
  type PlatformAdapter,
} from '../core/platform.js';
import type { FlexManagerLike, FlexTask, FlexTokenPayload } from './flex-types.js';
import { callerOf, customerCallSid } from './task.js';

/**
 * The Twilio Flex adapter. Flex has signed the agent in already: the agent's token is
 * `manager.user.token` (a Flex JWE), sent to the backend as `Authorization: Bearer` and renewed by
 * Flex itself (the manager's `tokenUpdated` event), never by the widget. The call is the task the
 * plugin shows the widget for: call_id = the customer leg's call SID, the caller = `from`.
 */
export interface TwilioAdapterOptions {
  task: FlexTask | null;
  manager: FlexManagerLike;
  /** A notification in Flex's UI (the plugin wires Flex's Notifications). */
  notify?: (kind: NoticeKind, title: string, message: string) => void;
  languageTag?: string;
  /** How long a sign-in after a refused token waits for Flex to renew it (ms). */
  renewalWaitMs?: number;
}

export class TwilioAdapter implements PlatformAdapter {
  readonly languageTag: string | undefined;
  readonly callId: string | null;
  readonly #task: FlexTask | null;
  readonly #manager: FlexManagerLike;
  readonly #notify: TwilioAdapterOptions['notify'];
  readonly #renewalWaitMs: number;
  /** The token the widget uses; null after the backend refused it, until Flex renews it. */
  #token: string | null;
  /** Tokens the backend refused: Flex handing one of them again is no renewal. */
  readonly #refused = new Set<string>();
  #listeners: (() => void)[] = [];
  #waiters: (() => void)[] = [];
  readonly #onTokenUpdated = (payload: FlexTokenPayload) => this.#tokenUpdated(payload);
  #disposed = false;

  constructor(options: TwilioAdapterOptions) {
    this.#task = options.task;
    this.#manager = options.manager;
    this.#notify = options.notify;
    this.#renewalWaitMs = options.renewalWaitMs ?? 10_000;
    this.languageTag = options.languageTag;
    this.callId = customerCallSid(options.task);
    this.#token = nonEmpty(options.manager.user?.token);
    options.manager.events?.addListener('tokenUpdated', this.#onTokenUpdated);
  }

  /** The agent's current Flex token (null: none, or refused and not renewed yet). */
  get token(): string | null {
    return this.#token;
  }

  async signIn(_interactive: boolean): Promise<Agent> {
    if (!this.#manager.user && !this.#manager.workerClient) {
      throw configurationError(
        'twilio.no_manager',
        'the Flex plugin gave the widget no Flex Manager: mount it from the plugin (withTaskContext) so it gets manager.user.token',
      );
    }
    // Flex may have renewed the token after the refusal without the event (a read of user.token).
    if (!this.#token) this.#adopt(nonEmpty(this.#manager.user?.token));
    if (!this.#token) await this.#waitForRenewal();
    return this.#agent();
  }

  #agent(): Agent {
    const worker = this.#manager.workerClient;
    const fullName = worker?.attributes?.full_name;
    const name = typeof fullName === 'string' && fullName !== '' ? fullName : worker?.name;
    const id = worker?.sid ?? this.#manager.user?.identity ?? 'flex-agent';
    return { id, ...(name ? { name } : {}) };
  }

  #waitForRenewal(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        reject(
          new SignInError(
            'refused',
            'Flex has not renewed its sign-in token: reload Flex (or sign in to Flex again) and select Sign in',
          ),
        );
      }, this.#renewalWaitMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(done);
    });
  }

  #adopt(token: string | null): boolean {
    if (!token || this.#refused.has(token) || token === this.#token) return false;
    this.#token = token;
    return true;
  }

  #tokenUpdated(payload: FlexTokenPayload): void {
    if (this.#disposed) return;
    const token = nonEmpty(payload?.token) ?? nonEmpty(this.#manager.user?.token);
    if (!this.#adopt(token)) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
    for (const l of this.#listeners) l();
  }

  async readCall(): Promise<CallContext> {
    // Flex gives the task with its attributes: nothing to fetch.
    return { callId: this.callId!, callerNumber: callerOf(this.#task) };
  }

  hookSession() {
    return { accessToken: this.#token, conversationId: this.callId };
  }

  relayAuth(): Record<string, string> {
    return { token: this.#token ?? '', conversationId: this.callId ?? '' };
  }

  tokenRefused(): void {
    if (this.#token) this.#refused.add(this.#token);
    this.#token = null;
  }

  notify(kind: NoticeKind, title: string, message: string): void {
    try {
      this.#notify?.(kind, title, message);
    } catch {
      // Flex's notifications are a courtesy: the widget shows the result itself anyway.
    }
  }

  onSessionChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  ready(): void {}

  dispose(): void {
    this.#disposed = true;
    this.#manager.events?.removeListener('tokenUpdated', this.#onTokenUpdated);
    this.#listeners = [];
    this.#waiters = [];
    this.#token = null;
  }
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
