/**
 * What a contact-center platform supplies to the core: the agent (signed in), the call and its
 * caller, and a way to show notifications. The core knows nothing else of the platform: Genesys
 * Cloud is one adapter, Twilio Flex can be another.
 */
export interface Agent {
  id: string;
  name?: string;
}

/** What the IVR found on this call before it reached the agent (participant data). */
export interface IvrResult {
  operation?: 'register' | 'verify';
  result: string;
  score?: number;
  authenticity?: number;
  reason?: string;
  at?: string;
}

export interface CallContext {
  /** das-Peak's call_id: the platform's id of the call whose audio das-Peak receives. */
  callId: string;
  /** The caller's number as the platform gives it (normalised by the core). */
  callerNumber: string | null;
  ivr?: IvrResult;
}

export type SignInFailure = 'popup-blocked' | 'closed' | 'timeout' | 'refused' | 'unavailable';

/** Interactive sign-in did not complete; `reason` says what the agent can do about it. */
export class SignInError extends Error {
  constructor(
    readonly reason: SignInFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

export type NoticeKind = 'info' | 'success' | 'error';

export interface PlatformAdapter {
  /** Language tag the platform asks for (e.g. `es-ES`), if any. */
  readonly languageTag: string | undefined;
  /** The call the widget serves (null: none selected). */
  readonly callId: string | null;
  /**
   * Signs the agent in. `interactive` is true when the agent clicked (a popup may open without being
   * blocked); false on load. Resolves with the agent; rejects with SignInError, or a WidgetError when
   * the platform configuration is wrong.
   */
  signIn(interactive: boolean): Promise<Agent>;
  /** Reads the call: its id and caller. Rejects with SignInRequiredError when the token is refused. */
  readCall(): Promise<CallContext>;
  /** The session utils.js gets through setSession (kit hooks). */
  hookSession(): { accessToken: string | null; conversationId: string | null };
  /** Socket.IO handshake `auth` of the relay (contract B). */
  relayAuth(): Record<string, string>;
  /** Forgets the agent's token after the platform or the backend refused it. */
  tokenRefused(): void;
  /** A notification in the platform's UI (toasts). */
  notify(kind: NoticeKind, title: string, message: string): void;
  /** The widget is up (lifecycle). */
  ready(): void;
  /**
   * Optional, for platforms that renew the agent's token by themselves (Twilio Flex): `listener` is
   * called when the token changed. The core hands the new session to utils.js and, when it was
   * waiting for a sign-in after a refused token, resumes what was interrupted. Adapters whose agent
   * signs in through the widget (Genesys) leave it out.
   */
  onSessionChange?(listener: () => void): void;
  dispose(): void;
}
