/**
 * The local stack for the widget's browser journeys: the Genesys sandbox org, the das-Peak emulator
 * and the backend (startLocalStack, provisioned as `npm start` does), serving a widget built for
 * this run into a temp folder, and Debian's chromium through playwright-core.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../../../src/sandbox/stack.js';
import { buildWidget } from '../../../../widget/build.js';
import { agentToken, createWidgetClient } from '../../../server/helpers/genesys.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const browserMissing = !existsSync(CHROMIUM);

const HERE = fileURLToPath(new URL('.', import.meta.url));
const VOICES = fileURLToPath(new URL('../../../fixtures/voices/', import.meta.url));
const SEED_UTILS = fileURLToPath(new URL('../../../fixtures/widget/seed-utils.js', import.meta.url));
const REPO_UTILS = fileURLToPath(new URL('../../../../widget/utils.js', import.meta.url));
/** Screenshots of each state (gitignored). */
export const SHOTS_DIR = fileURLToPath(new URL('../../../../test-results/widget/', import.meta.url));

export interface WidgetStackOptions {
  /** Edits the stack's config values before they are parsed (signalling, requireConsent…). */
  configure?: (values: Record<string, unknown>) => void;
}

export interface WidgetStack {
  stack: LocalStack;
  browser: Browser;
  /** The backend's URL, ending in a slash (the widget is served below it). */
  base: string;
  dir: string;
  /** An implicit-grant client of the sandbox org, for tests that hand the agent's token over. */
  staticClientId: string;
  agentToken(email?: string): Promise<string>;
  /** A sandbox call of `ani` answered by `agent`, streaming `voice` (a fixture file) over Audiohook. */
  placeCall(options: CallOptions): Promise<string>;
  hangup(conversationId: string): Promise<void>;
  /** das-Peak's Socket.IO becomes unreachable (connections cut and refused); audio still flows. */
  daspeakSignallingDown(): void;
  close(): Promise<void>;
}

export interface CallOptions {
  ani: string;
  /** e.g. `alice-register`; silence (a tone) when left out. */
  voice?: string;
  agent?: string;
  /** Audio speed (1 = real time). */
  speed?: number;
  /** The call enters this inbound call flow first (the kit's published IVR); the agent answers after its transfer. */
  flow?: string;
  /** Key presses for the flow's menus. */
  dtmf?: string[];
}

const calls = new Map<string, string>();

/**
 * A TCP relay in front of das-Peak's Socket.IO (config daspeak.socketio.url points at it), so a test
 * can make the signalling channel unreachable while the calls' audio keeps flowing.
 */
export async function signallingRelay(): Promise<{
  port: number;
  target(port: number): void;
  takeDown(): void;
  close(): Promise<void>;
}> {
  let targetPort = 0;
  let down = false;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (down || targetPort === 0) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    open.add(client);
    open.add(upstream);
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    target: (port) => (targetPort = port),
    takeDown() {
      down = true;
      for (const s of open) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function startWidgetStack(options: WidgetStackOptions = {}): Promise<WidgetStack> {
  const relay = await signallingRelay();
  const dir = mkdtempSync(join(tmpdir(), 'daspeak-widget-e2e-'));
  const dist = join(dir, 'dist');
  await buildWidget({ outdir: dist });
  await build({
    entryPoints: [join(HERE, '../fixtures/static-platform.ts')],
    outfile: join(dist, 'static-platform.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'warning',
  });
  copyFileSync(REPO_UTILS, join(dir, 'utils.js'));
  const stack = await startLocalStack({
    genesysPort: 0,
    daspeakPort: 0,
    backendPort: 0,
    provision: true,
    dataDir: join(dir, 'data'),
    cwd: dir,
    widgetDir: dir,
    configure: (values) => {
      const socketio = (values.daspeak as Record<string, Record<string, unknown>>).socketio!;
      const url = new URL(String(socketio.url));
      if (url.port !== String(relay.port)) relay.target(Number(url.port));
      url.port = String(relay.port);
      socketio.url = url.origin;
      options.configure?.(values);
    },
  });
  const base = stack.backend!.url;
  writeStaticPages(dist, base);
  const genesys = stack.genesys!;
  const staticClientId = await createWidgetClient(genesys);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  mkdirSync(SHOTS_DIR, { recursive: true });
  return {
    stack,
    browser,
    base,
    dir,
    staticClientId,
    agentToken: (email) => agentToken(genesys, staticClientId, email),
    async placeCall(call) {
      const audio = call.voice
        ? { wav: readFileSync(join(VOICES, `${call.voice}.wav`)).toString('base64') }
        : { tone: { seconds: 60 } };
      const report = genesys.startCall({
        ani: call.ani,
        queue: 'Support',
        agent: call.agent ?? 'agent@sandbox.example',
        audio,
        speed: call.speed ?? 4,
        keepConnected: true,
        ...(call.flow ? { flow: call.flow, dtmf: call.dtmf ?? [] } : {}),
      });
      calls.set(report.conversationId, report.id);
      // Through a flow, the agent gets the call (and opens the widget) once the IVR has transferred it.
      if (call.flow) await ivrEnded(genesys.url, report.id);
      return report.conversationId;
    },
    async hangup(conversationId) {
      const id = calls.get(conversationId);
      if (id) await fetch(`${genesys.url}/sandbox/calls/${id}/hangup`, { method: 'POST' });
    },
    daspeakSignallingDown: () => relay.takeDown(),
    async close() {
      await browser.close();
      await stack.stop();
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ivrEnded(genesysUrl: string, callId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const report = (await (await fetch(`${genesysUrl}/sandbox/calls/${callId}`)).json()) as {
      ivr?: { state: string };
    };
    if (report.ivr?.state === 'ended') return;
    if (Date.now() > deadline)
      throw new Error(`the IVR of call ${callId} did not end: ${JSON.stringify(report.ivr)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The harness pages: the core element on the static platform, with the kit's or the seed's utils.js. */
function writeStaticPages(dist: string, base: string): void {
  const page = (utils: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>static platform</title><link rel="icon" href="data:,">
<script type="module" src="./static-platform.js"></script></head>
<body><daspeak-static-agent config-src="./config.js" utils-src="${utils}"></daspeak-static-agent></body></html>`;
  writeFileSync(join(dist, 'static.html'), page('./utils.js'));
  writeFileSync(join(dist, 'static-seed.html'), page('./seed-utils.js'));
  const seed = readFileSync(SEED_UTILS, 'utf8').replace("'{{ HOST_URL }}'", JSON.stringify(base));
  writeFileSync(join(dist, 'seed-utils.js'), seed);
}

/** Console errors and page errors of a page, to assert there are none. */
export function watchConsole(page: Page): { errors: string[]; logs: string[] } {
  const seen = { errors: [] as string[], logs: [] as string[] };
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') seen.errors.push(`${m.text()} (${m.location().url})`);
    else seen.logs.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
  return seen;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`) });
}

export const SANDBOX_PASSWORD = 'sandbox-agent-password';

/** The widget page as Genesys opens it, with the Interaction Widget URL's tokens filled in. */
export function widgetUrl(env: WidgetStack, conversationId: string, langTag = 'en-US'): string {
  const q = new URLSearchParams({
    conversationId,
    gcHostOrigin: env.stack.genesys!.url,
    gcTargetEnv: 'sandbox',
    langTag,
  });
  return `${env.base}?${q.toString()}`;
}

/** Signs in on the sandbox org's page in the popup the widget opened. */
export async function signInInPopup(popup: Page, email = 'agent@sandbox.example'): Promise<void> {
  await popup.locator('#username').fill(email);
  await popup.locator('#password').fill(SANDBOX_PASSWORD);
  await popup.locator('#sign-in').click();
  await popup.waitForEvent('close', { timeout: 15_000 });
}

/**
 * Opens the widget page in a new tab of `context` and answers the sign-in popup it opens: the form
 * the first time, nothing later (the org remembers the agent in this browser and answers at once).
 */
export async function openWidget(
  context: BrowserContext,
  url: string,
  email = 'agent@sandbox.example',
): Promise<{ page: Page; seen: ReturnType<typeof watchConsole> }> {
  const page = await context.newPage();
  const seen = watchConsole(page);
  const popupOpened = page.waitForEvent('popup');
  await page.goto(url);
  await answerPopup(await popupOpened, email);
  return { page, seen };
}

/** Signs in on the popup's form when it shows one; waits for the popup to close either way. */
export async function answerPopup(popup: Page, email = 'agent@sandbox.example'): Promise<void> {
  const closed = popup.waitForEvent('close', { timeout: 15_000 });
  const form = popup
    .locator('#username')
    .waitFor({ timeout: 15_000 })
    .then(() => true)
    .catch(() => false);
  if (await Promise.race([closed.then(() => false), form])) await signInInPopup(popup, email);
  else await closed;
}

export const ELEMENT = 'daspeak-streaming-web-agent-genesys';

/**
 * Chromium logs every refused fetch as a failed resource load. These refusals are the protocol
 * working, never script errors, and are the only console errors a journey may show:
 * - 404 of GET database/getCredential: the seed's way of saying "not registered";
 * - 404 of GET api/v1/consent/{ani}: the backend's "no consent recorded yet";
 * - 401 of a backend route after the agent's token expired: how the widget learns it;
 * - Chromium's report that a frame without `allow-popups` may not open the sign-in window, which is
 *   the situation the popups-blocked journey sets up (the widget cannot read its iframe's sandbox).
 */
const EXPECTED_REFUSALS = [
  /^Blocked opening '' in a new window because the request was made in a sandboxed frame whose 'allow-popups' permission is not set/,
  /status of 404 .*\/database\/getCredential\?id=/,
  /status of 404 .*\/api\/v1\/consent\/%2B\d+/,
  /status of 401 .*\/(database\/getCredential\?id=|api\/v1\/credentials\/%2B\d+\/status|token)/,
];

export function unexpectedErrors(errors: string[]): string[] {
  return errors.filter((e) => !EXPECTED_REFUSALS.some((r) => r.test(e)));
}
