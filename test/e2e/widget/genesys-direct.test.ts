/**
 * <daspeak-streaming-web-agent-genesys> on the local stack in direct mode: the agent signs in with
 * PKCE in a popup on the sandbox org, the widget reads the conversation and its caller, and the
 * journeys run through the kit's utils.js.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserMissing,
  ensurePkceWidgetClient,
  screenshot,
  signInInPopup,
  startWidgetStack,
  watchConsole,
  widgetUrl,
  type WidgetStack,
} from './helpers/stack.js';

describe.skipIf(browserMissing && !process.env.CI)('genesys widget, direct mode', () => {
  let env: WidgetStack;
  beforeAll(async () => {
    env = await startWidgetStack();
    await ensurePkceWidgetClient(env);
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  it('signs in through the popup and registers the caller', async () => {
    const ani = '+34600200001';
    const call = await env.placeCall({ ani, voice: 'alice-register', speed: 1 });
    const context = await env.browser.newContext({ viewport: { width: 380, height: 360 } });
    const page = await context.newPage();
    const seen = watchConsole(page);
    const popup = page.waitForEvent('popup');
    await page.goto(widgetUrl(env, call));
    await signInInPopup(await popup);
    const register = page.locator('button[data-action="register"]');
    await register.waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="ani"]').textContent()).toBe(ani);
    await screenshot(page, 'genesys-register');
    await register.click();
    await page.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    await screenshot(page, 'genesys-registered');
    expect(seen.errors.filter((e) => !/404 .*getCredential/.test(e))).toEqual([]);
    await context.close();
    await env.hangup(call);
  }, 60_000);
});
