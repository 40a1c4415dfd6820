/**
 * The Flex desktop's browser code: a minimal Flex host. It plays the part of Twilio Flex UI 2 for a
 * plugin: `window.Twilio.Flex` with what a plugin of this kit uses (Plugins.init, Manager with
 * user.token and token events, TaskHelper, withTaskContext, TaskCanvas.Content, Notifications), on
 * the page's React 17 (`window.React`, `window.ReactDOM`, the externals Flex gives a plugin). The
 * worker signs in (a Flex token from the stand-in), then each call is a task to accept; the selected
 * task's canvas hosts what the plugin added, with the task as Flex gives it.
 *
 * The stand-in serves this function's source as /flex/assets/flex-desktop.js, so it must be
 * self-contained: no imports, no references outside its body.
 */
export function flexDesktopClient(): void {
  type Listener = (...args: unknown[]) => void;
  interface ReactLike {
    createElement(type: unknown, props?: Record<string, unknown> | null, ...children: unknown[]): unknown;
    createContext(value: unknown): { Provider: unknown; Consumer: unknown };
    cloneElement(element: unknown, props: Record<string, unknown>): unknown;
    Fragment: unknown;
  }
  interface ReactDomLike {
    render(element: unknown, container: Element): void;
    unmountComponentAtNode(container: Element): boolean;
  }
  interface TaskSummary {
    taskSid: string;
    callSid: string;
    from: string;
    to: string;
    assignmentStatus: string;
    reservationSid: string | null;
    reservationStatus: string | null;
    workerSid: string | null;
    attributes: Record<string, unknown>;
    call: { status: string; voice: string | null } | null;
    dateCreated: string;
  }
  interface Participant {
    callSid: string;
    participantType: string;
    status: 'joined' | 'left';
    isCurrentWorker: boolean;
  }
  /** Flex UI's ITask, as far as the stand-in can fill it. */
  interface Task {
    sid: string;
    taskSid: string;
    reservationSid: string | null;
    status: string;
    taskStatus: string;
    taskChannelUniqueName: 'voice';
    channelType: 'voice';
    attributes: Record<string, unknown>;
    defaultFrom: string;
    dateCreated: Date;
    conference?: { conferenceSid: string; participants: Participant[]; liveParticipantCount: number };
  }
  interface Fragment {
    element: unknown;
    options: { sortOrder?: number; if?: (props: { task?: Task }) => boolean };
  }
  interface Notification {
    id: string;
    content?: unknown;
    type?: string;
    timeout?: number;
    closeButton?: boolean;
  }
  interface Options {
    workers: { sid: string; identity: string; friendlyName: string }[];
    voices: { name: string; label: string }[];
    defaultVoice: string | null;
    backendUrl: string | null;
    pluginUrl: string;
  }

  const w = window as unknown as {
    React: ReactLike;
    ReactDOM: ReactDomLike;
    Twilio?: { Flex?: unknown };
    flexHost?: unknown;
  };
  const React = w.React;
  const ReactDOM = w.ReactDOM;
  const $ = <T extends HTMLElement>(id: string): T => {
    const node = document.getElementById(id);
    if (!node) throw new Error(`the Flex desktop page has no #${id}`);
    return node as T;
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
  const errorBox = $<HTMLParagraphElement>('desktop-error');
  const hostLog = $<HTMLUListElement>('host-log');
  const showError = (text: string | null) => {
    errorBox.textContent = text ?? '';
    errorBox.hidden = text === null;
  };
  const log = (text: string) => {
    hostLog.prepend(el('li', {}, `${new Date().toLocaleTimeString()} ${text}`));
    while (hostLog.children.length > 30) hostLog.lastElementChild?.remove();
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

  // ---- Flex's event emitter (Manager.events) ----------------------------------------------------
  class Emitter {
    readonly #listeners = new Map<string, Set<Listener>>();
    addListener(event: string, listener: Listener): this {
      if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
      this.#listeners.get(event)!.add(listener);
      return this;
    }
    on(event: string, listener: Listener): this {
      return this.addListener(event, listener);
    }
    removeListener(event: string, listener: Listener): this {
      this.#listeners.get(event)?.delete(listener);
      return this;
    }
    off(event: string, listener: Listener): this {
      return this.removeListener(event, listener);
    }
    emit(event: string, ...args: unknown[]): boolean {
      const set = this.#listeners.get(event);
      for (const l of [...(set ?? [])]) l(...args);
      return (set?.size ?? 0) > 0;
    }
    listenerCount(event: string): number {
      return this.#listeners.get(event)?.size ?? 0;
    }
  }

  // ---- The Manager: the signed-in worker and Flex's token ----------------------------------------
  const manager = {
    user: {
      identity: '',
      token: '',
      roles: ['agent'],
      tokenExpirationDate: new Date(0),
      permissions: {},
    },
    workerClient: undefined as undefined | { sid: string; name: string; attributes: Record<string, unknown> },
    events: new Emitter(),
    serviceConfiguration: { account_sid: '', ui_attributes: {} as Record<string, unknown> },
    strings: {} as Record<string, string>,
  };

  // ---- What a plugin adds and the host renders ---------------------------------------------------
  const fragments: Fragment[] = [];
  const TaskContext = React.createContext({ task: undefined });
  const notifications = new Map<string, Notification>();
  const toasts = $<HTMLDivElement>('notifications');

  const isCallTask = (task: Task | undefined) => task?.taskChannelUniqueName === 'voice';
  const Flex = {
    VERSION: 'stand-in',
    Manager: { getInstance: () => manager, events: manager.events },
    TaskHelper: {
      isCallTask,
      isTaskAccepted: (task: Task | undefined) => task?.status === 'accepted',
      // A live call: an accepted voice task whose customer is still on the line.
      isLiveCall: (task: Task | undefined) =>
        isCallTask(task) &&
        task!.status === 'accepted' &&
        (task!.conference?.participants ?? []).some(
          (p) => p.participantType === 'customer' && p.status === 'joined',
        ),
      getTaskByTaskSid: (sid: string) => tasks.get(sid),
    },
    withTaskContext(Component: unknown) {
      const WithTask = (props: Record<string, unknown>) =>
        React.createElement(TaskContext.Consumer, null, (ctx: Record<string, unknown>) =>
          React.createElement(Component, { ...ctx, ...props }),
        );
      return WithTask;
    },
    TaskCanvas: {
      Content: {
        add(element: unknown, options: Fragment['options'] = {}) {
          fragments.push({ element, options });
          fragments.sort((a, b) => (a.options.sortOrder ?? 0) - (b.options.sortOrder ?? 0));
          renderCanvas();
        },
        remove(key: string) {
          const i = fragments.findIndex((f) => (f.element as { key?: unknown }).key === key);
          if (i >= 0) fragments.splice(i, 1);
          renderCanvas();
        },
      },
    },
    NotificationType: { information: 'information', success: 'success', warning: 'warning', error: 'error' },
    Notifications: {
      registerNotification(n: Notification) {
        notifications.set(n.id, n);
      },
      showNotification(id: string, context?: Record<string, unknown>) {
        const n = notifications.get(id);
        if (!n) return null;
        const toast = el('div', {
          class: `toast toast-${n.type ?? 'information'}`,
          role: n.type === 'error' ? 'alert' : 'status',
          'data-type': n.type ?? 'information',
          'data-notification-id': id,
        });
        const body = el('div', { class: 'toast-body' });
        toast.append(body);
        if (typeof n.content === 'string') body.textContent = n.content;
        else if (n.content)
          ReactDOM.render(React.cloneElement(n.content, { notificationContext: context }), body);
        const close = () => {
          ReactDOM.unmountComponentAtNode(body);
          toast.remove();
        };
        if (n.closeButton || !n.timeout) {
          const button = el('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close' }, '×');
          button.addEventListener('click', close);
          toast.append(button);
        }
        toasts.append(toast);
        if (n.timeout) setTimeout(close, n.timeout);
        log(`notification ${id}: ${toast.textContent ?? ''}`);
        return n;
      },
    },
    Plugins: {
      init(PluginClass: new () => { name?: string; init(flex: unknown, manager: unknown): unknown }) {
        const plugin = new PluginClass();
        log(`plugin ${plugin.name ?? 'unnamed'} loaded`);
        void Promise.resolve(plugin.init(Flex, manager)).then(
          () => {
            document.body.dataset.pluginReady = 'true';
            log(`plugin ${plugin.name ?? ''} initialised`);
          },
          (err: Error) => showError(`the plugin failed to initialise: ${err.message}`),
        );
      },
    },
  };
  w.Twilio = { ...(w.Twilio ?? {}), Flex };

  // ---- Tasks -------------------------------------------------------------------------------------
  const tasks = new Map<string, Task>();
  let selected: string | null = null;
  let lastSeen = '';
  const taskList = $<HTMLUListElement>('tasks');
  const canvas = $<HTMLDivElement>('task-canvas');
  const canvasStatus = $<HTMLParagraphElement>('canvas-status');
  const voiceSelect = $<HTMLSelectElement>('voice');

  function toTask(s: TaskSummary): Task {
    const a = s.attributes;
    const conference = a.conference as { sid?: string; participants?: Record<string, string> } | undefined;
    const live = s.call?.status === 'in-progress';
    const status = s.reservationStatus ?? s.assignmentStatus;
    return {
      sid: s.taskSid,
      taskSid: s.taskSid,
      reservationSid: s.reservationSid,
      status,
      taskStatus: s.assignmentStatus,
      taskChannelUniqueName: 'voice',
      channelType: 'voice',
      attributes: a,
      defaultFrom: typeof a.name === 'string' ? a.name : typeof a.from === 'string' ? a.from : 'Anonymous',
      dateCreated: new Date(s.dateCreated),
      ...(conference?.participants
        ? {
            conference: {
              conferenceSid: conference.sid ?? '',
              participants: Object.entries(conference.participants).map(([type, callSid]) => ({
                callSid,
                participantType: type,
                // The worker's leg joins when the reservation is accepted; the customer's is the call.
                status: (type === 'customer' ? live : live && status === 'accepted') ? 'joined' : 'left',
                isCurrentWorker: type === 'worker',
              })),
              liveParticipantCount: live ? (status === 'accepted' ? 2 : 1) : 0,
            },
          }
        : {}),
    };
  }

  function renderCanvas() {
    const task = selected ? tasks.get(selected) : undefined;
    if (!task) {
      canvasStatus.textContent = 'Select a task to see it here.';
      ReactDOM.render(React.createElement(React.Fragment, null), canvas);
      return;
    }
    canvasStatus.textContent = `Task ${task.sid} · ${task.defaultFrom} · ${task.status}`;
    canvas.dataset.taskSid = task.sid;
    const shown = fragments.filter((f) => !f.options.if || f.options.if({ task }));
    ReactDOM.render(
      React.createElement(
        TaskContext.Provider,
        { value: { task } },
        ...shown.map((f) => React.cloneElement(f.element, { task })),
      ),
      canvas,
    );
  }

  function button(id: string, text: string, onClick: () => Promise<unknown>): HTMLButtonElement {
    const b = el('button', { id, type: 'button' }, text);
    b.addEventListener('click', () => {
      void onClick().then(
        () => showError(null),
        (err: Error) => showError(err.message),
      );
    });
    return b;
  }

  function renderTasks(summaries: TaskSummary[]) {
    const rows = new Map<string, HTMLLIElement>();
    for (const row of Array.from(taskList.querySelectorAll<HTMLLIElement>('li')))
      rows.set(row.dataset.taskSid!, row);
    for (const s of summaries) {
      const task = toTask(s);
      tasks.set(task.sid, task);
      let row = rows.get(task.sid);
      if (!row) {
        row = el('li', { 'data-task-sid': task.sid, 'data-call-sid': s.callSid });
        row.append(
          el('span', { class: 'info' }),
          button(`accept-${task.sid}`, 'Accept', async () => {
            await api('POST', `/sandbox/tasks/${task.sid}/accept`);
            selected = task.sid;
            await refresh();
          }),
          button(`select-${task.sid}`, 'Show', async () => {
            selected = task.sid;
            renderRows();
            renderCanvas();
          }),
          button(`speak-${task.sid}`, 'Caller speaks', async () => {
            await api(
              'POST',
              `/sandbox/calls/${s.callSid}/speak`,
              voiceSelect.value ? { voice: voiceSelect.value } : {},
            );
            log(`the caller of ${s.from} says ${voiceSelect.value || 'nothing'}`);
          }),
          button(`hangup-${task.sid}`, 'Hang up', async () => {
            await api('POST', `/sandbox/calls/${s.callSid}/hangup`);
            await refresh();
          }),
          button(`complete-${task.sid}`, 'Complete', async () => {
            await api('POST', `/sandbox/tasks/${task.sid}/complete`);
            await refresh();
          }),
        );
        taskList.prepend(row);
      }
      row.dataset.status = task.status;
      row.dataset.callStatus = s.call?.status ?? 'unknown';
      row.querySelector('.info')!.textContent =
        `${s.from || 'withheld'} · ${s.call?.voice ?? 'silence'} · task ${task.status} · call ${s.call?.status ?? '?'}`;
      const live = Flex.TaskHelper.isLiveCall(task);
      const show = (name: string, visible: boolean) => {
        (row.querySelector(`#${name}-${CSS.escape(task.sid)}`) as HTMLButtonElement).hidden = !visible;
      };
      show('accept', task.status === 'pending' || task.status === 'reserved');
      show('select', task.status !== 'pending');
      show('speak', s.call?.status === 'in-progress');
      show('hangup', s.call?.status === 'in-progress');
      show('complete', !live && (task.status === 'accepted' || task.status === 'wrapping'));
    }
    renderRows();
  }

  function renderRows() {
    for (const row of Array.from(taskList.querySelectorAll<HTMLLIElement>('li'))) {
      row.classList.toggle('selected', row.dataset.taskSid === selected);
    }
  }

  async function refresh() {
    if (!manager.workerClient) return;
    const { tasks: summaries } = await api<{ tasks: TaskSummary[] }>(
      'GET',
      `/sandbox/tasks?worker=${encodeURIComponent(manager.workerClient.sid)}`,
    );
    const seen = JSON.stringify(summaries);
    if (seen === lastSeen) return;
    lastSeen = seen;
    renderTasks(summaries);
    renderCanvas();
  }

  // ---- Sign-in and the token Flex renews ----------------------------------------------------------
  const workerSelect = $<HTMLSelectElement>('worker');
  const agentStatus = $<HTMLSpanElement>('agent-status');
  let renewTimer: ReturnType<typeof setTimeout> | undefined;

  async function issueToken(): Promise<void> {
    const t = await api<{ token: string; workerSid: string; identity: string; expiresAt: string }>(
      'POST',
      '/sandbox/flex/tokens',
      { worker: workerSelect.value },
    );
    const renewal = manager.user.token !== '';
    manager.user.token = t.token;
    manager.user.identity = t.identity;
    manager.user.tokenExpirationDate = new Date(t.expiresAt);
    document.body.dataset.tokenVersion = String(Number(document.body.dataset.tokenVersion ?? '0') + 1);
    agentStatus.textContent = `Signed in as ${t.identity} (${t.workerSid}); token until ${new Date(t.expiresAt).toLocaleTimeString()}`;
    // As Flex: a new token shortly before this one expires.
    if (renewTimer) clearTimeout(renewTimer);
    const wait = new Date(t.expiresAt).getTime() - Date.now() - 60_000;
    if (wait > 0) renewTimer = setTimeout(() => void issueToken(), Math.min(wait, 2 ** 31 - 1));
    if (renewal) {
      log('Flex renewed its token (tokenUpdated)');
      manager.events.emit('tokenUpdated', { token: t.token, expiration: t.expiresAt });
    }
  }

  function loadPlugin(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const script = el('script', { src: url });
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () =>
        reject(new Error(`the plugin ${url} could not be loaded (run npm run build)`)),
      );
      document.head.append(script);
    });
  }

  async function signIn(options: Options) {
    await issueToken();
    const worker = options.workers.find((x) => x.identity === manager.user.identity)!;
    manager.workerClient = {
      sid: worker.sid,
      name: worker.identity,
      attributes: { full_name: worker.friendlyName },
    };
    $<HTMLButtonElement>('sign-in').hidden = true;
    workerSelect.disabled = true;
    $<HTMLButtonElement>('renew-token').hidden = false;
    $<HTMLFormElement>('call-form').hidden = false;
    document.body.dataset.signedIn = 'true';
    // Flex loads the account's plugins once the agent is signed in.
    await loadPlugin(options.pluginUrl);
    await refresh();
    setInterval(() => void refresh().catch((err: Error) => showError(err.message)), 700);
  }

  async function start() {
    const options = await api<Options>('GET', `/flex/options${location.search}`);
    manager.serviceConfiguration.ui_attributes = options.backendUrl
      ? { daspeak: { backendUrl: options.backendUrl } }
      : {};
    if (!options.backendUrl) showError('No backend: open /flex?backend=<URL of daspeak-genesys serve>');
    workerSelect.replaceChildren(
      ...options.workers.map((x) => el('option', { value: x.identity }, `${x.friendlyName} (${x.identity})`)),
    );
    // Silence: the caller says nothing until "Caller speaks" (pick the voice first).
    voiceSelect.replaceChildren(
      ...options.voices.map((v) => el('option', { value: v.name }, v.label)),
      el('option', { value: '' }, 'silence (speaks later)'),
    );
    const pick = (s: HTMLSelectElement, v: string | null) => {
      if (v !== null && Array.from(s.options).some((o) => o.value === v)) s.value = v;
    };
    pick(workerSelect, query.get('worker'));
    pick(voiceSelect, query.get('voice') ?? options.defaultVoice);
    if (query.get('from')) $<HTMLInputElement>('from').value = query.get('from')!;
    $<HTMLButtonElement>('sign-in').addEventListener('click', () => {
      void signIn(options).catch((err: Error) => showError(err.message));
    });
    $<HTMLButtonElement>('renew-token').addEventListener('click', () => {
      void issueToken().catch((err: Error) => showError(err.message));
    });
    $<HTMLFormElement>('call-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const speed = $<HTMLSelectElement>('speed').value;
      void api<{ callSid: string; taskSid: string }>('POST', '/sandbox/calls', {
        from: $<HTMLInputElement>('from').value.trim(),
        ...(voiceSelect.value ? { voice: voiceSelect.value } : { silent: true }),
        speed: speed === 'max' ? 'max' : Number(speed),
        worker: manager.user.identity,
      })
        .then((placed) => {
          showError(null);
          log(`call ${placed.callSid} from ${$<HTMLInputElement>('from').value} → task ${placed.taskSid}`);
          return refresh();
        })
        .catch((err: Error) => showError(err.message));
    });
    document.body.dataset.ready = 'true';
  }

  void start().catch((err: Error) => showError(err.message));
}

/** The served script: the function above, called. */
export function flexDesktopScript(): string {
  // A transpiler that keeps function names may wrap nested functions in `__name(...)`: a no-op here.
  return `"use strict";\nvar __name = (fn) => fn;\n(${flexDesktopClient.toString()})();\n`;
}
