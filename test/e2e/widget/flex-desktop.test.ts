/**
 * The widget in Twilio Flex: the stand-in's Flex desktop signs a worker in, each call is a task, and
 * the accepted live call's task canvas hosts the kit's Flex plugin (built for this run as
 * `npm run build` builds it) with the task Flex gives. The caller's voice streams over Twilio Media
 * Streams to the das-Peak emulator; the widget talks to the backend (Twilio config, relay mode) with
 * the worker's Flex token. Journeys by clicks, as for Genesys.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastProblems } from './helpers/a11y.js';
import {
  acceptCall,
  FLEX_ELEMENT,
  flexDesktop,
  hangup,
  speak,
  startFlexStack,
  unexpectedFlexErrors,
  type FlexStack,
} from './helpers/flex-stack.js';
import { browserMissing, screenshot } from './helpers/stack.js';

const widget = (page: Page) => page.locator(`#task-canvas ${FLEX_ELEMENT}`);

describe.skipIf(browserMissing && !process.env.CI)('the widget in the Flex desktop (relay)', () => {
  let env: FlexStack;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const alice = '+34600800001';

  beforeAll(async () => {
    env = await startFlexStack();
    context = await env.browser.newContext({ viewport: { width: 1200, height: 800 } });
    ({ page, errors } = await flexDesktop(env, context));
  }, 90_000);
  afterAll(async () => {
    await env?.close();
  });

  it("registers the caller of a live call: call SID and `from` from the task, the worker's Flex token", async () => {
    const { taskSid, callSid } = await acceptCall(page, alice);
    const w = widget(page);
    expect(await w.locator('[data-testid="ani"]').textContent()).toBe(alice);
    await w.locator('button[data-action="register"]').click();
    await speak(page, taskSid, 'alice-register');
    await w.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 30_000 });
    await w.locator('[data-status="registered"]').waitFor();
    // The backend stored it for the caller of that call, on the worker's say-so.
    const audit = await env.backend.store.queryAudit({ ani: alice, action: 'credential.store' });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0])).toContain(callSid);
    const toast = page.locator('#notifications .toast[data-type="success"]').first();
    await toast.waitFor();
    expect(await toast.textContent()).toContain('Voice registered.');
    expect(await contrastProblems(page, `#task-canvas ${FLEX_ELEMENT}`)).toEqual([]);
    await screenshot(page, 'flex-registered');
    await hangup(page, taskSid);
    expect(unexpectedFlexErrors(errors)).toEqual([]);
  }, 60_000);

  it('authenticates on the next call, re-authenticates on the same call; the next task starts afresh', async () => {
    const { taskSid } = await acceptCall(page, alice);
    const w = widget(page);
    await w.locator('button[data-action="authenticate"]').click({ timeout: 15_000 });
    await speak(page, taskSid, 'alice-verify-1');
    await w.locator('[data-notice="verified"] [data-testid="tick"]').waitFor({ timeout: 30_000 });
    expect(await w.locator('[data-status="verified"]').textContent()).toMatch(/score 0\.\d\d/);
    // Re-Authenticate on the same call: das-Peak closed the call's Media Stream after the first
    // session (as it documents), so the backend starts a new one through Twilio's REST API.
    await w.locator('button[data-action="reauthenticate"]').click();
    await speak(page, taskSid, 'alice-verify-2');
    await w.locator('[data-notice="verified"] [data-testid="tick"]').waitFor({ timeout: 30_000 });
    expect(await w.locator('[data-status="verified"]').textContent()).toMatch(/score 0\.\d\d/);
    await hangup(page, taskSid);
    // The next task: another caller, nothing of the last call's verification.
    const next = await acceptCall(page, '+34600800002');
    await widget(page).locator('button[data-action="register"]').waitFor({ timeout: 15_000 });
    expect(await widget(page).locator('[data-testid="ani"]').textContent()).toBe('+34600800002');
    expect(await widget(page).locator('[data-status="verified"]').count()).toBe(0);
    await hangup(page, next.taskSid);
    expect(unexpectedFlexErrors(errors)).toEqual([]);
  }, 90_000);

  it('a replayed recording is the Spoof error; another voice on her number is the Authentication error', async () => {
    const replay = await acceptCall(page, alice);
    await widget(page).locator('button[data-action="authenticate"]').click({ timeout: 15_000 });
    await speak(page, replay.taskSid, 'alice-register');
    await widget(page).locator('[data-error="spoof"]').waitFor({ timeout: 30_000 });
    const toast = page.locator('#notifications .toast[data-type="error"]').last();
    await toast.waitFor();
    expect(await toast.textContent()).toContain('Audio is tagged as pre-recorded voice.');
    // Error notifications stay until the agent closes them.
    await toast.locator('.toast-close').click();
    await expect.poll(() => page.locator('#notifications .toast[data-type="error"]').count()).toBe(0);
    await hangup(page, replay.taskSid);

    const other = await acceptCall(page, alice);
    await widget(page).locator('button[data-action="authenticate"]').click({ timeout: 15_000 });
    await speak(page, other.taskSid, 'bruno-verify-1');
    await widget(page).locator('[data-error="authentication"]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'flex-no-match');
    await hangup(page, other.taskSid);
    expect(unexpectedFlexErrors(errors)).toEqual([]);
  }, 90_000);

  it('token expiry mid-call: the backend refuses, Flex renews its token, the verification goes on', async () => {
    const { taskSid } = await acceptCall(page, alice);
    const authenticate = widget(page).locator('button[data-action="authenticate"]');
    await authenticate.waitFor({ timeout: 15_000 });
    const expired = await fetch(`${env.standIn.url}/sandbox/flex/tokens/expire`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(expired.ok).toBe(true);
    await authenticate.click();
    await widget(page)
      .locator('[data-state="sign-in-needed"][data-reason="expired"]')
      .waitFor({ timeout: 15_000 });
    // What Flex does before its token runs out: a new one, and the manager's tokenUpdated event.
    await page.click('#renew-token');
    await widget(page).locator('.progress[data-state="running"]').waitFor({ timeout: 15_000 });
    await speak(page, taskSid, 'alice-verify-2');
    await widget(page).locator('[data-notice="verified"] [data-testid="tick"]').waitFor({ timeout: 30_000 });
    await hangup(page, taskSid);
    expect(unexpectedFlexErrors(errors)).toEqual([]);
  }, 60_000);

  it('deletes with a confirmation', async () => {
    const { taskSid } = await acceptCall(page, alice);
    const w = widget(page);
    await w.locator('button[data-action="delete"]').click({ timeout: 15_000 });
    await w.locator('button[data-action="cancel-delete"]').click();
    expect(await w.locator('[data-status="registered"]').count()).toBe(1);
    await w.locator('button[data-action="delete"]').click();
    await w.locator('button[data-action="confirm-delete"]').click();
    await w.locator('button[data-action="register"]').waitFor({ timeout: 15_000 });
    expect(await env.backend.store.queryAudit({ ani: alice, action: 'credential.delete' })).toHaveLength(1);
    await hangup(page, taskSid);
    expect(unexpectedFlexErrors(errors)).toEqual([]);
  }, 60_000);

  it('a plugin without a backend URL is the Configuration error', async () => {
    const bare = await flexDesktop(env, context, env.standIn.workers[1]!.identity, `${env.standIn.url}/flex`);
    const { taskSid } = await acceptCall(bare.page, '+34600800003');
    const error = widget(bare.page).locator('[data-error="configuration"]');
    await error.waitFor({ timeout: 15_000 });
    expect(await error.textContent()).toContain('There is a wrong configuration.');
    expect(bare.logs.some((l) => /config\.js could not be loaded/.test(l))).toBe(true);
    await hangup(bare.page, taskSid);
    await bare.page.close();
  }, 60_000);

  // Last: das-Peak stays unreachable.
  it('das-Peak down: the Connection error', async () => {
    const { taskSid } = await acceptCall(page, alice);
    const register = widget(page).locator('button[data-action="register"]');
    await register.waitFor({ timeout: 15_000 });
    env.daspeakSignallingDown();
    await register.click();
    const error = widget(page).locator('[data-error="connection"]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain('There is an error while connecting with das-Peak Streaming');
    await hangup(page, taskSid);
    expect(unexpectedFlexErrors(errors)).toEqual([]);
  }, 60_000);
});

describe.skipIf(browserMissing && !process.env.CI)('the widget in the Flex desktop, consent required', () => {
  let env: FlexStack;
  beforeAll(async () => {
    env = await startFlexStack({
      configure: (values) => {
        (values.backend as Record<string, unknown>).requireConsent = true;
      },
    });
  }, 90_000);
  afterAll(async () => {
    await env?.close();
  });

  it('refused: Register stays impossible; consented: the registration goes through', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1200, height: 800 } });
    const { page, errors } = await flexDesktop(env, context);
    const ani = '+34600800010';
    const { taskSid, callSid } = await acceptCall(page, ani);
    const w = widget(page);
    const register = w.locator('button[data-action="register"]');
    await register.waitFor({ timeout: 15_000 });
    expect(await register.getAttribute('aria-disabled')).toBe('true');
    expect(await w.locator('[data-testid="register-block"]').textContent()).toContain('consent');
    await w.locator('button[data-action="consent-refused"]').click();
    await w.locator('[data-notice="consentRefusedRecorded"]').waitFor();
    expect((await env.backend.store.getConsent(ani))?.status).toBe('refused');
    expect(await register.getAttribute('aria-disabled')).toBe('true');
    await w.locator('button[data-action="consent-granted"]').click();
    await w.locator('[data-notice="consentRecorded"]').waitFor();
    const granted = await env.backend.store.getConsent(ani);
    expect(granted?.status).toBe('granted');
    expect(granted?.granted?.conversationId).toBe(callSid);
    await register.click();
    await speak(page, taskSid, 'chen-register');
    await w.locator('[data-notice="registered"] [data-testid="tick"]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'flex-consent-registered');
    await hangup(page, taskSid);
    expect(unexpectedFlexErrors(errors)).toEqual([]);
    await context.close();
  }, 90_000);
});
