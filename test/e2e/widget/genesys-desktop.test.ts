/**
 * The real thing: the sandbox org's agent desktop (GET /desktop) places a call with a voice, the
 * agent answers, and the desktop frames the provisioned Interaction Widget, our element, with
 * Genesys' URL tokens, the integration's iframe sandbox and the host side of
 * purecloud-client-app-sdk. Relay mode (the default). Toasts, and popups blocked by the iframe sandbox.
 */
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastProblems } from './helpers/a11y.js';
import {
  answerPopup,
  browserMissing,
  screenshot,
  startWidgetStack,
  unexpectedErrors,
  watchConsole,
  type WidgetStack,
} from './helpers/stack.js';

describe.skipIf(browserMissing && !process.env.CI)('genesys widget framed by the agent desktop', () => {
  let env: WidgetStack;
  beforeAll(async () => {
    env = await startWidgetStack();
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  async function desktop(context: BrowserContext, query = ''): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const seen = watchConsole(page);
    await page.goto(`${env.stack.genesys!.url}/desktop${query}`);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, errors: seen.errors };
  }

  async function placeAndAnswer(page: Page, voice: string, ani: string, speed: string): Promise<string> {
    const before = await page.locator('#calls li').count();
    await page.selectOption('#voice', voice);
    await page.fill('#ani', ani);
    await page.selectOption('#speed', speed);
    await page.click('#place-call');
    await expect.poll(() => page.locator('#calls li').count()).toBe(before + 1);
    const id = (await page.locator('#calls li').first().getAttribute('data-conversation-id'))!;
    await page.click(`#answer-${id}`);
    await page.locator('iframe#interaction-widget').waitFor();
    return id;
  }

  const widget = (page: Page): FrameLocator => page.frameLocator('iframe#interaction-widget');

  /** Hangs up unless the call ended by itself (its audio played out). */
  async function hangup(page: Page, id: string): Promise<void> {
    const button = page.locator(`#hangup-${id}`);
    if (await button.isVisible()) await button.click();
  }

  it('registers the caller from the desktop: popup sign-in from the frame, progress, tick, a toast', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 700 } });
    const { page, errors } = await desktop(context);
    const popup = context.waitForEvent('page');
    const call = await placeAndAnswer(page, 'dora-register', '+34600500001', '1');
    await answerPopup(await popup);
    const frame = widget(page);
    const register = frame.locator('button[data-action="register"]');
    await register.waitFor({ timeout: 15_000 });
    expect(await frame.locator('[data-testid="ani"]').textContent()).toBe('+34600500001');
    await register.click();
    await frame.locator('[data-step="collecting"] [role="progressbar"]').waitFor({ timeout: 15_000 });
    await frame.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    const toast = page.locator('#toasts .toast[data-type="success"]').first();
    await toast.waitFor();
    expect(await toast.textContent()).toContain('Voice registered.');
    await expect
      .poll(() => page.locator('iframe#interaction-widget').getAttribute('data-bootstrapped'))
      .toBe('true');
    await screenshot(page, 'desktop-registered');
    expect(unexpectedErrors(errors)).toEqual([]);
    await hangup(page, call);
    await context.close();
  }, 60_000);

  it('an error toast stays until closed (the Spoof error on a replayed recording)', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 700 } });
    const { page, errors } = await desktop(context);
    const popup = context.waitForEvent('page');
    const call = await placeAndAnswer(page, 'dora-register', '+34600500001', '5');
    await answerPopup(await popup);
    const frame = widget(page);
    await frame.locator('button[data-action="authenticate"]').click({ timeout: 15_000 });
    await frame.locator('[data-error="spoof"]').waitFor({ timeout: 20_000 });
    const toast = page.locator('#toasts .toast[data-type="error"]');
    await toast.waitFor();
    expect(await toast.textContent()).toContain('Audio is tagged as pre-recorded voice.');
    await toast.locator('.toast-close').click();
    await expect.poll(() => toast.count()).toBe(0);
    expect(unexpectedErrors(errors)).toEqual([]);
    await hangup(page, call);
    await context.close();
  }, 60_000);

  it('popups blocked by the integration (no allow-popups): a Sign-in button that says what to fix', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 700 } });
    const { page, errors } = await desktop(context, '?popups=blocked');
    const call = await placeAndAnswer(page, 'dora-verify-1', '+34600500001', '5');
    const frame = widget(page);
    await frame.locator('[data-state="sign-in-needed"][data-reason="blocked"]').waitFor({ timeout: 15_000 });
    expect(
      ((await page.locator('iframe#interaction-widget').getAttribute('sandbox')) ?? '').split(' '),
    ).not.toContain('allow-popups');
    await frame.locator('button[data-action="sign-in"]').click();
    const again = frame.locator('[data-state="sign-in-needed"][data-reason="blocked-again"]');
    await again.waitFor();
    expect(await again.textContent()).toContain('allow-popups');
    await screenshot(page, 'desktop-popups-blocked');
    const content = page.frames().find((f) => f.url().startsWith(env.base));
    if (!content) throw new Error('the widget frame is not there');
    expect(await contrastProblems(content, 'daspeak-streaming-web-agent-genesys')).toEqual([]);
    expect(unexpectedErrors(errors)).toEqual([]);
    await hangup(page, call);
    await context.close();
  }, 60_000);
});
