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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
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
  close(): Promise<void>;
}

export interface CallOptions {
  ani: string;
  /** e.g. `alice-register`; silence (a tone) when left out. */
  voice?: string;
  agent?: string;
  /** Audio speed (1 = real time). */
  speed?: number;
}

const calls = new Map<string, string>();

export async function startWidgetStack(options: WidgetStackOptions = {}): Promise<WidgetStack> {
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
    ...(options.configure ? { configure: options.configure } : {}),
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
      });
      calls.set(report.conversationId, report.id);
      return report.conversationId;
    },
    async hangup(conversationId) {
      const id = calls.get(conversationId);
      if (id) await fetch(`${genesys.url}/sandbox/calls/${id}/hangup`, { method: 'POST' });
    },
    async close() {
      await browser.close();
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
