import { html, nothing, svg, type TemplateResult } from 'lit';
import type { Translator, MessageKey } from '../i18n.js';
import type { IvrResult } from '../platform.js';
import {
  isBusy,
  mainAction,
  registerBlock,
  type CallState,
  type Notice,
  type Phase,
  type WidgetState,
} from '../state.js';

/** What the agent's clicks do; the element wires these to the controller. */
export interface ViewActions {
  signIn: () => void;
  register: () => void;
  authenticate: () => void;
  askDelete: () => void;
  cancelDelete: () => void;
  confirmDelete: () => void;
  consent: (decision: 'granted' | 'refused') => void;
  saveAgain: () => void;
  retry: () => void;
}

export interface ViewContext {
  state: WidgetState;
  i18n: Translator;
  requireConsent: boolean;
  actions: ViewActions;
}

const tick = svg`<path d="M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z"/>`;
const trash = svg`<path d="M6 19c0 1.1.9 2 2 2h8a2 2 0 0 0 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z"/>`;

/** The sentence a screen reader announces for this state (the live region). */
export function announcement(state: WidgetState, i18n: Translator): string {
  const { phase, notice } = state;
  if (phase.name === 'running') return stepText(phase, i18n, false);
  if (phase.name === 'fatal')
    return `${i18n.t(`error.${phase.kind}.title`)}: ${i18n.t(`error.${phase.kind}`)}`;
  if (phase.name === 'sign-in-needed') return signInText(phase, i18n);
  if (notice && notice.type !== 'error') return noticeText(notice, i18n);
  return '';
}

function stepText(phase: Extract<Phase, { name: 'running' }>, i18n: Translator, withNumbers = true): string {
  switch (phase.step) {
    case 'connecting':
      return i18n.t('connecting');
    case 'waiting-audio':
      return i18n.t('waitingAudio');
    case 'collecting':
      return phase.progress && withNumbers
        ? i18n.t('collecting', { net: phase.progress.net.toFixed(1), total: phase.progress.total.toFixed(1) })
        : i18n.t('speechProgress');
    case 'analysing':
      return i18n.t('analysing');
    case 'saving':
      return i18n.t('saving');
  }
}

function signInText(phase: Extract<Phase, { name: 'sign-in-needed' }>, i18n: Translator): string {
  switch (phase.reason) {
    case 'blocked':
      return i18n.t('popupBlocked');
    case 'blocked-again':
      return i18n.t('popupBlockedAgain');
    case 'closed':
      return i18n.t('popupClosed');
    case 'expired':
      return i18n.t('signInExpired');
    case 'failed':
      return i18n.t('signInFailed', { reason: phase.detail ?? '' });
    case 'initial':
      return i18n.t('signInNeeded');
  }
}

function noticeText(notice: Notice, i18n: Translator): string {
  if (notice.key) return i18n.t(notice.key, notice.values);
  return notice.kind ? i18n.t(`error.${notice.kind}`) : '';
}

export function render(ctx: ViewContext): TemplateResult {
  const { state, i18n } = ctx;
  return html`
    <h1 id="title">${i18n.t('title')}</h1>
    ${body(ctx)}
    <div class="visually-hidden" role="status" aria-live="polite" data-testid="live">
      ${announcement(state, i18n)}
    </div>
    ${deleteDialog(ctx)}
  `;
}

function body(ctx: ViewContext): TemplateResult {
  const { state, i18n, actions } = ctx;
  const { phase } = state;
  switch (phase.name) {
    case 'starting':
      return html`<p class="muted" data-state="starting">${i18n.t('loading')}</p>`;
    case 'signing-in':
      return html`${state.call ? callSummary(state.call, ctx) : nothing}
        <p class="muted" data-state="signing-in">${i18n.t('signingIn')}</p>`;
    case 'sign-in-needed':
      return html`${state.call ? callSummary(state.call, ctx) : nothing}
        <div class="notice info" data-state="sign-in-needed" data-reason=${phase.reason}>
          <p>${signInText(phase, i18n)}</p>
        </div>
        <button class="primary" data-action="sign-in" @click=${actions.signIn}>${i18n.t('signIn')}</button>`;
    case 'no-call':
      return html`<p class="muted" data-state="no-call">${i18n.t('noCall')}</p>`;
    case 'reading-call':
      return html`${state.call ? callSummary(state.call, ctx) : nothing}
        <p class="muted" data-state="reading-call">${i18n.t('readingCall')}</p>`;
    case 'caller-unusable':
      return html`<div class="notice info" data-state="caller-unusable">
        <p>
          ${phase.problem === 'withheld' ? i18n.t('callerWithheld') : i18n.t('callerInvalid', { ani: '' })}
        </p>
      </div>`;
    case 'fatal':
      return html`${errorBox(phase.kind, i18n, 'fatal')}
      ${
        phase.kind === 'connection'
          ? html`<button class="primary" data-action="retry" @click=${actions.retry}>
              ${i18n.t('tryAgain')}
            </button>`
          : nothing
      }`;
    default:
      return state.call ? callView(state.call, ctx) : html``;
  }
}

function errorBox(
  kind: 'spoof' | 'authentication' | 'configuration' | 'connection',
  i18n: Translator,
  state: string,
  extra?: TemplateResult,
) {
  return html`<div class="notice error" role="alert" data-state=${state} data-error=${kind}>
    <div>
      <strong>${i18n.t(`error.${kind}.title`)}</strong>
      <p>${i18n.t(`error.${kind}`)}</p>
      ${extra ?? nothing}
    </div>
  </div>`;
}

function statusBadge(call: CallState, i18n: Translator): TemplateResult {
  const v = call.verification;
  if (v?.outcome === 'verified') {
    return html`<span class="badge verified" data-status="verified"
      >${i18n.t('statusVerified', { score: i18n.score(v.score) })}</span
    >`;
  }
  if (v?.outcome === 'failed') {
    return html`<span class="badge failed" data-status="failed">${i18n.t('statusFailed')}</span>`;
  }
  if (call.registered) {
    const text = call.registeredSince
      ? i18n.t('statusRegisteredSince', { date: i18n.date(call.registeredSince) })
      : i18n.t('statusRegistered');
    return html`<span class="badge registered" data-status="registered">${text}</span> ${
        call.modelCurrent === false
          ? html`<span class="badge warn" data-status="outdated-model"
              >${i18n.t('statusOutdatedModel')}</span
            >`
          : nothing
      }`;
  }
  return html`<span class="badge" data-status="not-registered">${i18n.t('statusNotRegistered')}</span>`;
}

function ivrLine(ivr: IvrResult, i18n: Translator): TemplateResult {
  const known = (IVR_WORDS as readonly string[]).includes(ivr.result);
  const parts = [known ? i18n.t(`ivr.${ivr.result}` as MessageKey) : ivr.result];
  if (ivr.score !== undefined) parts.push(i18n.t('ivrScore', { score: i18n.score(ivr.score) }));
  if (ivr.at) parts.push(i18n.t('ivrAt', { time: i18n.time(ivr.at) }));
  const tone = ['verified', 'registered'].includes(ivr.result)
    ? 'verified'
    : ['spoof', 'not-verified', 'error'].includes(ivr.result)
      ? 'failed'
      : '';
  return html`<div class="row">
    <span class="label">${i18n.t('ivr')}</span>
    <span class="badge ${tone}" data-testid="ivr" data-ivr=${ivr.result}>${parts.join(' ')}</span>
  </div>`;
}

const IVR_WORDS = [
  'registered',
  'verified',
  'not-verified',
  'spoof',
  'not-registered',
  'no-audio',
  'no-consent',
  'error',
] as const;

function callSummary(call: CallState, ctx: ViewContext): TemplateResult {
  const { i18n, actions, state } = ctx;
  const busy = isBusy(state.phase) || state.phase.name !== 'ready';
  return html`<div class="row">
      <span class="label">${i18n.t('caller')}</span
      ><span class="ani" data-testid="ani">${call.displayAni}</span>
    </div>
    <div class="row">
      <span class="label">${i18n.t('status')}</span>
      <span data-testid="status">${statusBadge(call, i18n)}</span>
      <span class="spacer"></span>
      ${
        call.registered
          ? html`<button
              class="icon"
              data-action="delete"
              title=${i18n.t('delete')}
              aria-label=${i18n.t('delete')}
              aria-disabled=${busy ? 'true' : 'false'}
              @click=${actions.askDelete}
            >
              <svg viewBox="0 0 24 24" aria-hidden="true">${trash}</svg>
            </button>`
          : nothing
      }
    </div>
    ${call.ivr ? ivrLine(call.ivr, i18n) : nothing}`;
}

function noticeBox(notice: Notice, ctx: ViewContext): TemplateResult {
  const { i18n, actions } = ctx;
  const action =
    notice.action === 'save-again'
      ? html`<button class="secondary" data-action="save-again" @click=${actions.saveAgain}>
          ${i18n.t('saveAgain')}
        </button>`
      : nothing;
  if (notice.type === 'error' && notice.kind) {
    const detail = notice.key ? html`<p>${i18n.t(notice.key, notice.values)}</p>` : undefined;
    return errorBox(notice.kind, i18n, 'error', html`${detail ?? nothing}${action}`);
  }
  if (notice.type === 'error') {
    return html`<div class="notice error" role="alert" data-notice=${notice.key ?? ''}>
      <p>${noticeText(notice, i18n)}</p>
      ${action}
    </div>`;
  }
  return html`<div
    class="notice ${notice.type}"
    data-notice=${notice.key ?? ''}
    data-state=${notice.type === 'success' ? 'success' : 'info'}
  >
    ${notice.type === 'success' ? html`<svg class="tick" viewBox="0 0 24 24" aria-hidden="true" data-testid="tick">${tick}</svg>` : nothing}
    <p>${noticeText(notice, i18n)}</p>
  </div>`;
}

function progressView(phase: Extract<Phase, { name: 'running' }>, i18n: Translator): TemplateResult {
  const progress = phase.progress;
  const determinate = progress !== undefined && (phase.step === 'collecting' || phase.step === 'analysing');
  const percent = determinate ? Math.min(100, Math.round((progress.net / progress.total) * 100)) : 0;
  return html`<div
    class="progress"
    data-state="running"
    data-step=${phase.step}
    data-operation=${phase.operation}
  >
    <div>${stepText(phase, i18n)}</div>
    <div
      class="bar ${determinate ? '' : 'indeterminate'}"
      role="progressbar"
      aria-label=${i18n.t('speechProgress')}
      aria-valuemin="0"
      aria-valuemax=${determinate ? progress.total.toFixed(1) : nothing}
      aria-valuenow=${determinate ? Math.min(progress.net, progress.total).toFixed(1) : nothing}
      aria-valuetext=${determinate ? stepText(phase, i18n) : nothing}
    >
      <div style="width: ${determinate ? percent : 30}%"></div>
    </div>
  </div>`;
}

function consentView(call: CallState, ctx: ViewContext): TemplateResult | typeof nothing {
  const { i18n, actions, state, requireConsent } = ctx;
  if (call.registered) return nothing;
  if (!call.consentSupported) {
    return requireConsent
      ? html`<p class="hint" data-testid="consent-block">${i18n.t('consentUnavailable')}</p>`
      : nothing;
  }
  const consent = call.consent;
  const status = consent?.status ?? 'none';
  const busy = state.phase.name !== 'ready';
  const when =
    status === 'granted' && consent?.granted
      ? i18n.t('consentGrantedAt', { date: i18n.date(consent.granted.at) })
      : status === 'refused' && consent?.refused
        ? i18n.t('consentRefusedAt', { date: i18n.date(consent.refused.at) })
        : status === 'withdrawn' && consent?.withdrawn
          ? i18n.t('consentWithdrawnAt', { date: i18n.date(consent.withdrawn.at) })
          : '';
  return html`<fieldset data-testid="consent" data-consent=${status}>
    <legend>${i18n.t('consent')}</legend>
    ${when ? html`<p data-testid="consent-when">${when}</p>` : nothing}
    <p id="consent-question">${i18n.t('consentQuestion')}</p>
    <div class="choices" role="group" aria-labelledby="consent-question">
      <button
        class="secondary"
        data-action="consent-granted"
        aria-pressed=${status === 'granted' ? 'true' : 'false'}
        aria-disabled=${busy ? 'true' : 'false'}
        @click=${() => actions.consent('granted')}
      >
        ${i18n.t('consentGranted')}
      </button>
      <button
        class="secondary"
        data-action="consent-refused"
        aria-pressed=${status === 'refused' ? 'true' : 'false'}
        aria-disabled=${busy ? 'true' : 'false'}
        @click=${() => actions.consent('refused')}
      >
        ${i18n.t('consentRefused')}
      </button>
    </div>
  </fieldset>`;
}

function callView(call: CallState, ctx: ViewContext): TemplateResult {
  const { state, i18n, actions, requireConsent } = ctx;
  const { phase } = state;
  const action = mainAction(call);
  const block = action === 'register' ? registerBlock(call, requireConsent) : null;
  const busy = phase.name !== 'ready';
  const label = i18n.t(action);
  const onClick = action === 'register' ? actions.register : actions.authenticate;
  return html`<div data-state=${phase.name === 'ready' ? 'ready' : phase.name}>
    ${callSummary(call, ctx)} ${phase.name === 'running' ? progressView(phase, i18n) : nothing}
    ${phase.name === 'deleting' ? html`<p class="muted">${i18n.t('deleting')}</p>` : nothing}
    ${state.notice && phase.name !== 'running' ? noticeBox(state.notice, ctx) : nothing}
    ${consentView(call, ctx)}
    ${block ? html`<p class="hint" data-testid="register-block">${i18n.t(block)}</p>` : nothing}
    <button
      class="primary"
      data-action=${action}
      aria-disabled=${busy || block ? 'true' : 'false'}
      aria-describedby=${block ? 'register-block' : nothing}
      @click=${onClick}
    >
      ${label}
    </button>
  </div>`;
}

function deleteDialog(ctx: ViewContext): TemplateResult {
  const { state, i18n, actions } = ctx;
  const ani = state.call?.displayAni ?? '';
  return html`<dialog
    aria-labelledby="delete-title"
    aria-describedby="delete-body"
    data-testid="confirm-delete"
    @cancel=${(e: Event) => {
      e.preventDefault();
      actions.cancelDelete();
    }}
  >
    <h2 id="delete-title">${i18n.t('confirmDeleteTitle')}</h2>
    <p id="delete-body">${i18n.t('confirmDeleteBody', { ani })}</p>
    <div class="actions">
      <button class="secondary" data-action="cancel-delete" @click=${actions.cancelDelete}>
        ${i18n.t('cancel')}
      </button>
      <button class="danger" data-action="confirm-delete" @click=${actions.confirmDelete}>
        ${i18n.t('confirmDelete')}
      </button>
    </div>
  </dialog>`;
}
