import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../src/sandbox/stack.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../e2e/widget/helpers/stack.js';

export interface DesktopStack {
  stack: LocalStack;
  browser: Browser;
}

/**
 * The local stack as `npm start` runs it (provisioned org, das-Peak emulator, backend) serving the
 * widget files `writeWidget` puts in its folder, and Chromium: started before the file's tests,
 * stopped after them. The returned object is filled once `beforeAll` has run.
 */
export function useDesktopStack(writeWidget: (widgetDir: string) => void | Promise<void>): DesktopStack {
  const env = {} as DesktopStack;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'daspeak-desktop-'));
    const widgetDir = join(dir, 'widget');
    mkdirSync(widgetDir);
    await writeWidget(widgetDir);
    env.stack = await startLocalStack({
      genesysPort: 0,
      daspeakPort: 0,
      backendPort: 0,
      provision: true,
      analysisWorkers: 0,
      cwd: dir,
      dataDir: join(dir, 'data'),
      widgetDir,
    });
    env.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 90_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return env;
}

/** A fresh browser profile on the desktop, collecting the console errors of the page and its frames. */
export async function openDesktop(
  env: DesktopStack,
  query = '',
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${env.stack.genesys!.url}/desktop${query}`);
  await page.waitForSelector('body[data-ready="true"]');
  return { context, page, errors };
}
