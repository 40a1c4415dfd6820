/**
 * <daspeak-streaming-web-agent-genesys> in relay mode (the default, contract B): das-Peak signalling
 * goes through the backend's Socket.IO with the agent's Genesys token; the browser never holds a
 * das-Peak token nor a credential. Journeys by clicks on the local stack.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastProblems } from './helpers/a11y.js';
import {
  ELEMENT,
  unexpectedErrors,
  answerPopup,
  browserMissing,
  openWidget,
  screenshot,
  startWidgetStack,
  widgetUrl,
  type WidgetStack,
} from './helpers/stack.js';

/** What the page asked of the backend (paths), to show it never fetched a token or a credential. */
function backendPaths(page: Page, base: string): string[] {
  const paths: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(base)) paths.push(new URL(r.url()).pathname);
  });
  return paths;
}

describe.skipIf(browserMissing && !process.env.CI)('genesys widget, relay mode', () => {
  let env: WidgetStack;
  let context: BrowserContext;
  const alice = '+34600400001';

  beforeAll(async () => {
    env = await startWidgetStack({
      configure: (values) => {
        (values.backend as Record<string, unknown>).agentTokenCacheSeconds = 0;
      },
    });
    context = await env.browser.newContext({ viewport: { width: 380, height: 380 } });
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  it('registers alice through the relay: progress, tick, stored by the backend, nothing secret in the browser', async () => {
    const configJs = await (await fetch(`${env.base}config.js`)).text();
    expect(configJs).toContain('"signalling": "relay"');
    const call = await env.placeCall({ ani: alice, voice: 'alice-register', speed: 1 });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    const paths = backendPaths(page, env.base);
    const register = page.locator('button[data-action="register"]');
    await register.waitFor({ timeout: 15_000 });
    await register.click();
    await page.locator('[data-step="collecting"] [role="progressbar"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-status="registered"]').waitFor();
    const store = env.stack.backend!.store;
    expect(await store.queryAudit({ ani: alice, action: 'credential.store' })).toHaveLength(1);
    expect(
      paths.filter((p) => /getCredential|storeCredential|^\/token$|\/api\/v1\/credentials\/[^/]+$/.test(p)),
    ).toEqual([]);
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'relay-registered');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it('verifies alice on a new call; bruno on her number is the Authentication error', async () => {
    const call = await env.placeCall({ ani: alice, voice: 'alice-verify-2', speed: 4 });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    await page.locator('button[data-action="authenticate"]').click();
    await page.locator('[data-notice="verified"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-status="verified"]').textContent()).toMatch(/score 0\.\d\d/);
    await page.close();
    await env.hangup(call);

    const other = await env.placeCall({ ani: alice, voice: 'bruno-verify-2', speed: 4 });
    const second = await openWidget(context, widgetUrl(env, other));
    await second.page.locator('button[data-action="authenticate"]').click();
    await second.page.locator('[data-error="authentication"]').waitFor({ timeout: 20_000 });
    expect(unexpectedErrors([...seen.errors, ...second.seen.errors])).toEqual([]);
    await second.page.close();
    await env.hangup(other);
  }, 60_000);

  it('token expiry: the relay refuses the handshake, the agent signs in again, the verification runs', async () => {
    const call = await env.placeCall({ ani: alice, voice: 'alice-verify-1', speed: 1 });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    const authenticate = page.locator('button[data-action="authenticate"]');
    await authenticate.waitFor({ timeout: 15_000 });
    expect((await fetch(`${env.stack.genesys!.url}/sandbox/tokens/expire`, { method: 'POST' })).ok).toBe(
      true,
    );
    await authenticate.click();
    await page.locator('[data-state="sign-in-needed"][data-reason="expired"]').waitFor({ timeout: 15_000 });
    const popup = page.waitForEvent('popup');
    await page.locator('button[data-action="sign-in"]').click();
    await answerPopup(await popup);
    await page.locator('[data-notice="verified"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it('deletes with a confirmation through the backend', async () => {
    const call = await env.placeCall({ ani: alice });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    await page.locator('button[data-action="delete"]').click();
    await page.locator('button[data-action="confirm-delete"]').click();
    await page.locator('button[data-action="register"]').waitFor({ timeout: 15_000 });
    const store = env.stack.backend!.store;
    expect(await store.queryAudit({ ani: alice, action: 'credential.delete' })).toHaveLength(1);
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it("shows the IVR's result for a call that came through the kit's flow (participant data)", async () => {
    const dora = '+34600400077';
    // The published inbound flow registers dora with no agent (key 1: consent), then transfers to the agent.
    const call = await env.placeCall({
      ani: dora,
      voice: 'dora-register',
      speed: 20,
      flow: 'daspeak Example Inbound',
      dtmf: ['1'],
    });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    const ivr = page.locator('[data-testid="ivr"]');
    await ivr.waitFor({ timeout: 15_000 });
    expect(await ivr.getAttribute('data-ivr')).toBe('registered');
    // The IVR stored the credential through the backend, so the widget offers a verification.
    await page.locator('button[data-action="authenticate"]').waitFor({ timeout: 15_000 });
    expect(await env.stack.backend!.store.queryAudit({ ani: dora, action: 'credential.store' })).toHaveLength(
      1,
    );
    await screenshot(page, 'relay-ivr-result');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  // Last: das-Peak stays unreachable.
  it("das-Peak down: the backend's error-backend is the Connection error", async () => {
    const call = await env.placeCall({ ani: alice, voice: 'alice-register', speed: 1 });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    await page.locator('button[data-action="register"]').waitFor({ timeout: 15_000 });
    env.daspeakSignallingDown();
    await page.locator('button[data-action="register"]').click();
    const error = page.locator('[data-error="connection"]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain('There is an error while connecting with das-Peak Streaming');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);
});
