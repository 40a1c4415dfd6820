/**
 * `npm start` as a person sees it: the built CLI's `demo` in a child process prints the agent desktop
 * first, and the desktop it serves (compiled by tsc, as shipped) runs in Chromium.
 */
import { spawn } from 'node:child_process';
import { Script } from 'node:vm';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/widget/helpers/stack.js';

describe('demo', () => {
  const tmp = useTmpDir();

  it('prints "open <desktop URL>" first; the desktop it serves runs in a browser', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      [
        BIN,
        'demo',
        '--genesys-port',
        '0',
        '--daspeak-port',
        '0',
        '--backend-port',
        '0',
        '--analysis-workers',
        '0',
      ],
      { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 600 && !stdout.includes('press Ctrl+C'); i++)
        await new Promise((r) => setTimeout(r, 50));
      const lines = stdout.split('\n');
      const first = /^open (http:\/\/127\.0\.0\.1:\d+\/desktop)$/.exec(lines[0] ?? '');
      expect(first, stdout).not.toBeNull();
      const desktopUrl = first![1]!;
      expect(lines[2]).toMatch(/password sandbox-agent-password$/);

      const page = await fetch(desktopUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const script = await (await fetch(new URL('/sandbox/assets/desktop.js', desktopUrl))).text();
      expect(() => new Script(script)).not.toThrow();

      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const tab = await browser.newPage();
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        tab.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        await tab.goto(desktopUrl);
        await tab.waitForSelector('body[data-ready="true"]');
        // The demo org is provisioned: its monitored queue is picked, the kit's voices are offered.
        expect(await tab.inputValue('#queue')).toBe('Support');
        expect(await tab.locator('#voice option[value="alice-register"]').count()).toBe(1);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
