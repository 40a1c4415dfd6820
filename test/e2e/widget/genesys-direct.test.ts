/**
 * <daspeak-streaming-web-agent-genesys> on the local stack in direct mode: the agent signs in with
 * PKCE in a popup on the sandbox org, the widget reads the conversation and its caller, and the
 * journeys run through the kit's utils.js: register, resilience (token expiry mid-call, popups
 * blocked, a new conversation), Spanish, keyboard and contrast, a broken config.js, das-Peak down.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastProblems } from './helpers/a11y.js';
import {
  ELEMENT,
  unexpectedErrors,
  answerPopup,
  browserMissing,
  CHROMIUM,
  CHROMIUM_ARGS,
  openWidget,
  screenshot,
  signInInPopup,
  startWidgetStack,
  watchConsole,
  widgetUrl,
  type WidgetStack,
} from './helpers/stack.js';

/** Records what the widget's live region announces, in order. */
async function recordAnnouncements(page: Page): Promise<() => Promise<string[]>> {
  await page.locator(ELEMENT).evaluate((el) => {
    const live = el.shadowRoot!.querySelector('[aria-live]')!;
    const seen: string[] = [];
    (window as unknown as { announced: string[] }).announced = seen;
    new MutationObserver(() => {
      const text = live.textContent?.trim() ?? '';
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(live, { childList: true, subtree: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { announced: string[] }).announced);
}

describe.skipIf(browserMissing && !process.env.CI)('genesys widget, direct mode', () => {
  let env: WidgetStack;
  let context: BrowserContext;
  const alice = '+34600200001';

  beforeAll(async () => {
    // No cached token verdicts in the backend: an expired token is refused at its next use.
    env = await startWidgetStack({
      configure: (values) => {
        (values.backend as Record<string, unknown>).agentTokenCacheSeconds = 0;
        (values.widget as Record<string, unknown>).signalling = 'direct';
      },
    });
    context = await env.browser.newContext({ viewport: { width: 380, height: 380 } });
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  it('signs in through the popup and registers the caller: progress, tick, contrast', async () => {
    const call = await env.placeCall({ ani: alice, voice: 'alice-register', speed: 1 });
    const page = await context.newPage();
    const seen = watchConsole(page);
    const popup = page.waitForEvent('popup');
    await page.goto(widgetUrl(env, call));
    await signInInPopup(await popup);
    const register = page.locator('button[data-action="register"]');
    await register.waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="ani"]').textContent()).toBe(alice);
    expect(await page.locator('[data-status="not-registered"]').count()).toBe(1);
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'genesys-register');
    const announced = await recordAnnouncements(page);
    // Keyboard: the main button is reachable and Enter starts the registration.
    await register.focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-step="collecting"] [role="progressbar"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[role="status"][aria-live="polite"]').textContent()).toMatch(
      /Net speech|Speech collected/,
    );
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'genesys-progress');
    // A second click while it runs starts nothing.
    await register.click({ force: true });
    await page.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    expect(await announced()).toEqual([
      'Connecting to das-Peak Streaming…',
      "Waiting for the caller's audio…",
      'Net speech collected',
      'Analysing the voice…',
      'Saving the registration…',
      'Voice registered.',
    ]);
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'genesys-registered');
    const sessions = await env.stack.backend!.store.queryAudit({ ani: alice, action: 'credential.store' });
    expect(sessions).toHaveLength(1);
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it('token expiry mid-call: sign in again, the call keeps its state, the verification goes on', async () => {
    const call = await env.placeCall({ ani: alice, voice: 'alice-verify-1', speed: 1 });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    const authenticate = page.locator('button[data-action="authenticate"]');
    await authenticate.waitFor({ timeout: 15_000 });
    const expired = await fetch(`${env.stack.genesys!.url}/sandbox/tokens/expire`, { method: 'POST' });
    expect(expired.ok).toBe(true);
    await authenticate.click();
    const signIn = page.locator('[data-state="sign-in-needed"][data-reason="expired"]');
    await signIn.waitFor({ timeout: 15_000 });
    // The call is still shown while the agent signs in again.
    expect(await page.locator('[data-testid="ani"]').textContent()).toBe(alice);
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'genesys-sign-in-expired');
    const popup = page.waitForEvent('popup');
    await page.locator('button[data-action="sign-in"]').click();
    await answerPopup(await popup);
    await page.locator('[data-notice="verified"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-status="verified"]').textContent()).toMatch(/score 0\.\d\d/);
    await screenshot(page, 'genesys-verified');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it('a new conversation id starts over for that call', async () => {
    const first = await env.placeCall({ ani: alice });
    const bruno = '+34600200002';
    const second = await env.placeCall({ ani: bruno });
    const { page, seen } = await openWidget(context, widgetUrl(env, first));
    await page.locator('button[data-action="authenticate"]').waitFor({ timeout: 15_000 });
    await page.locator(ELEMENT).evaluate((el, id) => el.setAttribute('conversation-id', id), second);
    await page.locator('button[data-action="register"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="ani"]').textContent()).toBe(bruno);
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(first);
    await env.hangup(second);
  }, 60_000);

  it('speaks Spanish when Genesys asks for it ({{gcLangTag}} es-ES)', async () => {
    const call = await env.placeCall({ ani: alice });
    const { page, seen } = await openWidget(context, widgetUrl(env, call, 'es-ES'));
    const button = page.locator('button[data-action="authenticate"]');
    await button.waitFor({ timeout: 15_000 });
    expect((await button.textContent())?.trim()).toBe('Autenticar usuario');
    expect(await page.locator('[data-status="registered"]').textContent()).toContain('Registrado');
    expect(await page.locator(ELEMENT).getAttribute('lang')).toBe('es-ES');
    await screenshot(page, 'genesys-es');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it('popups blocked by the browser: a Sign-in button, and a click signs in', async () => {
    // Chromium's own popup blocker, which playwright turns off by default.
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      ignoreDefaultArgs: ['--disable-popup-blocking'],
    });
    try {
      const call = await env.placeCall({ ani: alice });
      const page = await browser.newPage({ viewport: { width: 380, height: 380 } });
      const seen = watchConsole(page);
      await page.goto(widgetUrl(env, call));
      await page.locator('[data-state="sign-in-needed"][data-reason="blocked"]').waitFor({ timeout: 15_000 });
      expect(await contrastProblems(page, ELEMENT)).toEqual([]);
      await screenshot(page, 'genesys-popup-blocked');
      const popup = page.waitForEvent('popup');
      await page.locator('button[data-action="sign-in"]').click();
      await signInInPopup(await popup);
      await page.locator('button[data-action="authenticate"]').waitFor({ timeout: 15_000 });
      expect(unexpectedErrors(seen.errors)).toEqual([]);
      await env.hangup(call);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('a store that fails after das-Peak registered: the registration is kept, Save again stores it', async () => {
    const chen = '+34600200077';
    // A real fault in the backend's database (SQLite, another connection): every credential insert aborts.
    const db = new Database(join(env.dir, 'data', 'credentials.db'));
    db.exec(
      "create trigger fail_store before insert on credentials begin select raise(abort, 'disk I/O error (test fault)'); end",
    );
    try {
      const call = await env.placeCall({ ani: chen, voice: 'chen-register', speed: 4 });
      const { page, seen } = await openWidget(context, widgetUrl(env, call));
      await page.locator('button[data-action="register"]').click({ timeout: 15_000 });
      const saveAgain = page.locator('button[data-action="save-again"]');
      await saveAgain.waitFor({ timeout: 20_000 });
      await page.getByText('The voice was registered but could not be saved').waitFor();
      // Nothing was stored (the audit row went down with the failed transaction).
      expect(await env.stack.backend!.store.queryAudit({ ani: chen, action: 'credential.store' })).toEqual(
        [],
      );
      // The database recovers; the registration das-Peak returned was kept in the widget, no new session.
      db.exec('drop trigger fail_store');
      await saveAgain.click();
      await page.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 15_000 });
      await page.locator('[data-status="registered"]').waitFor();
      expect(
        await env.stack.backend!.store.queryAudit({ ani: chen, action: 'credential.store', outcome: 'ok' }),
      ).toHaveLength(1);
      const refused = seen.errors.filter((e) => /status of 500 .*\/database\/storeCredential\)$/.test(e));
      expect(refused).toHaveLength(1);
      expect(unexpectedErrors(seen.errors.filter((e) => !refused.includes(e)))).toEqual([]);
      await page.close();
      await env.hangup(call);
    } finally {
      db.exec('drop trigger if exists fail_store');
      db.close();
    }
  }, 60_000);

  it('a broken config.js: the Configuration error, the details in the console', async () => {
    const dist = join(env.dir, 'dist');
    const page = await context.newPage();
    const seen = watchConsole(page);
    const cases = {
      'syntax-config.js': 'export default { sioUrl: ',
      'wrong-config.js': 'export default { sioUrl: "not a url", audioTotalDuration: { register: 5 } };',
    };
    for (const [file, text] of Object.entries(cases)) {
      writeFileSync(join(dist, file), text);
      writeFileSync(
        join(dist, `${file}.html`),
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="./daspeak-streaming-web-agent-genesys.bundle.js"></script></head>
<body><${ELEMENT} config-src="./${file}" utils-src="./utils.js"></${ELEMENT}></body></html>`,
      );
      await page.goto(`${env.base}${file}.html?conversationId=c-1`);
      const error = page.locator('[data-error="configuration"]');
      await error.waitFor({ timeout: 15_000 });
      expect(await error.textContent()).toContain('There is a wrong configuration.');
    }
    expect(seen.logs.some((l) => /config\.js could not be loaded/.test(l))).toBe(true);
    expect(seen.logs.some((l) => /sioUrl must be an http\(s\) URL/.test(l))).toBe(true);
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'genesys-configuration-error');
    // The syntax error itself is reported by the browser when the module is imported.
    expect(
      unexpectedErrors(seen.errors).filter((e) => !/SyntaxError|Unexpected end of input/.test(e)),
    ).toEqual([]);
    await page.close();
  }, 60_000);

  // Last: das-Peak stays unreachable.
  it('das-Peak down: the Connection error', async () => {
    const call = await env.placeCall({ ani: alice });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    await page.locator('button[data-action="authenticate"]').waitFor({ timeout: 15_000 });
    env.daspeakSignallingDown();
    await page.locator('button[data-action="authenticate"]').click();
    const error = page.locator('[data-error="connection"]');
    await error.waitFor({ timeout: 20_000 });
    expect(await error.textContent()).toContain('There is an error while connecting with das-Peak Streaming');
    await page.locator('button[data-action="authenticate"]').waitFor();
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'genesys-connection-error');
    // Chromium reports each refused WebSocket connection itself; nothing else may be logged.
    expect(
      unexpectedErrors(seen.errors).filter(
        (e) => !/^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/socket\.io\/.* failed/.test(e),
      ),
    ).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);
});
