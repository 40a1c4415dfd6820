/**
 * The widget core on a static platform (told the agent's token and the call in its URL), in direct
 * mode (the seed's design), with the seed's sample utils.js changed only to send the agent's token:
 * register, verify, a wrong voice, a replayed recording, delete. The calls stream the fixture voices
 * over Audiohook from the Genesys sandbox to the das-Peak emulator.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserMissing,
  unexpectedErrors,
  screenshot,
  startWidgetStack,
  watchConsole,
  type WidgetStack,
} from './helpers/stack.js';

describe.skipIf(browserMissing && !process.env.CI)('widget core with the seed utils.js, direct mode', () => {
  let env: WidgetStack;
  beforeAll(async () => {
    env = await startWidgetStack({
      configure: (values) => {
        (values.widget as Record<string, unknown>).signalling = 'direct';
      },
    });
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  async function open(
    call: string,
    ani: string,
  ): Promise<{ page: Page; seen: ReturnType<typeof watchConsole> }> {
    const token = await env.agentToken();
    const page = await env.browser.newPage({ viewport: { width: 380, height: 360 } });
    const seen = watchConsole(page);
    await page.goto(`${env.base}static-seed.html#${new URLSearchParams({ token, call, ani })}`);
    return { page, seen };
  }

  const ani = '+34600100001';

  it('registers alice: progress, a tick, onResponse with the collected audio', async () => {
    const call = await env.placeCall({ ani, voice: 'alice-register', speed: 1 });
    const { page, seen } = await open(call, ani);
    const register = page.locator('button[data-action="register"]');
    await register.waitFor();
    await register.click();
    await page
      .locator('[data-step="collecting"] [role="progressbar"][aria-valuenow]')
      .waitFor({ timeout: 15_000 });
    await page.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => seen.logs).toContain('onResponse {"event":"result-success","audio":"string"}');
    await page.locator('[data-status="registered"]').waitFor();
    await page.locator('button[data-action="authenticate"]').waitFor();
    // The credential is in the backend, and the store wrote who stored it, on which call.
    const store = env.stack.backend!.store;
    const audit = await store.queryAudit({ ani, action: 'credential.store' });
    expect(audit.map((a) => [a.outcome, a.conversationId, a.actor.type])).toEqual([['ok', call, 'agent']]);
    const stored = await store.getCredential({ actor: { type: 'system', id: 'test' } }, ani);
    expect(stored?.credential).toMatch(/.{20,}/);
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it('verifies alice on a new call: a tick, the score, then Re-Authenticate', async () => {
    const call = await env.placeCall({ ani, voice: 'alice-verify-1', speed: 4 });
    const { page, seen } = await open(call, ani);
    await page.locator('button[data-action="authenticate"]').click();
    await page.locator('[data-notice="verified"] [data-testid="tick"]').waitFor({ timeout: 20_000 });
    const status = await page.locator('[data-status="verified"]').textContent();
    expect(status).toMatch(/Verified on this call \(score 0\.\d\d\)/);
    await page.locator('button[data-action="reauthenticate"]').waitFor();
    expect(seen.logs).toContain('onResponse {"event":"result-success","audio":"object"}');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it("bruno on alice's number: the Authentication error", async () => {
    const call = await env.placeCall({ ani, voice: 'bruno-verify-1', speed: 4 });
    const { page, seen } = await open(call, ani);
    await page.locator('button[data-action="authenticate"]').click();
    const error = page.locator('[data-error="authentication"]');
    await error.waitFor({ timeout: 20_000 });
    expect(await error.textContent()).toContain("Audio can't be verified.");
    expect(await page.locator('[data-status="failed"]').count()).toBe(1);
    expect(seen.logs).toContain('onResponse {"event":"result-fail-score","audio":"object"}');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it('the registration audio replayed: the Spoof error', async () => {
    const call = await env.placeCall({ ani, voice: 'alice-register', speed: 4 });
    const { page, seen } = await open(call, ani);
    await page.locator('button[data-action="authenticate"]').click();
    const error = page.locator('[data-error="spoof"]');
    await error.waitFor({ timeout: 20_000 });
    expect(await error.textContent()).toContain('Audio is tagged as pre-recorded voice.');
    expect(seen.logs).toContain('onResponse {"event":"result-fail-spoof","audio":"object"}');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);

  it('deletes after a confirmation (cancel first), back to Register', async () => {
    const call = await env.placeCall({ ani });
    const { page, seen } = await open(call, ani);
    await page.locator('button[data-action="delete"]').click();
    const dialog = page.locator('dialog[data-testid="confirm-delete"]');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.textContent()).toContain(ani);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-status="registered"]').waitFor();
    await page.locator('button[data-action="delete"]').click();
    await page.locator('button[data-action="confirm-delete"]').click();
    await page.locator('[data-notice="deleted"]').waitFor();
    await page.locator('button[data-action="register"]').waitFor();
    await screenshot(page, 'seed-deleted');
    expect(unexpectedErrors(seen.errors)).toEqual([]);
    await page.close();
    await env.hangup(call);
  }, 60_000);
});
