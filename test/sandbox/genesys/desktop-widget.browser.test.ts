/**
 * The README's quick start, in Chromium: on the local stack as `npm start` runs it (provisioned org,
 * das-Peak emulator, backend serving the built widget), a person opens the agent desktop, places a
 * call with alice's voice, answers it, signs in in the widget's popup and registers; then places a
 * new call from the same number with another take of alice's voice and verifies it.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildWidget } from '../../../widget/build.js';
import { unexpectedErrors } from '../../e2e/widget/helpers/stack.js';
import { openDesktop, useDesktopStack } from './desktop-stack.js';

const REPO_UTILS = fileURLToPath(new URL('../../../widget/utils.js', import.meta.url));

const env = useDesktopStack(async (dir) => {
  await buildWidget({ outdir: join(dir, 'dist') });
  copyFileSync(REPO_UTILS, join(dir, 'utils.js'));
});

/** Places a call from the desktop and answers it; resolves with the conversation id. */
async function placeAndAnswer(page: Page, voice: string, ani: string): Promise<string> {
  const before = await page.locator('#calls li').count();
  await page.selectOption('#voice', voice);
  await page.fill('#ani', ani);
  await page.selectOption('#speed', '5');
  await page.click('#place-call');
  await expect.poll(() => page.locator('#calls li').count()).toBe(before + 1);
  const conversationId = (await page.locator('#calls li').first().getAttribute('data-conversation-id'))!;
  await page.click(`#answer-${conversationId}`);
  await page.locator(`iframe#interaction-widget[data-conversation-id="${conversationId}"]`).waitFor();
  return conversationId;
}

/**
 * Answers every sign-in popup the widget opens in `context`: the org's form the first time; later the
 * org remembers the agent (or the widget still holds a token) and the popup closes by itself.
 */
function answerSignIns(context: BrowserContext): { popups: () => number } {
  let popups = 0;
  context.on('page', (popup) => {
    popups += 1;
    void popup
      .locator('#sign-in-form')
      .waitFor({ timeout: 20_000 })
      .then(async () => {
        await popup.fill('#username', env.stack.genesys!.agents[0]!.email);
        await popup.fill('#password', env.stack.genesys!.agents[0]!.password);
        await popup.click('#sign-in');
      })
      .catch(() => undefined);
  });
  return { popups: () => popups };
}

describe('the quick start on the agent desktop', () => {
  it('registers alice on one call and verifies her on the next, from the desktop, with the real widget', async () => {
    const { context, page, errors } = await openDesktop(env);
    const ani = '+34600777001';
    const widget = page.frameLocator('iframe#interaction-widget');
    const signIns = answerSignIns(context);

    // Register: the widget signs the agent in in a popup, then Register User.
    const first = await placeAndAnswer(page, 'alice-register', ani);
    const register = widget.locator('button[data-action="register"]');
    await register.waitFor({ timeout: 20_000 });
    await expect.poll(() => register.getAttribute('aria-disabled')).toBe('false');
    await register.click();
    await widget.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 30_000 });
    await page.locator('#toasts .toast[data-type="success"]').first().waitFor();
    expect(signIns.popups()).toBe(1);
    await page.click(`#hangup-${first}`);

    // Verify: a new call from the same number, another take of the same voice.
    const second = await placeAndAnswer(page, 'alice-verify-1', ani);
    const verify = widget.locator('button[data-action="authenticate"]');
    await verify.waitFor({ timeout: 20_000 });
    await expect.poll(() => verify.getAttribute('aria-disabled')).toBe('false');
    await verify.click();
    await widget.locator('[data-notice="verified"]').waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('#toasts .toast[data-type="success"]').last().textContent())
      .toMatch(/0\.\d+/);
    await page.click(`#hangup-${second}`);

    expect(unexpectedErrors(errors)).toEqual([]);
    await context.close();
  }, 120_000);
});
