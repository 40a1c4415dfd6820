import { html, page } from '../pages/html.js';

/** gcLangTag values the desktop offers, as Genesys' agent UI sets them. */
export const DESKTOP_LANGUAGES: readonly { tag: string; label: string }[] = [
  { tag: 'en-us', label: 'English (US)' },
  { tag: 'es', label: 'Español' },
  { tag: 'fr', label: 'Français' },
  { tag: 'de', label: 'Deutsch' },
  { tag: 'pt-br', label: 'Português (Brasil)' },
];

export const DEFAULT_DESKTOP_ANI = '+34600111222';

/** The "Audio speed" field of a desktop's place-a-call form (the Genesys and the Flex desktop). */
export function audioSpeedField() {
  return html`<label
    >Audio speed
    <select id="speed">
      <option value="1">real time</option>
      <option value="2">2×</option>
      <option value="5">5×</option>
      <option value="10">10×</option>
      <option value="max">as fast as possible</option>
    </select></label
  >`;
}

/**
 * The agent desktop: the part of Genesys' agent UI the kit needs. The controls are filled and
 * driven by /sandbox/assets/desktop.js; the ids are stable so browser tests can drive the page.
 */
export function renderDesktopPage(orgName: string, password: string): string {
  return page({
    title: `Agent desktop – ${orgName}`,
    styles: ['/sandbox/assets/desktop.css'],
    scripts: ['/sandbox/assets/desktop.js'],
    body: html`<header class="bar">
        <h1>Agent desktop <span class="org">${orgName}</span></h1>
        <label
          >I am
          <select id="agent" aria-label="Agent"></select
        ></label>
        <label
          >Language
          <select id="language" aria-label="Language (gcLangTag)">
            ${DESKTOP_LANGUAGES.map((l) => html`<option value="${l.tag}">${l.label}</option>`)}
          </select></label
        >
        <label class="switch"><input type="checkbox" id="block-popups" /> Block popups in the widget</label>
      </header>
      <p id="desktop-error" role="alert" hidden></p>
      <main class="desk">
        <section class="panel" aria-labelledby="calls-title">
          <h2 id="calls-title">Calls</h2>
          <form id="call-form" class="place">
            <label
              >Caller voice
              <select id="voice"></select
            ></label>
            <label
              >Caller number (ANI)
              <input id="ani" type="tel" value="${DEFAULT_DESKTOP_ANI}" autocomplete="off"
            /></label>
            <label
              >Queue
              <select id="queue"></select
            ></label>
            <label
              >Inbound flow
              <select id="flow">
                <option value="">none</option>
              </select></label
            >
            ${audioSpeedField()}
            <button id="place-call" type="submit">Place call</button>
          </form>
          <ul id="calls" aria-live="polite"></ul>
          <p class="hint">
            Sign-in password of every sandbox agent: <code id="agent-password">${password}</code>
          </p>
        </section>
        <section class="panel widget" aria-labelledby="widget-title">
          <h2 id="widget-title">Interaction Widget</h2>
          <p id="widget-status">Answer a call to see the widget for it.</p>
          <div id="widget-area"></div>
        </section>
      </main>
      <div id="toasts" aria-live="polite"></div>
      <ul
        id="host-log"
        class="log"
        aria-label="Desktop log: what the widget asked for, what the caller said"
      ></ul>`,
  });
}
