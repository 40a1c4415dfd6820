import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { SANDBOX } from '../config/defaults.js';
import { exampleValues, renderExample } from '../config/example.js';
import { parseConfigText } from '../config/loader.js';
import type { KitConfig } from '../config/schema.js';
import { isKitError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { provisionDeployment, provisionedOutputs } from '../provision/index.js';
// The local stack is the one place where the sandboxes and the product run side by side: only the
// `sandbox` and `demo` commands (and tests) use it, so product code still never imports a sandbox.
import { startServer, type RunningServer } from '../server/index.js';
import { startDaspeakSandbox, type DaspeakSandbox } from './daspeak/index.js';
import { startGenesysSandbox, type GenesysSandbox } from './genesys/index.js';
import { startTwilioSandbox, type TwilioSandbox } from './twilio/index.js';
import { createOfflineExecutor } from './offline-executor.js';
import { kitVoiceCatalog } from './voices.js';
import { genesysOf } from '../config/platform.js';

export interface LocalStackOptions {
  /** Run only this sandbox (default: the platform's, with the das-Peak emulator). */
  only?: 'genesys' | 'daspeak' | 'twilio';
  /**
   * The platform the stack's config (and the backend) serves: genesys (default; the Genesys org) or
   * twilio (the Twilio stand-in, no Genesys org).
   */
  platform?: 'genesys' | 'twilio';
  /** Also run the Twilio stand-in next to the Genesys org (the `sandbox` command runs all three). */
  twilio?: boolean;
  genesysPort?: number;
  daspeakPort?: number;
  twilioPort?: number;
  /** Also run the backend on this port (0 = any free one); omitted = no backend. */
  backendPort?: number;
  /** Keep the Genesys org in this JSON file. */
  genesysStateFile?: string;
  rateLimitPerMinute?: number;
  /** Threads that score voices off the main thread (das-Peak emulator); 0 = on the main thread. */
  analysisWorkers?: number;
  /** With the backend: provision the sandbox org for it first (OAuth clients, Audiohook, widget, data actions). */
  provision?: boolean;
  /** Where the backend keeps its SQLite database (default .daspeak-genesys/demo under cwd). */
  dataDir?: string;
  /** The widget files the backend serves (default the package's widget/; tests give their own). */
  widgetDir?: string;
  cwd?: string;
  logger?: Logger;
  /** Edits the stack's config values (the example config's shape) before they are parsed. */
  configure?: (values: Record<string, unknown>) => void;
}

export interface LocalStack {
  genesys?: GenesysSandbox;
  daspeak?: DaspeakSandbox;
  twilio?: TwilioSandbox;
  backend?: RunningServer;
  /** A kit config pointing at what runs (sandbox credentials; nothing secret). */
  config: KitConfig;
  /** The same config as a commented YAML file, for commands run against the stack (`--config`). */
  configYaml: string;
  /** Where that file was written (with the backend: in its data directory). */
  configFile?: string;
  stop(): Promise<void>;
}

/** The sandbox config with the URLs of what actually listens (ports may be 0 = any). */
function stackConfig(stack: {
  platform: 'genesys' | 'twilio';
  genesysUrl: string;
  daspeak?: DaspeakSandbox;
  twilio?: TwilioSandbox;
  backendUrl: string;
  databaseUrl: string;
  configure?: ((values: Record<string, unknown>) => void) | undefined;
}) {
  // The sandbox org's seeded Support queue gets audio monitoring once provisioned, so its calls
  // reach das-Peak (simulate --via-genesys).
  const twilio = stack.platform === 'twilio';
  const values = exampleValues({
    sandbox: true,
    publicUrl: stack.backendUrl,
    databaseUrl: stack.databaseUrl,
    ...(twilio ? { platform: 'twilio' as const } : { queues: ['Support'] }),
  });
  if (!twilio) (values.genesys as Record<string, unknown>).baseUrl = stack.genesysUrl;
  if (stack.daspeak) {
    const d = values.daspeak as Record<string, Record<string, unknown>>;
    d.rest!.baseUrl = stack.daspeak.urls.rest;
    d.socketio!.url = stack.daspeak.urls.socketio;
    d.auth!.tokenUrl = stack.daspeak.urls.token;
    // A Twilio config has no Audiohook section (Twilio streams over Media Streams).
    if (d.audiohook) d.audiohook.connectionUri = stack.daspeak.urls.audiohook;
  }
  if (twilio) {
    const t = values.twilio as Record<string, unknown>;
    if (stack.twilio) t.apiBaseUrl = stack.twilio.url;
    if (stack.daspeak) t.mediaStreamUrl = stack.daspeak.urls.twilio;
  }
  const port = Number(new URL(stack.backendUrl).port);
  (values.backend as Record<string, unknown>).listen = { host: SANDBOX.host, port };
  stack.configure?.(values);
  return {
    config: parseConfigText(stringify(values), 'local-stack.yaml', { env: {} }).config,
    yaml: renderExample(values),
  };
}

/**
 * Starts the local stack on 127.0.0.1: the Genesys org, the das-Peak emulator and, when asked, the
 * backend on SQLite wired to both — a working system with no configuration at all.
 */
/** A port nobody listens on now (the backend binds it a moment later; fine on a developer machine). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, SANDBOX.host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Provisions the sandbox org with the kit's own provisioning, as a user would: the first run stops
 * for the admin's role grant (Genesys' rule), which the sandbox org performs here, and the second run
 * completes. Returns the widget's OAuth client id.
 */
async function provisionLocalOrg(
  genesys: GenesysSandbox,
  config: KitConfig,
  configPath: string,
  logger: Logger,
): Promise<string | undefined> {
  const run = () => provisionDeployment({ config, configPath, logger });
  try {
    await run();
  } catch (err) {
    // The engine wraps the kind's error; the role stop carries the roles the admin must grant.
    // The role ids are in `details.roleIds` of the kind's error, or `details.grant.roleId` of the
    // provisioning's AdminGrantNeeded that wraps it: look along the whole chain.
    const roleIds = new Set<string>();
    for (let cause: unknown = err; isKitError(cause); cause = cause.cause) {
      if (cause.code !== 'provision.role_not_held') continue;
      for (const id of (cause.details?.roleIds as string[] | undefined) ?? []) roleIds.add(id);
      const grant = cause.details?.grant as { roleId?: string } | undefined;
      if (grant?.roleId) roleIds.add(grant.roleId);
    }
    if (roleIds.size === 0) throw err;
    for (const roleId of roleIds)
      genesys.grant({ subject: { type: 'client', id: genesysOf(config).clientId }, roleId });
    await run();
  }
  return provisionedOutputs({ config, configPath })?.widgetClientId;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const logger = options.logger ?? silentLogger;
  const cwd = options.cwd ?? process.cwd();
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stoppers.splice(0).reverse()) await s();
  };
  try {
    let genesys: GenesysSandbox | undefined;
    let daspeak: DaspeakSandbox | undefined;
    let twilio: TwilioSandbox | undefined;
    const platform = options.platform ?? 'genesys';
    const only = options.only;
    if (only ? only === 'genesys' : platform === 'genesys') {
      genesys = await startGenesysSandbox({
        port: options.genesysPort ?? SANDBOX.genesysPort,
        host: SANDBOX.host,
        logger,
        actionExecutor: createOfflineExecutor(),
        voices: kitVoiceCatalog(),
        ...(options.genesysStateFile ? { stateFile: resolve(cwd, options.genesysStateFile) } : {}),
        ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
      });
      stoppers.push(() => genesys!.stop());
    }
    if (only === undefined || only === 'daspeak') {
      daspeak = await startDaspeakSandbox({
        port: options.daspeakPort ?? SANDBOX.daspeakPort,
        host: SANDBOX.host,
        logger,
        analysisWorkers: options.analysisWorkers ?? 0,
      });
      stoppers.push(() => daspeak!.stop());
    }
    // The backend's URL goes into the org (the widget's URL, the OAuth redirect) and the Flex page, so
    // it is fixed before anything is provisioned or started.
    const backendPort =
      options.backendPort === undefined
        ? undefined
        : options.backendPort === 0
          ? await freePort()
          : options.backendPort;
    if (only ? only === 'twilio' : platform === 'twilio' || options.twilio === true) {
      twilio = await startTwilioSandbox({
        ...(backendPort !== undefined
          ? {
              flexDesktop: {
                backendUrl: `http://${SANDBOX.host}:${backendPort}/`,
                ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}),
              },
            }
          : {}),
        port: options.twilioPort ?? SANDBOX.twilioPort,
        host: SANDBOX.host,
        logger,
        voices: kitVoiceCatalog(),
        // Calls stream to the emulator of this stack, or where a separately run one listens.
        mediaStreamUrl:
          daspeak?.urls.twilio ??
          `ws://${SANDBOX.host}:${options.daspeakPort ?? SANDBOX.daspeakPort}${SANDBOX.daspeak.twilioPath}`,
      });
      stoppers.push(() => twilio!.close());
    }
    const genesysUrl = genesys?.url ?? `http://${SANDBOX.host}:${SANDBOX.genesysPort}`;
    const dataDir = resolve(cwd, options.dataDir ?? join('.daspeak-genesys', 'demo'));
    const databaseUrl = `sqlite:${join(dataDir, 'credentials.db')}`;
    let backend: RunningServer | undefined;
    let configFile: string | undefined;
    let built = stackConfig({
      platform,
      genesysUrl,
      ...(daspeak ? { daspeak } : {}),
      ...(twilio ? { twilio } : {}),
      backendUrl: `http://${SANDBOX.host}:${options.backendPort ?? SANDBOX.backendPort}/`,
      databaseUrl,
      configure: options.configure,
    });
    if (backendPort !== undefined) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const port = backendPort;
      built = stackConfig({
        platform,
        genesysUrl,
        ...(daspeak ? { daspeak } : {}),
        ...(twilio ? { twilio } : {}),
        backendUrl: `http://${SANDBOX.host}:${port}/`,
        databaseUrl,
        configure: options.configure,
      });
      configFile = join(dataDir, 'daspeak-genesys.yaml');
      writeFileSync(configFile, built.yaml, { mode: 0o600 });
      let widgetClientId: string | undefined;
      if (options.provision && genesys && daspeak) {
        widgetClientId = await provisionLocalOrg(genesys, built.config, configFile, logger);
      }
      backend = await startServer(built.config, {
        host: SANDBOX.host,
        port,
        logger,
        storeOptions: { baseDir: dataDir, logger },
        purge: { atStart: true },
        ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}),
        ...(genesys ? { organizationId: genesys.organizationId } : {}),
        ...(widgetClientId ? { widgetClientId } : {}),
      });
      stoppers.push(() => backend!.close());
    }
    return {
      ...(genesys ? { genesys } : {}),
      ...(daspeak ? { daspeak } : {}),
      ...(twilio ? { twilio } : {}),
      ...(backend ? { backend } : {}),
      config: built.config,
      configYaml: built.yaml,
      ...(configFile ? { configFile } : {}),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
