/**
 * The stand-in's Flex desktop (/flex) in Chromium, without a backend: the worker signs in with a
 * Flex token from the stand-in, a call becomes a task, accepting it makes it a live call whose task
 * canvas hosts the kit's Flex plugin (built for this run with widget/build.ts, as `npm run build`
 * builds it) with the task Flex would give it. The widget itself needs the backend: here it says
 * its configuration is missing. The full journeys are in test/e2e/widget/flex-*.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEX_PLUGIN_FILE } from '../../../src/sandbox/twilio/desktop/index.js';
import type { TwilioSandbox } from '../../../src/sandbox/twilio/index.js';
import { buildWidget, flexBundleFile } from '../../../widget/build.js';
import { browserMissing, CHROMIUM, CHROMIUM_ARGS, watchConsole } from '../../e2e/widget/helpers/stack.js';
import { startStandIn, stopAll } from './helpers.js';

const ELEMENT = 'daspeak-streaming-web-agent-twilio';

describe.skipIf(browserMissing && !process.env.CI)('Flex desktop of the Twilio stand-in', () => {
  let dir: string;
  let standIn: TwilioSandbox;
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'daspeak-flex-desktop-'));
    await buildWidget({ outdir: join(dir, 'dist') });
    standIn = await startStandIn({ flexDesktop: { widgetDir: dir } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signedIn(query = ''): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const seen = watchConsole(page);
    await page.goto(`${standIn.url}/flex${query}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#sign-in');
    await page.waitForSelector('body[data-plugin-ready="true"]');
    return { page, errors: seen.errors };
  }

  it('the plugin file name is the one widget/build.ts writes', () => {
    expect(FLEX_PLUGIN_FILE).toBe(flexBundleFile());
  });

  it('signs the worker in, shows a task per call, and hosts the plugin on the accepted live call', async () => {
    const worker = standIn.workers[0]!.identity;
    const { page, errors } = await signedIn(`?worker=${worker}`);
    expect(await page.locator('#agent-status').textContent()).toMatch(
      new RegExp(`^Signed in as ${worker} \\(WK[0-9a-f]{32}\\)`),
    );
    const token = await page.evaluate(
      () =>
        (
          window as unknown as {
            Twilio: { Flex: { Manager: { getInstance(): { user: { token: string } } } } };
          }
        ).Twilio.Flex.Manager.getInstance().user.token,
    );
    const valid = await fetch(`${standIn.url}/v1/Accounts/${standIn.accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${standIn.accountSid}:${standIn.authToken}`).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ token }),
    });
    expect(await valid.json()).toMatchObject({ valid: true, identity: worker });

    await page.fill('#from', '+34600700001');
    await page.click('#place-call');
    const row = page.locator('#tasks li').first();
    await row.waitFor();
    const taskSid = (await row.getAttribute('data-task-sid'))!;
    const callSid = (await row.getAttribute('data-call-sid'))!;
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
    // Reserved, not accepted: not a live call, no widget.
    await page.click(`#accept-${taskSid}`);
    const widget = page.locator(`#task-canvas ${ELEMENT}`);
    await widget.waitFor();
    // The element got the task Flex gives: its call is the customer leg, its caller `from`.
    const given = await widget.evaluate((node) => {
      const flex = (
        node as unknown as {
          flex: {
            task: {
              taskSid: string;
              attributes: { from: string };
              conference: { participants: { callSid: string; participantType: string }[] };
            };
          };
        }
      ).flex;
      return {
        taskSid: flex.task.taskSid,
        from: flex.task.attributes.from,
        customer: flex.task.conference.participants.find((p) => p.participantType === 'customer')?.callSid,
      };
    });
    expect(given).toEqual({ taskSid, from: '+34600700001', customer: callSid });
    // No backend given: the widget says its configuration is wrong (config.js cannot be loaded).
    await widget
      .locator('[data-error="configuration"], [data-state="fatal"]')
      .first()
      .waitFor({ timeout: 10_000 });

    await page.click(`#hangup-${taskSid}`);
    await expect.poll(() => page.locator(`#task-canvas ${ELEMENT}`).count(), { timeout: 10_000 }).toBe(0);
    expect(
      errors.filter((e) => !/config\.js|utils\.js|Failed to fetch dynamically imported module/.test(e)),
    ).toEqual([]);
    await page.close();
  }, 60_000);

  it('Renew token gives Flex a new token and tells listeners (tokenUpdated)', async () => {
    const { page } = await signedIn(`?worker=${standIn.workers[1]!.identity}`);
    const before = await page.evaluate(() => {
      const m = (
        window as unknown as {
          Twilio: {
            Flex: {
              Manager: {
                getInstance(): {
                  user: { token: string };
                  events: { addListener(e: string, l: (p: { token: string }) => void): void };
                };
              };
            };
          };
        }
      ).Twilio.Flex.Manager.getInstance();
      (window as unknown as { updates: string[] }).updates = [];
      m.events.addListener('tokenUpdated', (p) =>
        (window as unknown as { updates: string[] }).updates.push(p.token),
      );
      return m.user.token;
    });
    await page.click('#renew-token');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { updates: string[] }).updates.length))
      .toBe(1);
    const [after] = await page.evaluate(() => (window as unknown as { updates: string[] }).updates);
    expect(after).not.toBe(before);
    await page.close();
  }, 30_000);

  it('a backend that is not a URL is refused with a Twilio-shaped 400 naming the parameter', async () => {
    const res = await fetch(`${standIn.url}/flex/options?backend=nope`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(20001);
    expect(body.message).toContain('backend must be');
  });
});
