/**
 * The agent desktop in Debian's chromium (playwright-core), on the local stack as `npm start` runs it:
 * the org provisioned by the kit, the backend serving a small test widget in place of the real one.
 * A person places a call with a voice, answers it, and the desktop frames the provisioned Interaction
 * Widget for it; the framed page signs the agent in with the Genesys SDK's own `loginPKCEGrant` in a
 * popup (the org's sign-in form), reads the conversation, and toasts through the client-app SDK.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { WIDGET_SANDBOX } from '../../../src/genesys/resources/integration/kind.js';
import { openDesktop as openDesktopOf, useDesktopStack } from './desktop-stack.js';

const require = createRequire(import.meta.url);

/**
 * A stand-in for the widget, using what the real one will: the platform SDK's popup PKCE sign-in
 * (browser build), the client-app SDK (UMD build) for lifecycle and toasts, and config.js.
 */
function writeTestWidget(dir: string): void {
  const dist = join(dir, 'dist');
  mkdirSync(dist, { recursive: true });
  copyFileSync(
    require.resolve('purecloud-platform-client-v2/dist/web-cjs/purecloud-platform-client-v2.min.js'),
    join(dist, 'platform-sdk.js'),
  );
  const appSdk = require.resolve('purecloud-client-app-sdk');
  copyFileSync(
    join(appSdk, '..', 'purecloud-client-app-sdk-c3a00965.min.js'),
    join(dist, 'client-app-sdk.js'),
  );
  writeFileSync(
    join(dist, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>test widget</title>
<link rel="icon" href="data:,">
<script src="./platform-sdk.js"></script>
<script src="./client-app-sdk.js"></script>
<script type="module" src="./app.js"></script>
<button id="sign-in">Sign in</button> <button id="raw-popup">Open a popup</button>
<button id="error-toast">Error toast</button>
<p id="status">loading</p><p id="ani"></p><p id="agent"></p>`,
  );
  writeFileSync(
    join(dist, 'app.js'),
    `import config from './config.js';
const q = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const clientApp = new window.purecloud.apps.ClientApp({ pcOrigin: q.get('gcHostOrigin') });
clientApp.lifecycle.bootstrapped();
const platformClient = window.require('platformClient');
const client = platformClient.ApiClient.instance;
const base = new URL(config.genesysBaseUrl);
client.setGateway({ host: base.hostname, port: base.port, protocol: base.protocol.replace(':', '') });
$('sign-in').addEventListener('click', async () => {
  try {
    const auth = await client.loginPKCEGrant(config.genesysClientId, config.redirectUri, {
      state: q.get('conversationId'),
      authPopupConfiguration: { usePopup: true, popupTimeout: 15000, autoClosePopup: true },
    });
    const conversation = await new platformClient.ConversationsApi().getConversation(auth.state);
    const me = await new platformClient.UsersApi().getUsersMe();
    $('ani').textContent = conversation.participants.find((p) => p.purpose === 'customer').ani;
    $('agent').textContent = me.email;
    $('status').textContent = 'signed in';
    clientApp.alerting.showToastPopup('Signed in', 'caller ' + $('ani').textContent, { type: 'success' });
  } catch (err) {
    $('status').textContent = 'failed: ' + err.message;
  }
});
$('raw-popup').addEventListener('click', () => {
  const w = window.open(config.redirectUri, '_blank');
  $('status').textContent = w ? 'popup opened' : 'popup blocked';
  if (w) w.close();
});
$('error-toast').addEventListener('click', () => {
  clientApp.alerting.showToastPopup('Connection', 'das-Peak is down', { type: 'error', timeout: 0, showCloseButton: true });
});
$('status').textContent = 'ready';
`,
  );
  // The popup's redirect page: hands the code back to the SDK in the opener, as Genesys' pages do.
  writeFileSync(
    join(dist, 'auth-popup.html'),
    `<!doctype html><meta charset="utf-8"><title>signing in</title><link rel="icon" href="data:,">
<script src="./auth-popup.js"></script>`,
  );
  writeFileSync(
    join(dist, 'auth-popup.js'),
    `window.opener.postMessage({ name: 'gc_auth_popup', type: 'message', search: location.search, hash: location.hash }, location.origin);`,
  );
}

const env = useDesktopStack(writeTestWidget);
const openDesktop = (query = '') => openDesktopOf(env, query);

async function placeCall(page: Page, voice: string, ani: string): Promise<string> {
  const before = await page.locator('#calls li').count();
  await page.selectOption('#voice', voice);
  await page.fill('#ani', ani);
  await page.selectOption('#speed', '10');
  await page.click('#place-call');
  await expect.poll(() => page.locator('#calls li').count()).toBe(before + 1);
  return (await page.locator('#calls li').first().getAttribute('data-conversation-id'))!;
}

const frameOf = (page: Page) => page.frameLocator('iframe#interaction-widget');

/** The test widget's Sign in: the SDK's popup shows the org's form, the agent signs in on it. */
async function signInOnTheForm(context: BrowserContext, page: Page): Promise<void> {
  const [popup] = await Promise.all([
    context.waitForEvent('page'),
    frameOf(page).locator('#sign-in').click(),
  ]);
  await popup.waitForSelector('#sign-in-form');
  // The page shows the sandbox password it asks for.
  expect(await popup.locator('#sandbox-password').textContent()).toBe(env.stack.genesys!.agents[0]!.password);
  await popup.fill('#username', env.stack.genesys!.agents[0]!.email);
  await popup.fill('#password', env.stack.genesys!.agents[0]!.password);
  await popup.click('#sign-in');
  await expect
    .poll(() => frameOf(page).locator('#status').textContent(), { timeout: 15_000 })
    .toBe('signed in');
}

describe('the agent desktop', () => {
  it('places a call with a voice, answers it, frames the widget, which signs in in a popup and toasts', async () => {
    const { context, page, errors } = await openDesktop();
    const conversationId = await placeCall(page, 'alice-register', '+34600999001');
    const row = page.locator(`#calls li[data-conversation-id="${conversationId}"]`);
    await expect.poll(() => row.textContent()).toContain('waiting');
    expect(await page.locator(`#hangup-${conversationId}`).isVisible()).toBe(true);

    await page.click(`#answer-${conversationId}`);
    await expect.poll(() => row.textContent()).toContain('answered by Sandbox Agent');
    expect(await page.locator(`#answer-${conversationId}`).isVisible()).toBe(false);

    // The provisioned Interaction Widget, its URL tokens filled in, its sandbox and permissions applied.
    const iframe = page.locator('iframe#interaction-widget');
    await iframe.waitFor();
    const src = new URL((await iframe.getAttribute('src'))!);
    expect(`${src.origin}/`).toBe(env.stack.backend!.url);
    expect(Object.fromEntries(src.searchParams)).toEqual({
      conversationId,
      gcHostOrigin: new URL(env.stack.genesys!.url).origin,
      gcTargetEnv: 'sandbox',
      langTag: 'en-us',
    });
    expect(((await iframe.getAttribute('sandbox')) ?? '').split(' ').sort()).toEqual(
      WIDGET_SANDBOX.split(',').sort(),
    );
    expect(await iframe.getAttribute('allow')).toBe('clipboard-write');
    // The backend's CSP lets the org's desktop frame it; the page ran and told the host it is up.
    await expect.poll(() => frameOf(page).locator('#status').textContent()).toBe('ready');
    await expect.poll(() => iframe.getAttribute('data-bootstrapped')).toBe('true');

    // Sign-in: the SDK opens the org's sign-in page in a popup; the agent signs in there.
    await signInOnTheForm(context, page);
    expect(await frameOf(page).locator('#ani').textContent()).toBe('tel:+34600999001');
    expect(await frameOf(page).locator('#agent').textContent()).toBe(env.stack.genesys!.agents[0]!.email);

    // The toast the widget posted through purecloud-client-app-sdk, shown by the desktop.
    const toast = page.locator('#toasts .toast').first();
    await toast.waitFor();
    expect(await toast.getAttribute('data-type')).toBe('success');
    expect(await toast.textContent()).toContain('caller tel:+34600999001');

    // An error toast stays until closed.
    await frameOf(page).locator('#error-toast').click();
    const error = page.locator('#toasts .toast[data-type="error"]');
    await error.waitFor();
    expect(await error.getAttribute('role')).toBe('alert');
    await error.locator('.toast-close').click();
    await expect.poll(() => error.count()).toBe(0);

    // The language picker fills gcLangTag.
    await page.selectOption('#language', 'es');
    await expect
      .poll(async () => new URL((await iframe.getAttribute('src'))!).searchParams.get('langTag'))
      .toBe('es');

    // The caller says more on the open line; all of it is streamed, signed, over Audiohook to das-Peak
    // (the org's live call report shows what its Audiohook session has sent so far).
    interface Calls {
      entities: {
        conversationId: string;
        voice: string;
        monitored: boolean;
        state: string;
        audioSeconds: number;
        sessions: { result?: { audio: { seconds: number } } }[];
      }[];
    }
    const callOf = async () =>
      ((await (await fetch(`${env.stack.genesys!.url}/sandbox/calls`)).json()) as Calls).entities.find(
        (c) => c.conversationId === conversationId,
      )!;
    const first = await callOf();
    expect(first).toMatchObject({ voice: 'alice-register', monitored: true });
    const sent = async () => (await callOf()).sessions[0]?.result?.audio.seconds ?? 0;
    await expect.poll(sent).toBeGreaterThanOrEqual(first.audioSeconds);
    await page.selectOption('#voice', 'alice-verify-1');
    await page.click(`#speak-${conversationId}`);
    await expect.poll(() => page.locator('#host-log').textContent()).toContain('says alice-verify-1');
    await expect.poll(sent).toBeGreaterThan(first.audioSeconds + 2);
    await page.click(`#hangup-${conversationId}`);
    await expect.poll(() => row.getAttribute('data-state')).toBe('ended');
    expect((await callOf()).state).toBe('ended');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('frames the widget without allow-popups when popups are blocked, and a remembered sign-in needs no form', async () => {
    const { context, page, errors } = await openDesktop('?popups=blocked');
    expect(await page.isChecked('#block-popups')).toBe(true);
    const conversationId = await placeCall(page, 'bruno-verify-1', '+34600999002');
    await page.click(`#answer-${conversationId}`);
    const iframe = page.locator('iframe#interaction-widget');
    await iframe.waitFor();
    const flags = ((await iframe.getAttribute('sandbox')) ?? '').split(' ');
    expect(flags).not.toContain('allow-popups');
    expect(flags).toContain('allow-scripts');
    await expect.poll(() => frameOf(page).locator('#status').textContent()).toBe('ready');
    await frameOf(page).locator('#raw-popup').click();
    expect(await frameOf(page).locator('#status').textContent()).toBe('popup blocked');

    // Popups allowed again: the same browser signs in with the form once, then never again.
    await page.uncheck('#block-popups');
    await expect.poll(async () => (await iframe.getAttribute('sandbox')) ?? '').toContain('allow-popups');
    await expect.poll(() => frameOf(page).locator('#status').textContent()).toBe('ready');
    await signInOnTheForm(context, page);

    // Tokens expire; a new page (the language changed) signs in again through the remembered session,
    // with no form, and reads the conversation with the new token.
    await fetch(`${env.stack.genesys!.url}/sandbox/tokens/expire`, { method: 'POST' });
    await page.selectOption('#language', 'fr');
    await expect.poll(() => frameOf(page).locator('#status').textContent()).toBe('ready');
    await frameOf(page).locator('#sign-in').click();
    await expect
      .poll(() => frameOf(page).locator('#status').textContent(), { timeout: 15_000 })
      .toBe('signed in');
    expect(await frameOf(page).locator('#ani').textContent()).toBe('tel:+34600999002');

    await page.click(`#hangup-${conversationId}`);
    // The one console error is the browser's own report of the popup it blocked on purpose above.
    expect(errors).toEqual([
      expect.stringMatching(/sandboxed frame whose 'allow-popups' permission is not set/),
    ]);
    await context.close();
  });
});
