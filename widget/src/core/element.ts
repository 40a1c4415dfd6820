import { LitElement, type PropertyValues } from 'lit';
import { WidgetController, LoadError } from './controller.js';
import { SocketSession } from './daspeak/session-impl.js';
import { translator, type Translator } from './i18n.js';
import type { PlatformAdapter } from './platform.js';
import { INITIAL_STATE, type WidgetState } from './state.js';
import { styles } from './ui/styles.js';
import { render, type ViewActions } from './ui/view.js';

/**
 * The widget as a Custom Element with shadow DOM, platform-neutral. A platform subclass names the
 * element and makes the adapter. As in the seed, the host hands over config.js and utils.js as
 * properties (`element.config = config; element.utils = utils`); or the element imports them from
 * its `config-src` / `utils-src` attributes, so a page needs no script of its own (CSP).
 */
export abstract class DaspeakAgentElement extends LitElement {
  static override styles = styles;
  static override properties = {
    config: { attribute: false },
    utils: { attribute: false },
  };

  declare config: unknown;
  declare utils: unknown;

  #controller: WidgetController | undefined;
  #adapter: PlatformAdapter | undefined;
  #state: WidgetState = INITIAL_STATE;
  #i18n: Translator = translator(undefined);
  #generation = 0;
  #booted = false;

  protected abstract readonly logPrefix: string;
  /** The platform adapter for the current call (attributes, URL parameters). */
  protected abstract createAdapter(config: unknown): PlatformAdapter;

  /** Whether the element has started once (attribute changes before that need no restart). */
  protected get started(): boolean {
    return this.#booted;
  }

  /** What the widget shows now (tests and hosts may read it). */
  get widgetState(): WidgetState {
    return this.#state;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A host that sets the properties right after creating the element gets them used.
    queueMicrotask(() => {
      if (!this.#booted && this.isConnected) void this.restart();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.#booted && (changed.has('config') || changed.has('utils'))) {
      if (changed.get('config') !== undefined || changed.get('utils') !== undefined) void this.restart();
    }
    const dialog = this.renderRoot.querySelector('dialog');
    const wantOpen = this.#state.phase.name === 'confirm-delete';
    if (dialog && wantOpen && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLButtonElement>('[data-action="cancel-delete"]')?.focus();
    } else if (dialog && !wantOpen && dialog.open) {
      dialog.close();
      this.renderRoot.querySelector<HTMLButtonElement>('button.primary')?.focus();
    }
  }

  /** Starts over: a new call (conversation), new config or utils. Nothing of the last call is kept. */
  async restart(): Promise<void> {
    this.#booted = true;
    this.#stop();
    const generation = ++this.#generation;
    this.#setState(INITIAL_STATE);
    const config = this.config ?? (await this.#load('config-src', 'config.js'));
    const hooks = this.utils ?? (await this.#load('utils-src', 'utils.js'));
    if (generation !== this.#generation) return;
    let adapter: PlatformAdapter;
    try {
      adapter = this.createAdapter(config instanceof LoadError ? {} : config);
    } catch (err) {
      this.#log('the platform adapter could not start', err);
      this.#setState({
        phase: { name: 'fatal', kind: 'configuration', code: 'platform.config' },
        call: null,
        notice: null,
      });
      return;
    }
    this.#adapter = adapter;
    this.#i18n = translator(adapter.languageTag);
    this.lang = this.#i18n.locale;
    const controller = new WidgetController({
      adapter,
      config,
      hooks,
      i18n: this.#i18n,
      createSession: (options) => new SocketSession(options),
      onChange: (state) => {
        if (generation === this.#generation) this.#setState(state);
      },
      log: (message, details) => this.#log(message, details),
    });
    this.#controller = controller;
    await controller.start();
  }

  async #load(attribute: string, what: 'config.js' | 'utils.js'): Promise<unknown> {
    const src = this.getAttribute(attribute);
    if (!src)
      return new LoadError(what, new Error(`no ${what}: set the ${attribute} attribute or the property`));
    try {
      const module = (await import(
        /* @vite-ignore */ /* webpackIgnore: true */ new URL(src, document.baseURI).href
      )) as Record<string, unknown>;
      return what === 'config.js' ? (module.default ?? module.config) : module;
    } catch (err) {
      return new LoadError(what, err);
    }
  }

  #stop(): void {
    this.#controller?.dispose();
    this.#controller = undefined;
    this.#adapter?.dispose();
    this.#adapter = undefined;
  }

  #setState(state: WidgetState): void {
    this.#state = state;
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('daspeak-state', { detail: state, bubbles: true, composed: true }));
  }

  #log(message: string, details?: unknown): void {
    // The seed puts configuration details in the console; warnings, so a page's error count stays
    // for real faults.
    // eslint-disable-next-line no-console
    if (details === undefined) console.warn(`${this.logPrefix} ${message}`);
    // eslint-disable-next-line no-console
    else console.warn(`${this.logPrefix} ${message}`, details);
  }

  #actions: ViewActions = {
    signIn: () => void this.#controller?.signIn(),
    register: () => void this.#controller?.register(),
    authenticate: () => void this.#controller?.authenticate(),
    askDelete: () => this.#controller?.askDelete(),
    cancelDelete: () => this.#controller?.cancelDelete(),
    confirmDelete: () => void this.#controller?.confirmDelete(),
    consent: (decision) => void this.#controller?.recordConsent(decision),
    saveAgain: () => void this.#controller?.saveAgain(),
    retry: () => void this.#controller?.retry(),
  };

  protected override render() {
    return render({
      state: this.#state,
      i18n: this.#i18n,
      requireConsent: this.#controller?.config?.requireConsent ?? false,
      actions: this.#actions,
    });
  }
}
