/**
 * Consent in the Genesys widget (direct mode, backend.requireConsent on): the agent records the
 * caller's answer through the backend's consent routes; Register is not possible without a granted
 * consent, nor after a refusal; both are stored with their time and the agent as actor.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastProblems } from './helpers/a11y.js';
import {
  ELEMENT,
  unexpectedErrors,
  browserMissing,
  openWidget,
  screenshot,
  startWidgetStack,
  widgetUrl,
  type WidgetStack,
} from './helpers/stack.js';

describe.skipIf(browserMissing && !process.env.CI)('genesys widget, consent required', () => {
  let env: WidgetStack;
  let context: BrowserContext;
  beforeAll(async () => {
    env = await startWidgetStack({
      configure: (values) => {
        (values.backend as Record<string, unknown>).requireConsent = true;
        (values.widget as Record<string, unknown>).signalling = 'direct';
      },
    });
    context = await env.browser.newContext({ viewport: { width: 380, height: 460 } });
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  it('refused: Register stays impossible; consented: the registration goes through', async () => {
    const ani = '+34600300001';
    const call = await env.placeCall({ ani, voice: 'chen-register', speed: 2 });
    const { page, seen } = await openWidget(context, widgetUrl(env, call));
    const register = page.locator('button[data-action="register"]');
    await register.waitFor({ timeout: 15_000 });
    // No consent yet: Register is disabled and says why.
    expect(await register.getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('[data-testid="register-block"]').textContent()).toContain('consent');
    await register.click({ force: true });
    expect(await page.locator('[data-state="running"]').count()).toBe(0);
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'consent-needed');

    await page.locator('button[data-action="consent-refused"]').click();
    await page.locator('[data-notice="consentRefusedRecorded"]').waitFor();
    expect(await page.locator('[data-consent="refused"]').count()).toBe(1);
    expect(await page.locator('[data-testid="register-block"]').textContent()).toContain('refused');
    expect(await register.getAttribute('aria-disabled')).toBe('true');
    expect(await contrastProblems(page, ELEMENT)).toEqual([]);
    await screenshot(page, 'consent-refused');
    const store = env.stack.backend!.store;
    const refused = await store.getConsent(ani);
    expect(refused?.status).toBe('refused');

    await page.locator('button[data-action="consent-granted"]').click();
    await page.locator('[data-notice="consentRecorded"]').waitFor();
    expect(await page.locator('[data-testid="consent-when"]').textContent()).toMatch(/Caller consented on/);
    expect(await register.getAttribute('aria-disabled')).toBe('false');
    const granted = await store.getConsent(ani);
    expect(granted?.status).toBe('granted');
    expect(granted?.granted?.conversationId).toBe(call);

    await register.click();
    await page.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    expect(await store.queryAudit({ ani, action: 'credential.store' })).toHaveLength(1);
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);
});
