/**
 * The widget page in a real browser (Debian's chromium through playwright-core): Genesys frames it,
 * the CSP lets it load only its own scripts and reach the backend, utils.js does the seed's work
 * with the agent's token, and a page of another origin cannot frame it.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type TestEnv } from './helpers/env.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REPO_UTILS = fileURLToPath(new URL('../../widget/utils.js', import.meta.url));

/** A page standing in for the Genesys agent UI (or an intruder): it frames the widget URL. */
async function parentPage(): Promise<{ server: Server; origin: string; setFrame(url: string): void }> {
  let frame = '';
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(`<!doctype html><title>parent</title>
<script>window.addEventListener('message', (e) => { window.result = e.data; });</script>
<iframe src="${frame}" width="400" height="300"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setFrame: (url) => (frame = url),
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The built widget, as far as this test needs one: a page and a module that uses utils.js. */
function writeWidget(dir: string): void {
  mkdirSync(join(dir, 'dist'));
  copyFileSync(REPO_UTILS, join(dir, 'utils.js'));
  writeFileSync(
    join(dir, 'dist', 'index.html'),
    `<!doctype html><title>widget</title>
<script>window.inlineRan = true;</script>
<script type="module" src="./app.js"></script>`,
  );
  writeFileSync(
    join(dir, 'dist', 'app.js'),
    `import config from './config.js';
import * as utils from './utils.js';
const params = new URLSearchParams(location.hash.slice(1));
const ani = params.get('ani');
utils.setSession({ accessToken: params.get('token'), conversationId: params.get('conversation') });
try {
  const token = await utils.getTemporaryToken(new URL('token', location.href).href);
  const before = await utils.getCredential(ani);
  await utils.storeCredential(ani, 'browser-credential');
  const after = await utils.getCredential(ani);
  let refused;
  try { await utils.getCredential('+34600999999'); } catch (e) { refused = e.code; }
  parent.postMessage({ ok: true, token, before, after, refused, sioUrl: config.sioUrl, inlineRan: window.inlineRan === true }, '*');
} catch (e) {
  parent.postMessage({ ok: false, code: e.code, message: e.message }, '*');
}`,
  );
}

const browserMissing = !existsSync(CHROMIUM);

describe.skipIf(browserMissing && !process.env.CI)(
  `widget page in chromium${browserMissing ? ' — skipped: no chromium at ' + CHROMIUM : ''}`,
  () => {
    let env: TestEnv;
    let browser: Browser;
    let widgetDir: string;
    let genesysLike: Awaited<ReturnType<typeof parentPage>>;
    let intruder: Awaited<ReturnType<typeof parentPage>>;
    let base: string;

    beforeAll(async () => {
      widgetDir = mkdtempSync(join(tmpdir(), 'daspeak-browser-'));
      writeWidget(widgetDir);
      genesysLike = await parentPage();
      intruder = await parentPage();
      const port = await freePort();
      base = `http://127.0.0.1:${port}/`;
      env = await startEnv('sqlite', {
        backend: { publicUrl: base, allowedOrigins: [genesysLike.origin] },
        server: { port, widgetDir },
      });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    });
    afterAll(async () => {
      await browser?.close();
      await env?.close();
      for (const p of [genesysLike, intruder]) p?.server.close();
      rmSync(widgetDir, { recursive: true, force: true });
    });

    it('runs framed by an allowed origin: token, credential round trip, refusals, no inline script', async () => {
      const ani = '+34666000001';
      const conversationId = await env.conversation(ani);
      const token = await env.agentToken();
      genesysLike.setFrame(`${base}#${new URLSearchParams({ token, conversation: conversationId, ani })}`);
      const page = await browser.newPage();
      try {
        await page.goto(genesysLike.origin);
        await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined);
        const result = await page.evaluate(() => (window as { result?: unknown }).result);
        expect(result).toEqual({
          ok: true,
          token: env.tokens.issued()[0],
          before: null,
          after: 'browser-credential',
          refused: 'ani.mismatch',
          sioUrl: env.config.daspeak.socketio.url,
          inlineRan: false,
        });
      } finally {
        await page.close();
      }
    });

    it('cannot be framed by another origin (frame-ancestors)', async () => {
      intruder.setFrame(base);
      const page = await browser.newPage();
      try {
        const refused = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
        await page.goto(intruder.origin);
        expect((await refused).text()).toContain('frame-ancestors');
      } finally {
        await page.close();
      }
    });
  },
);
