/**
 * The local stack for the Flex journeys: the das-Peak emulator, the Twilio stand-in (calls stream
 * Media Streams to the emulator; its /flex desktop hosts the plugin built for this run) and the
 * backend with a Twilio config pointing at both, and Debian's chromium through playwright-core.
 * das-Peak's Socket.IO sits behind a TCP relay so a journey can cut the signalling.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { exampleValues } from '../../../../src/config/example.js';
import { parseConfigText } from '../../../../src/config/loader.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../../../src/sandbox/daspeak/index.js';
import { startTwilioSandbox, type TwilioSandbox } from '../../../../src/sandbox/twilio/index.js';
import { kitVoiceCatalog } from '../../../../src/sandbox/voices.js';
import { startServer, type RunningServer } from '../../../../src/server/index.js';
import { buildWidget } from '../../../../widget/build.js';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS_DIR, signallingRelay, watchConsole } from './stack.js';

const REPO_UTILS = fileURLToPath(new URL('../../../../widget/utils.js', import.meta.url));
const HOST = '127.0.0.1';
export const FLEX_ELEMENT = 'daspeak-streaming-web-agent-twilio';

export interface FlexStackOptions {
  /** Edits the config values (the example config's shape) before they are parsed. */
  configure?: (values: Record<string, unknown>) => void;
}

export interface FlexStack {
  daspeak: DaspeakSandbox;
  standIn: TwilioSandbox;
  backend: RunningServer;
  browser: Browser;
  /** The stand-in's Flex desktop with this backend. */
  desktopUrl: string;
  dir: string;
  daspeakSignallingDown(): void;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startFlexStack(options: FlexStackOptions = {}): Promise<FlexStack> {
  const relay = await signallingRelay();
  const dir = mkdtempSync(join(tmpdir(), 'daspeak-flex-e2e-'));
  await buildWidget({ outdir: join(dir, 'dist') });
  copyFileSync(REPO_UTILS, join(dir, 'utils.js'));
  const daspeak = await startDaspeakSandbox({ port: 0, host: HOST, analysisWorkers: 0 });
  relay.target(Number(new URL(daspeak.urls.socketio).port));
  const standIn = await startTwilioSandbox({
    port: 0,
    voices: kitVoiceCatalog(),
    mediaStreamUrl: daspeak.urls.twilio,
    flexDesktop: { widgetDir: dir },
  });
  const port = await freePort();
  const publicUrl = `http://${HOST}:${port}/`;
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const values = exampleValues({
    sandbox: true,
    platform: 'twilio',
    publicUrl,
    databaseUrl: `sqlite:${join(dataDir, 'credentials.db')}`,
    twilioPort: standIn.port,
    twilioAccountSid: standIn.accountSid,
    twilioWorkspaceSid: standIn.workspaceSid,
    mediaStreamUrl: daspeak.urls.twilio,
  });
  (values.twilio as Record<string, unknown>).authToken = standIn.authToken;
  const d = values.daspeak as Record<string, Record<string, unknown>>;
  d.rest!.baseUrl = daspeak.urls.rest;
  d.socketio!.url = `http://${HOST}:${relay.port}`;
  d.auth!.tokenUrl = daspeak.urls.token;
  if (d.audiohook) d.audiohook.connectionUri = daspeak.urls.audiohook;
  (values.backend as Record<string, unknown>).listen = { host: HOST, port };
  options.configure?.(values);
  const config = parseConfigText(stringify(values), 'flex-e2e.yaml', { env: {} }).config;
  const backend = await startServer(config, {
    host: HOST,
    port,
    storeOptions: { baseDir: dataDir },
    purge: { atStart: true },
    widgetDir: dir,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  mkdirSync(SHOTS_DIR, { recursive: true });
  return {
    daspeak,
    standIn,
    backend,
    browser,
    desktopUrl: `${standIn.url}/flex?backend=${encodeURIComponent(backend.url)}`,
    dir,
    daspeakSignallingDown: () => relay.takeDown(),
    async close() {
      await browser.close();
      await backend.close();
      await standIn.close();
      await daspeak.stop();
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Flex desktop signed in as `worker`, the plugin loaded. */
export async function flexDesktop(
  env: FlexStack,
  context: BrowserContext,
  worker = env.standIn.workers[0]!.identity,
  url = env.desktopUrl,
): Promise<{ page: Page; errors: string[]; logs: string[] }> {
  const page = await context.newPage();
  const seen = watchConsole(page);
  await page.goto(`${url}${url.includes('?') ? '&' : '?'}worker=${worker}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('#sign-in');
  await page.waitForSelector('body[data-plugin-ready="true"]');
  return { page, errors: seen.errors, logs: seen.logs };
}

/**
 * A call from `from` to the sandbox number, reserved to the signed-in worker and accepted on the
 * desktop: the widget shows for it. Silent: the caller speaks when the journey says (`speak`).
 */
export async function acceptCall(page: Page, from: string): Promise<{ taskSid: string; callSid: string }> {
  const before = await page.locator('#tasks li').count();
  await page.selectOption('#voice', '');
  await page.fill('#from', from);
  await page.selectOption('#speed', '5');
  await page.click('#place-call');
  await page.locator('#tasks li').nth(before).waitFor();
  const row = page.locator('#tasks li').first();
  const taskSid = (await row.getAttribute('data-task-sid'))!;
  const callSid = (await row.getAttribute('data-call-sid'))!;
  await page.click(`#accept-${taskSid}`);
  await page.locator(`#task-canvas ${FLEX_ELEMENT}`).waitFor();
  return { taskSid, callSid };
}

/** The caller says `voice` (a fixture voice, e.g. alice-register). */
export async function speak(page: Page, taskSid: string, voice: string): Promise<void> {
  await page.selectOption('#voice', voice);
  await page.click(`#speak-${taskSid}`);
}

export async function hangup(page: Page, taskSid: string): Promise<void> {
  const button = page.locator(`#hangup-${taskSid}`);
  if (await button.isVisible()) await button.click();
  await page.locator(`#task-canvas ${FLEX_ELEMENT}`).waitFor({ state: 'detached' });
}

/**
 * Console errors a Flex journey may show: the refusals that are the protocol working (see
 * stack.ts's unexpectedErrors), plus the 401 of the backend's routes after the Flex token expired.
 */
const EXPECTED = [
  /status of 404 .*\/api\/v1\/consent\/%2B\d+/,
  /status of 401 .*\/(api\/v1\/credentials\/%2B\d+\/status|api\/v1\/consent\/%2B\d+|database\/deleteCredential)/,
];

export function unexpectedFlexErrors(errors: string[]): string[] {
  return errors.filter((e) => !EXPECTED.some((r) => r.test(e)));
}
