// Types only: erased from the compiled function, which must stay self-contained.
import type { WidgetFrame } from './widget-frame.js';

/**
 * The agent desktop's browser code. The sandbox serves this function's source as
 * /sandbox/assets/desktop.js (see `desktopScript`), so it must be self-contained: no imports, no
 * references outside its body. It is type-checked and linted with the rest of the kit.
 */
export function desktopClient(): void {
  interface Option {
    name?: string;
    label?: string;
    id?: string;
    email?: string;
    monitored?: boolean;
  }
  interface Options {
    org: { name: string; url: string };
    agents: Option[];
    voices: Option[];
    queues: Option[];
    flows: Option[];
    defaultVoice: string | null;
  }
  interface CallSummary {
    id: string;
    conversationId: string;
    ani: string;
    state: 'active' | 'ended';
    voice?: string;
    queueName?: string;
    flowName?: string;
    monitored: boolean;
    startTime: string;
    agent: { id: string; name: string; state: string } | null;
  }
  interface ClientAppMessage {
    protocol?: unknown;
    action?: unknown;
    title?: unknown;
    message?: unknown;
    type?: unknown;
    timeout?: unknown;
    showCloseButton?: unknown;
    id?: unknown;
  }

  const asText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const $ = <T extends HTMLElement>(id: string): T => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`the desktop page has no #${id}`);
    return el as T;
  };
  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props: Partial<Record<string, string>> = {},
    text?: string,
  ): HTMLElementTagNameMap[K] => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) if (v !== undefined) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const query = new URLSearchParams(location.search);
  const agentSelect = $<HTMLSelectElement>('agent');
  const languageSelect = $<HTMLSelectElement>('language');
  const blockPopups = $<HTMLInputElement>('block-popups');
  const voiceSelect = $<HTMLSelectElement>('voice');
  const aniInput = $<HTMLInputElement>('ani');
  const queueSelect = $<HTMLSelectElement>('queue');
  const flowSelect = $<HTMLSelectElement>('flow');
  const speedSelect = $<HTMLSelectElement>('speed');
  const callList = $<HTMLUListElement>('calls');
  const widgetArea = $<HTMLDivElement>('widget-area');
  const widgetStatus = $<HTMLParagraphElement>('widget-status');
  const toasts = $<HTMLDivElement>('toasts');
  const hostLog = $<HTMLUListElement>('host-log');
  const errorBox = $<HTMLParagraphElement>('desktop-error');

  let selected: string | null = null;
  let frame: HTMLIFrameElement | null = null;
  let frameKey = '';
  const rows = new Map<string, HTMLLIElement>();

  const showError = (text: string | null) => {
    errorBox.textContent = text ?? '';
    errorBox.hidden = text === null;
  };

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : {}) as T & { message?: string };
    if (!res.ok) throw new Error(parsed.message ?? `${method} ${path} answered ${res.status}`);
    return parsed;
  }

  function fill(
    select: HTMLSelectElement,
    items: Option[],
    value: (o: Option) => string,
    label: (o: Option) => string,
  ) {
    select.replaceChildren(...items.map((o) => el('option', { value: value(o) }, label(o))));
  }

  function log(text: string) {
    const item = el('li', {}, `${new Date().toLocaleTimeString()} ${text}`);
    hostLog.prepend(item);
    while (hostLog.children.length > 20) hostLog.lastElementChild?.remove();
  }

  // ---- Toasts: the host side of purecloud-client-app-sdk's alerting.showToastPopup.
  function showToast(m: ClientAppMessage) {
    const type = m.type === 'error' || m.type === 'success' ? m.type : 'info';
    const timeout = typeof m.timeout === 'number' && m.timeout >= 0 ? m.timeout : 7;
    if (typeof m.id === 'string') toasts.querySelector(`[data-toast-id="${CSS.escape(m.id)}"]`)?.remove();
    const toast = el('div', {
      class: `toast toast-${type}`,
      role: type === 'error' ? 'alert' : 'status',
      'data-type': type,
      ...(typeof m.id === 'string' ? { 'data-toast-id': m.id } : {}),
    });
    toast.append(
      el('strong', { class: 'toast-title' }, asText(m.title)),
      el('span', { class: 'toast-message' }, asText(m.message)),
    );
    if (m.showCloseButton === true || timeout === 0) {
      const close = el('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close' }, '×');
      close.addEventListener('click', () => toast.remove());
      toast.append(close);
    }
    toasts.append(toast);
    if (timeout > 0) setTimeout(() => toast.remove(), timeout * 1000);
  }

  window.addEventListener('message', (event: MessageEvent) => {
    if (!frame || event.source !== frame.contentWindow) return;
    const m = event.data as ClientAppMessage;
    if (typeof m !== 'object' || m === null || m.protocol !== 'purecloud-client-apps') return;
    if (m.action === 'showToast') {
      showToast(m);
      log(`toast: ${asText(m.title)}`);
    } else if (m.action === 'bootstrapped') {
      frame.dataset.bootstrapped = 'true';
      log('widget: lifecycle.bootstrapped');
    } else log(`widget asked for ${asText(m.action)} (not supported by the sandbox desktop)`);
  });

  // ---- The Interaction Widget of the selected conversation.
  async function showWidget() {
    if (!selected) return;
    const params = new URLSearchParams({
      conversationId: selected,
      agent: agentSelect.value,
      language: languageSelect.value,
      popups: blockPopups.checked ? 'blocked' : 'allowed',
      targetEnv: query.get('targetEnv') ?? 'sandbox',
    });
    const key = params.toString();
    if (key === frameKey) return;
    frameKey = key;
    try {
      const answer = await api<{ widget: WidgetFrame | null; reason?: string }>(
        'GET',
        `/sandbox/desktop/widget?${key}`,
      );
      if (key !== frameKey) return;
      frame?.remove();
      frame = null;
      if (!answer.widget) {
        widgetStatus.textContent = `No widget: ${answer.reason ?? 'none'}.`;
        return;
      }
      const w = answer.widget;
      const next = el('iframe', {
        id: 'interaction-widget',
        title: w.name,
        sandbox: w.sandbox,
        ...(w.allow ? { allow: w.allow } : {}),
        'data-integration-id': w.integrationId,
        'data-conversation-id': selected,
        src: w.src,
      });
      if (w.bootstrapHook) {
        next.addEventListener('load', () => {
          next.contentWindow?.postMessage({ purecloudEventType: 'bootstrap' }, new URL(w.src).origin);
        });
      }
      frame = next;
      widgetArea.replaceChildren(next);
      widgetStatus.textContent = `${w.name} for the call from ${rows.get(selected)?.dataset.ani ?? ''}`;
    } catch (err) {
      frameKey = '';
      showError((err as Error).message);
    }
  }

  function select(conversationId: string) {
    selected = conversationId;
    for (const [id, row] of rows) row.classList.toggle('selected', id === conversationId);
    void showWidget();
  }

  // ---- Calls.
  function button(id: string, text: string, onClick: () => void): HTMLButtonElement {
    const b = el('button', { id, type: 'button' }, text);
    b.addEventListener('click', onClick);
    return b;
  }

  function renderCall(call: CallSummary) {
    let row = rows.get(call.conversationId);
    if (!row) {
      row = el('li', { 'data-conversation-id': call.conversationId, 'data-call-id': call.id });
      const info = el('span', { class: 'info' });
      const answer = button(`answer-${call.conversationId}`, 'Answer', () => {
        void api('POST', `/sandbox/calls/${call.id}/answer`, { agent: agentSelect.value })
          .then(() => {
            showError(null);
            select(call.conversationId);
            return refresh();
          })
          .catch((err: Error) => showError(err.message));
      });
      const open = button(`select-${call.conversationId}`, 'Show', () => select(call.conversationId));
      const speak = button(`speak-${call.conversationId}`, 'Caller speaks', () => {
        void api(
          'POST',
          `/sandbox/calls/${call.id}/speak`,
          voiceSelect.value ? { audio: { voice: voiceSelect.value } } : {},
        )
          .then(() => {
            showError(null);
            log(`the caller of ${call.ani} says ${voiceSelect.value || 'a tone'}`);
          })
          .catch((err: Error) => showError(err.message));
      });
      const hangup = button(`hangup-${call.conversationId}`, 'Hang up', () => {
        void api('POST', `/sandbox/calls/${call.id}/hangup`)
          .then(() => refresh())
          .catch((err: Error) => showError(err.message));
      });
      row.append(info, answer, open, speak, hangup);
      rows.set(call.conversationId, row);
      callList.prepend(row);
    }
    row.dataset.ani = call.ani;
    row.dataset.state = call.state;
    row.dataset.agentId = call.agent?.id ?? '';
    const who = call.agent
      ? `answered by ${call.agent.name}`
      : call.state === 'active'
        ? 'waiting'
        : 'not answered';
    const where = [call.queueName, call.flowName && `flow ${call.flowName}`].filter(Boolean).join(', ');
    row.querySelector('.info')!.textContent =
      `${call.ani || 'withheld'} · ${call.voice ?? 'tone'} · ${where} · ${call.state} · ${who}` +
      (call.monitored ? ' · audio streamed' : ' · audio not monitored');
    (row.querySelector(`#answer-${CSS.escape(call.conversationId)}`) as HTMLButtonElement).hidden =
      call.state !== 'active' || call.agent !== null;
    (row.querySelector(`#select-${CSS.escape(call.conversationId)}`) as HTMLButtonElement).hidden =
      call.agent === null;
    (row.querySelector(`#speak-${CSS.escape(call.conversationId)}`) as HTMLButtonElement).hidden =
      call.state !== 'active';
    (row.querySelector(`#hangup-${CSS.escape(call.conversationId)}`) as HTMLButtonElement).hidden =
      call.state !== 'active';
  }

  async function refresh() {
    const { entities } = await api<{ entities: CallSummary[] }>('GET', '/sandbox/calls');
    for (const call of [...entities].reverse()) renderCall(call);
  }

  $<HTMLFormElement>('call-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const speed = speedSelect.value === 'max' ? 'max' : Number(speedSelect.value);
    void api<CallSummary>('POST', '/sandbox/calls', {
      ani: aniInput.value.trim(),
      ...(queueSelect.value ? { queue: queueSelect.value } : {}),
      ...(flowSelect.value ? { flow: flowSelect.value } : {}),
      agent: null,
      ...(voiceSelect.value ? { audio: { voice: voiceSelect.value } } : {}),
      speed,
      keepConnected: true,
      continuous: true,
    })
      .then(() => {
        showError(null);
        return refresh();
      })
      .catch((err: Error) => showError(err.message));
  });
  languageSelect.addEventListener('change', () => void showWidget());
  blockPopups.addEventListener('change', () => void showWidget());

  async function start() {
    const o = await api<Options>('GET', '/sandbox/desktop/options');
    if (location.origin !== new URL(o.org.url).origin) {
      showError(`Open the desktop at ${o.org.url}/desktop: the widget trusts that origin only.`);
    }
    fill(
      agentSelect,
      o.agents,
      (a) => a.id ?? '',
      (a) => `${a.label ?? ''} <${a.email ?? ''}>`,
    );
    fill(
      voiceSelect,
      o.voices,
      (v) => v.name ?? '',
      (v) => v.label ?? '',
    );
    if (o.voices.length === 0) voiceSelect.append(el('option', { value: '' }, 'a 440 Hz tone'));
    fill(
      queueSelect,
      o.queues,
      (q) => q.name ?? '',
      (q) => `${q.name ?? ''}${q.monitored ? '' : ' (no audio monitoring)'}`,
    );
    flowSelect.append(...o.flows.map((f) => el('option', { value: f.name ?? '' }, f.name ?? '')));
    const pick = (s: HTMLSelectElement, v: string | null) => {
      if (v !== null && Array.from(s.options).some((opt) => opt.value === v)) s.value = v;
    };
    pick(voiceSelect, query.get('voice') ?? o.defaultVoice);
    pick(queueSelect, query.get('queue') ?? o.queues.find((q) => q.monitored)?.name ?? null);
    pick(agentSelect, query.get('agent'));
    pick(languageSelect, query.get('language'));
    pick(speedSelect, query.get('speed'));
    if (query.get('ani')) aniInput.value = query.get('ani')!;
    blockPopups.checked = query.get('popups') === 'blocked';
    document.body.dataset.ready = 'true';
    await refresh();
    setInterval(() => void refresh().catch((err: Error) => showError(err.message)), 1000);
  }

  void start().catch((err: Error) => showError(err.message));
}

/** The served script: the function above, called. */
export function desktopScript(): string {
  // A transpiler that keeps function names may wrap nested functions in `__name(...)`: a no-op here.
  return `"use strict";\nvar __name = (fn) => fn;\n(${desktopClient.toString()})();\n`;
}
