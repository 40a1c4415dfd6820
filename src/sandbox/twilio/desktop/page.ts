import { audioSpeedField, DEFAULT_DESKTOP_ANI } from '../../genesys/desktop/page.js';
import { html, page } from '../../genesys/pages/html.js';

/** The caller number the Flex desktop offers first (the Genesys desktop's). */
export const DEFAULT_FLEX_CALLER = DEFAULT_DESKTOP_ANI;

/**
 * The Flex desktop: the part of Twilio Flex's agent desktop the kit's plugin needs. React 17 and
 * ReactDOM first (the globals Flex gives plugins), then the host script; the plugin is loaded once
 * the worker signs in, as Flex loads an account's plugins. Ids are stable for browser tests.
 */
export function renderFlexDesktopPage(accountSid: string): string {
  return page({
    title: `Flex agent desktop – Twilio stand-in ${accountSid}`,
    styles: ['/flex/assets/flex-desktop.css'],
    body: html`<header class="bar">
        <h1>Flex agent desktop <span class="org">Twilio stand-in · ${accountSid}</span></h1>
        <label
          >Worker
          <select id="worker" aria-label="Worker"></select
        ></label>
        <button id="sign-in" type="button">Sign in</button>
        <button id="renew-token" type="button" hidden>Renew token</button>
        <span id="agent-status" aria-live="polite">Not signed in</span>
      </header>
      <p id="desktop-error" role="alert" hidden></p>
      <main class="desk">
        <section class="panel" aria-labelledby="tasks-title">
          <h2 id="tasks-title">Tasks</h2>
          <form id="call-form" class="place" hidden>
            <label
              >Caller number (from)
              <input id="from" type="tel" value="${DEFAULT_FLEX_CALLER}" autocomplete="off"
            /></label>
            <label
              >Caller voice
              <select id="voice"></select
            ></label>
            ${audioSpeedField()}
            <button id="place-call" type="submit">Place call</button>
          </form>
          <ul id="tasks" aria-live="polite"></ul>
        </section>
        <section class="panel canvas" aria-labelledby="canvas-title">
          <h2 id="canvas-title">Task canvas</h2>
          <p id="canvas-status">Sign in, then accept a task.</p>
          <div id="task-canvas"></div>
        </section>
      </main>
      <div id="notifications" aria-live="polite"></div>
      <ul id="host-log" class="log" aria-label="Desktop log"></ul>
      <script src="/flex/assets/react.js"></script>
      <script src="/flex/assets/react-dom.js"></script>
      <script src="/flex/assets/flex-desktop.js"></script>`,
  });
}
