import { callerNumber } from './caller.js';
import { readCoreConfig, type CoreConfig } from './config.js';
import {
  isFailure,
  type DaspeakSession,
  type InitializePayload,
  type Operation,
  type SessionFailure,
  type SessionOptions,
  type SessionResult,
  type SessionState,
  type SignallingTarget,
} from './daspeak/session.js';
import {
  codeOf,
  configurationError,
  connectionError,
  isTokenRefusal,
  messageOf,
  SignInRequiredError,
  WidgetError,
  type ErrorKind,
} from './errors.js';
import { checkHooks, type ConsentDecision, type ConsentRecord, type IntegratorHooks } from './hooks.js';
import type { Translator } from './i18n.js';
import { SignInError, type CallContext, type PlatformAdapter } from './platform.js';
import {
  INITIAL_STATE,
  isBusy,
  registerBlock,
  type CallState,
  type Notice,
  type WidgetState,
} from './state.js';

export interface ControllerDeps {
  adapter: PlatformAdapter;
  /** config.js's default export, or the error that kept it from loading. */
  config: unknown;
  /** utils.js's exports, or the error that kept it from loading. */
  hooks: unknown;
  i18n: Translator;
  createSession(options: SessionOptions): DaspeakSession;
  onChange(state: WidgetState): void;
  /** Details for the integrator (the console). */
  log(message: string, details?: unknown): void;
}

export class LoadError {
  constructor(
    readonly what: 'config.js' | 'utils.js',
    readonly cause: unknown,
  ) {}
}

/**
 * The widget's behaviour, platform-neutral: loads the caller's status, runs register, verify and
 * delete, records consent, and turns every das-Peak event into a defined state. One operation at a
 * time; a refused token sends the agent to sign in again and then resumes what was interrupted.
 */
export class WidgetController {
  #state: WidgetState = INITIAL_STATE;
  #config: CoreConfig | undefined;
  #hooks: IntegratorHooks | undefined;
  #session: DaspeakSession | undefined;
  /** What to do once the agent has signed in again. */
  #resume: (() => Promise<void>) | undefined;
  /** A registration das-Peak returned that is not saved yet (direct mode). */
  #unsaved: string | undefined;
  #disposed = false;

  constructor(private readonly deps: ControllerDeps) {}

  get state(): WidgetState {
    return this.#state;
  }

  get config(): CoreConfig | undefined {
    return this.#config;
  }

  // ---- agent actions ------------------------------------------------------------------------------

  async start(): Promise<void> {
    try {
      if (this.deps.config instanceof LoadError) throw this.#loadFailure(this.deps.config);
      this.#config = readCoreConfig(this.deps.config);
      if (this.deps.hooks instanceof LoadError) throw this.#loadFailure(this.deps.hooks);
      this.#hooks = checkHooks(this.deps.hooks, this.#config.signalling);
    } catch (err) {
      this.#fatal(err);
      return;
    }
    this.deps.adapter.onSessionChange?.(() => void this.#sessionChanged());
    if (this.deps.adapter.callId === null) {
      this.#set({ phase: { name: 'no-call' } });
      this.deps.adapter.ready();
      return;
    }
    await this.#signIn(false, () => this.#loadCall());
    this.deps.adapter.ready();
  }

  /** The Sign-in button: a click, so a popup may open. */
  async signIn(): Promise<void> {
    if (this.#state.phase.name !== 'sign-in-needed') return;
    const resume = this.#resume ?? (() => this.#loadCall());
    await this.#signIn(true, resume);
  }

  async register(): Promise<void> {
    const call = this.#readyCall();
    if (!call || call.registered || registerBlock(call, this.#config!.requireConsent)) return;
    await this.#operate('register', call);
  }

  async authenticate(): Promise<void> {
    const call = this.#readyCall();
    if (!call?.registered) return;
    await this.#operate('verify', call);
  }

  askDelete(): void {
    const call = this.#readyCall();
    if (!call?.registered) return;
    this.#set({ phase: { name: 'confirm-delete' }, notice: null });
  }

  cancelDelete(): void {
    if (this.#state.phase.name === 'confirm-delete') this.#set({ phase: { name: 'ready' } });
  }

  async confirmDelete(): Promise<void> {
    const call = this.#state.call;
    if (this.#state.phase.name !== 'confirm-delete' || !call) return;
    this.#set({ phase: { name: 'deleting' } });
    try {
      await this.#hooks!.deleteCredential!(call.ani);
      this.#updateCall({
        registered: false,
        registeredSince: undefined,
        verification: undefined,
        modelCurrent: undefined,
      });
      this.#finishWith({ type: 'success', key: 'deleted' });
      this.deps.adapter.notify('success', this.deps.i18n.t('title'), this.deps.i18n.t('deleted'));
    } catch (err) {
      if (this.#needsSignIn(err, () => this.#confirmDeleteAgain())) return;
      this.#showError('connection', err);
    }
  }

  async recordConsent(decision: ConsentDecision): Promise<void> {
    const call = this.#readyCall();
    const hooks = this.#hooks;
    if (!call || !hooks?.recordConsent) return;
    this.#set({ phase: { name: 'recording-consent' }, notice: null });
    try {
      await hooks.recordConsent(call.ani, { decision, wordingVersion: this.#config!.consentWordingVersion });
      const consent = await this.#readConsent(call.ani);
      this.#updateCall({
        consent: consent ?? { status: decision, [decision]: { at: new Date().toISOString() } },
      });
      this.#finishWith({
        type: 'info',
        key: decision === 'granted' ? 'consentRecorded' : 'consentRefusedRecorded',
      });
    } catch (err) {
      if (this.#needsSignIn(err, () => this.#backToReady(() => this.recordConsent(decision)))) return;
      this.#showError('connection', err);
    }
  }

  /** Save again: the registration das-Peak returned, kept in memory after a failed store. */
  async saveAgain(): Promise<void> {
    const call = this.#readyCall();
    if (!call || this.#unsaved === undefined) return;
    await this.#save(call, this.#unsaved, false);
  }

  /** Try again after a failure that left no call loaded. */
  async retry(): Promise<void> {
    if (this.#state.phase.name !== 'fatal' || this.#state.phase.kind !== 'connection') return;
    await this.#loadCall();
  }

  dispose(): void {
    this.#disposed = true;
    this.#session?.close();
    this.#session = undefined;
  }

  // ---- sign-in and the call -------------------------------------------------------------------------

  /** The platform renewed the agent's token: utils.js gets it; a sign-in it was waiting for goes on. */
  async #sessionChanged(): Promise<void> {
    if (this.#disposed) return;
    if (this.#state.phase.name === 'sign-in-needed') {
      const resume = this.#resume ?? (() => this.#loadCall());
      await this.#signIn(false, resume);
      return;
    }
    this.#hooks?.setSession?.(this.deps.adapter.hookSession());
  }

  async #signIn(interactive: boolean, then: () => Promise<void>): Promise<void> {
    const expired = this.#state.phase.name === 'sign-in-needed' && this.#state.phase.reason === 'expired';
    this.#set({ phase: { name: 'signing-in' } });
    try {
      await this.deps.adapter.signIn(interactive);
    } catch (err) {
      if (err instanceof SignInError) {
        this.#resume = then;
        const reason =
          err.reason === 'popup-blocked'
            ? interactive
              ? 'blocked-again'
              : 'blocked'
            : err.reason === 'closed' || err.reason === 'timeout'
              ? 'closed'
              : 'failed';
        this.#set({
          phase: {
            name: 'sign-in-needed',
            reason: expired && reason === 'closed' ? 'expired' : reason,
            detail: err.message,
          },
        });
        this.deps.log(`sign-in did not complete (${err.reason}): ${err.message}`);
        return;
      }
      this.#fatal(err);
      return;
    }
    this.#resume = undefined;
    this.#hooks?.setSession?.(this.deps.adapter.hookSession());
    await then();
  }

  async #loadCall(): Promise<void> {
    const hooks = this.#hooks!;
    this.#set({ phase: { name: 'reading-call' } });
    let context: CallContext;
    try {
      context = await this.deps.adapter.readCall();
    } catch (err) {
      if (this.#needsSignIn(err, () => this.#loadCall())) return;
      this.#fatal(err);
      return;
    }
    const number = callerNumber(context.callerNumber);
    if (!number.ok) {
      this.deps.log(`the caller's number cannot be used (${number.problem}): ${JSON.stringify(number.raw)}`);
      this.#set({
        phase: { name: 'caller-unusable', problem: number.problem },
        call: null,
      });
      return;
    }
    const ani = number.ani;
    try {
      let registered: boolean;
      let displayAni = ani;
      let since: string | undefined;
      let modelCurrent: boolean | undefined;
      if (hooks.getCredentialStatus) {
        const status = await hooks.getCredentialStatus(ani);
        registered = status?.registered === true;
        if (typeof status?.ani === 'string') displayAni = status.ani;
        since = typeof status?.createdAt === 'string' ? status.createdAt : undefined;
        modelCurrent = typeof status?.modelCurrent === 'boolean' ? status.modelCurrent : undefined;
      } else {
        // The seed's utils.js: the credential itself says whether there is one (and is dropped).
        const credential = await hooks.getCredential!(ani);
        registered = typeof credential === 'string' && credential !== '';
      }
      const consent = await this.#readConsent(ani);
      this.#set({
        phase: { name: 'ready' },
        call: {
          callId: context.callId,
          ani,
          displayAni,
          registered,
          ...(since ? { registeredSince: since } : {}),
          ...(modelCurrent !== undefined ? { modelCurrent } : {}),
          consent,
          consentSupported:
            typeof hooks.getConsent === 'function' && typeof hooks.recordConsent === 'function',
          ...(context.ivr ? { ivr: context.ivr } : {}),
          // A new sign-in keeps what this call already did.
          ...(this.#state.call?.callId === context.callId && this.#state.call.verification
            ? { verification: this.#state.call.verification }
            : {}),
        },
      });
    } catch (err) {
      if (this.#needsSignIn(err, () => this.#loadCall())) return;
      this.deps.log(`reading the caller's status failed: ${messageOf(err)}`, err);
      this.#set({ phase: { name: 'fatal', kind: 'connection', code: codeOf(err) ?? 'backend.failed' } });
    }
  }

  async #readConsent(ani: string): Promise<ConsentRecord | null> {
    const hooks = this.#hooks!;
    if (!hooks.getConsent) return null;
    const record = await hooks.getConsent(ani);
    return record ?? { status: 'none' };
  }

  // ---- register and verify ----------------------------------------------------------------------------

  async #operate(operation: Operation, call: CallState): Promise<void> {
    const config = this.#config!;
    this.#set({ phase: { name: 'running', operation, step: 'connecting' }, notice: null });
    let target: SignallingTarget;
    let initialize: InitializePayload;
    try {
      if (config.signalling === 'relay') {
        const relay = config.relay!;
        target = {
          url: relay.url,
          path: relay.path,
          namespace: operation === 'register' ? relay.registerNamespace : relay.verifyNamespace,
          auth: this.deps.adapter.relayAuth(),
        };
        initialize = { metadata: { call_id: call.callId } };
      } else {
        const direct = config.direct!;
        const hooks = this.#hooks!;
        let credential: string | undefined;
        if (operation === 'verify') {
          const stored = await hooks.getCredential!(call.ani);
          if (typeof stored !== 'string' || stored === '') {
            // Deleted elsewhere since the widget looked: the caller must register again.
            this.#updateCall({ registered: false, registeredSince: undefined });
            this.#finishWith({ type: 'info', key: 'statusNotRegistered' });
            return;
          }
          credential = stored;
        }
        const token = await hooks.getTemporaryToken!(direct.authUrl);
        if (typeof token !== 'string' || token === '') {
          throw configurationError(
            'utils.bad_token',
            'utils.getTemporaryToken did not return a token (a string)',
          );
        }
        target = {
          url: direct.url,
          path: direct.path,
          namespace: operation === 'register' ? direct.registerNamespace : direct.verifyNamespace,
          ...(direct.tokenTransport === 'query' ? { query: { access_token: token } } : { auth: { token } }),
        };
        initialize = this.#initializePayload(operation, call.callId, credential);
      }
    } catch (err) {
      if (this.#needsSignIn(err, () => this.#backToReady(() => this.#operate(operation, call)))) return;
      this.#showError(err instanceof WidgetError ? err.kind : 'connection', err);
      return;
    }
    const session = this.deps.createSession({
      operation,
      target,
      initialize,
      expectedSeconds: config.audioTotalDuration[operation],
      hooks: { onState: (s) => this.#onSessionState(operation, s) },
    });
    this.#session = session;
    const outcome = await session.run();
    if (this.#session !== session || this.#disposed) return;
    this.#session = undefined;
    if (isFailure(outcome)) await this.#onFailure(operation, call, outcome);
    else await this.#onResult(operation, outcome);
  }

  #initializePayload(operation: Operation, callId: string, credential?: string): InitializePayload {
    const c = this.#config!;
    const metadata = {
      audio_protocol: c.audio.protocol as 'audiohook',
      audio_format: c.audio.format,
      audio_codec: c.audio.codec,
      sample_format: c.audio.sampleFormat,
      // Strings, as in Veridas' documented example.
      sample_rate: String(c.audio.sampleRate),
      channels: String(c.audio.channels),
      call_id: callId,
    };
    if (operation === 'register') {
      return {
        metadata,
        register_request: {
          authenticity_threshold: c.authenticityThreshold,
          audio_total_duration: c.audioTotalDuration.register,
          model_hash: c.modelHash,
        },
      };
    }
    return {
      metadata,
      verify_request: {
        credential: credential!,
        authenticity_threshold: c.authenticityThreshold,
        audio_total_duration: c.audioTotalDuration.verify,
        model_hash: c.modelHash,
        verification_threshold: c.verificationThreshold,
      },
    };
  }

  #onSessionState(operation: Operation, s: SessionState): void {
    if (this.#state.phase.name !== 'running') return;
    switch (s.name) {
      case 'connecting':
        this.#set({ phase: { name: 'running', operation, step: 'connecting' } });
        break;
      case 'awaiting-consumer':
        this.#set({ phase: { name: 'running', operation, step: 'waiting-audio' } });
        break;
      case 'collecting':
        this.#set({
          phase: {
            name: 'running',
            operation,
            step: 'collecting',
            ...(s.progress ? { progress: s.progress } : {}),
          },
        });
        break;
      case 'analysing':
        this.#set({ phase: { name: 'running', operation, step: 'analysing', progress: s.progress } });
        break;
      default:
        break;
    }
  }

  async #onResult(operation: Operation, result: SessionResult): Promise<void> {
    const { event, payload } = result;
    this.#callOnResponse(operation, result);
    const call = this.#state.call!;
    switch (event) {
      case 'result-success': {
        if (operation === 'register') {
          if (payload.stored === true) {
            // Relay: the backend stored the credential itself.
            this.#registered();
            return;
          }
          const credential = payload.credential;
          if (typeof credential !== 'string' || credential === '') {
            this.#showError(
              'configuration',
              configurationError('daspeak.no_credential', 'result-success carried no credential', payload),
            );
            return;
          }
          await this.#save(call, credential, true);
          return;
        }
        const score = Number(payload.score);
        this.#updateCall({ verification: { outcome: 'verified', score } });
        const values = { score: this.deps.i18n.score(score) };
        this.#finishWith({ type: 'success', key: 'verified', values });
        this.deps.adapter.notify('success', this.deps.i18n.t('title'), this.deps.i18n.t('verified', values));
        return;
      }
      case 'result-fail-score':
        return this.#failed(operation, 'authentication', event, payload);
      case 'result-fail-spoof':
        return this.#failed(operation, 'spoof', event, payload);
      case 'error-audio':
        return this.#failed(operation, 'authentication', event, payload);
      case 'error-parameters': {
        const code = payload.code;
        if (code === 'store.consent_required') {
          // Relay: the backend has no granted consent for this caller.
          const consent = await this.#readConsent(call.ani).catch(() => call.consent);
          this.#updateCall({ consent });
          this.#finishWith({ type: 'error', key: 'consentRequired' });
          return;
        }
        if (code === 'credential.not_found') {
          this.#updateCall({ registered: false, registeredSince: undefined });
          this.#finishWith({ type: 'info', key: 'statusNotRegistered' });
          return;
        }
        return this.#failed(operation, 'configuration', event, payload);
      }
      case 'error-consumer-not-ready':
      case 'error-das-Peak':
      case 'error-backend':
        return this.#failed(operation, 'connection', event, payload);
    }
  }

  async #onFailure(operation: Operation, call: CallState, failure: SessionFailure): Promise<void> {
    if (failure.kind === 'aborted') return;
    if (failure.kind === 'refused' && isTokenRefusal(failure.code)) {
      this.deps.adapter.tokenRefused();
      this.#askSignIn(() => this.#backToReady(() => this.#operate(operation, call)));
      return;
    }
    this.deps.log(`das-Peak session (${operation}) failed: ${failure.code}: ${failure.message}`, failure);
    this.#showError('connection', connectionError(failure.code, failure.message));
  }

  #failed(operation: Operation, kind: ErrorKind, event: string, payload: Record<string, unknown>): void {
    this.deps.log(`das-Peak ${operation}: ${event}`, payload);
    if (operation === 'verify' && (kind === 'authentication' || kind === 'spoof')) {
      this.#updateCall({ verification: { outcome: 'failed', kind } });
    }
    this.#finishWith({ type: 'error', kind });
    this.deps.adapter.notify(
      'error',
      this.deps.i18n.t(`error.${kind}.title`),
      this.deps.i18n.t(`error.${kind}`),
    );
  }

  #callOnResponse(operation: Operation, result: SessionResult): void {
    try {
      // The relay never forwards the collected audio (contract B).
      const audio = this.#config?.signalling === 'relay' ? null : result.collectedAudio;
      const value = this.#hooks!.onResponse!({ event: result.event, operation, ...result.payload }, audio);
      if (value instanceof Promise)
        value.catch((err: unknown) => this.deps.log('utils.onResponse failed', err));
    } catch (err) {
      this.deps.log('utils.onResponse failed', err);
    }
  }

  async #save(call: CallState, credential: string, first: boolean): Promise<void> {
    this.#unsaved = credential;
    this.#set({ phase: { name: 'running', operation: 'register', step: 'saving' }, notice: null });
    try {
      await this.#hooks!.storeCredential!(call.ani, credential);
    } catch (err) {
      if (this.#needsSignIn(err, () => this.#backToReady(() => this.saveAgain()))) return;
      this.deps.log(`utils.storeCredential failed${first ? '' : ' again'}: ${messageOf(err)}`, err);
      this.#finishWith({
        type: 'error',
        kind: 'connection',
        key: 'saveFailed',
        values: { reason: codeOf(err) ?? messageOf(err) },
        action: 'save-again',
      });
      return;
    }
    this.#unsaved = undefined;
    this.#registered();
  }

  #registered(): void {
    this.#updateCall({
      registered: true,
      registeredSince: new Date().toISOString(),
      modelCurrent: true,
      verification: undefined,
    });
    this.#finishWith({ type: 'success', key: 'registered' });
    this.deps.adapter.notify('success', this.deps.i18n.t('title'), this.deps.i18n.t('registered'));
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  /** A refused token: sign in again, then `resume`. True when that is what happened. */
  #needsSignIn(err: unknown, resume: () => Promise<void>): boolean {
    if (!(err instanceof SignInRequiredError) && !isTokenRefusal(codeOf(err))) return false;
    this.deps.adapter.tokenRefused();
    this.#askSignIn(resume);
    return true;
  }

  #askSignIn(resume: () => Promise<void>): void {
    this.#resume = resume;
    this.#set({ phase: { name: 'sign-in-needed', reason: 'expired' }, notice: null });
  }

  /** Resumes an agent action: it needs the ready phase it was started from. */
  async #backToReady(action: () => Promise<void>): Promise<void> {
    this.#set({ phase: { name: 'ready' } });
    await action();
  }

  #confirmDeleteAgain(): Promise<void> {
    this.#set({ phase: { name: 'confirm-delete' } });
    return this.confirmDelete();
  }

  #readyCall(): CallState | null {
    if (this.#state.phase.name !== 'ready' || isBusy(this.#state.phase)) return null;
    return this.#state.call;
  }

  #updateCall(changes: Partial<CallState>): void {
    const call = this.#state.call;
    if (!call) return;
    const next = { ...call, ...changes };
    for (const key of Object.keys(changes) as (keyof CallState)[]) {
      if (changes[key] === undefined) delete next[key];
    }
    this.#state = { ...this.#state, call: next };
  }

  #finishWith(notice: Notice): void {
    this.#set({ phase: { name: 'ready' }, notice });
  }

  #showError(kind: ErrorKind, err: unknown): void {
    this.deps.log(`${kind} error: ${messageOf(err)}`, err instanceof WidgetError ? err.details : err);
    this.#finishWith({ type: 'error', kind });
    this.deps.adapter.notify(
      'error',
      this.deps.i18n.t(`error.${kind}.title`),
      this.deps.i18n.t(`error.${kind}`),
    );
  }

  #fatal(err: unknown): void {
    const error =
      err instanceof WidgetError ? err : connectionError(codeOf(err) ?? 'widget.failed', messageOf(err), err);
    this.deps.log(`${error.kind} error (${error.code}): ${error.message}`, error.details);
    this.#set({ phase: { name: 'fatal', kind: error.kind, code: error.code }, notice: null });
  }

  #loadFailure(failure: LoadError): WidgetError {
    return configurationError(
      `${failure.what === 'config.js' ? 'config' : 'utils'}.load_failed`,
      `${failure.what} could not be loaded: ${messageOf(failure.cause)}`,
      failure.cause,
    );
  }

  #set(changes: Partial<WidgetState>): void {
    if (this.#disposed) return;
    this.#state = { ...this.#state, ...changes };
    this.deps.onChange(this.#state);
  }
}
