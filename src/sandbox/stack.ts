import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { SANDBOX } from '../config/defaults.js';
import { exampleValues, renderExample } from '../config/example.js';
import { parseConfigText } from '../config/loader.js';
import type { KitConfig } from '../config/schema.js';
import { silentLogger, type Logger } from '../log.js';
// The local stack is the one place where the sandboxes and the product run side by side: only the
// `sandbox` and `demo` commands (and tests) use it, so product code still never imports a sandbox.
import { startServer, type RunningServer } from '../server/index.js';
import { startDaspeakSandbox, type DaspeakSandbox } from './daspeak/index.js';
import { startGenesysSandbox, type GenesysSandbox } from './genesys/index.js';
import { createOfflineExecutor } from './offline-executor.js';

export interface LocalStackOptions {
  /** Which sandboxes to run (default both). */
  only?: 'genesys' | 'daspeak';
  genesysPort?: number;
  daspeakPort?: number;
  /** Also run the backend on this port (0 = any free one); omitted = no backend. */
  backendPort?: number;
  /** Keep the Genesys org in this JSON file. */
  genesysStateFile?: string;
  rateLimitPerMinute?: number;
  /** Threads that score voices off the main thread (das-Peak emulator); 0 = on the main thread. */
  analysisWorkers?: number;
  /** Where the backend keeps its SQLite database (default .daspeak-genesys/demo under cwd). */
  dataDir?: string;
  cwd?: string;
  logger?: Logger;
}

export interface LocalStack {
  genesys?: GenesysSandbox;
  daspeak?: DaspeakSandbox;
  backend?: RunningServer;
  /** A kit config pointing at what runs (sandbox credentials; nothing secret). */
  config: KitConfig;
  /** The same config as a commented YAML file, for commands run against the stack (`--config`). */
  configYaml: string;
  stop(): Promise<void>;
}

/** The sandbox config with the URLs of what actually listens (ports may be 0 = any). */
function stackConfig(stack: {
  genesysUrl: string;
  daspeak?: DaspeakSandbox;
  backendUrl: string;
  databaseUrl: string;
}) {
  const values = exampleValues({
    sandbox: true,
    publicUrl: stack.backendUrl,
    databaseUrl: stack.databaseUrl,
  });
  const genesys = values.genesys as Record<string, unknown>;
  genesys.baseUrl = stack.genesysUrl;
  if (stack.daspeak) {
    const d = values.daspeak as Record<string, Record<string, unknown>>;
    d.rest!.baseUrl = stack.daspeak.urls.rest;
    d.socketio!.url = stack.daspeak.urls.socketio;
    d.auth!.tokenUrl = stack.daspeak.urls.token;
    d.audiohook!.connectionUri = stack.daspeak.urls.audiohook;
  }
  const port = Number(new URL(stack.backendUrl).port);
  (values.backend as Record<string, unknown>).listen = { host: SANDBOX.host, port };
  return {
    config: parseConfigText(stringify(values), 'local-stack.yaml', { env: {} }).config,
    yaml: renderExample(values),
  };
}

/**
 * Starts the local stack on 127.0.0.1: the Genesys org, the das-Peak emulator and, when asked, the
 * backend on SQLite wired to both — a working system with no configuration at all.
 */
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
    if (options.only !== 'daspeak') {
      genesys = await startGenesysSandbox({
        port: options.genesysPort ?? SANDBOX.genesysPort,
        host: SANDBOX.host,
        logger,
        actionExecutor: createOfflineExecutor(),
        ...(options.genesysStateFile ? { stateFile: resolve(cwd, options.genesysStateFile) } : {}),
        ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
      });
      stoppers.push(() => genesys!.stop());
    }
    if (options.only !== 'genesys') {
      daspeak = await startDaspeakSandbox({
        port: options.daspeakPort ?? SANDBOX.daspeakPort,
        host: SANDBOX.host,
        logger,
        analysisWorkers: options.analysisWorkers ?? 0,
      });
      stoppers.push(() => daspeak!.stop());
    }
    const genesysUrl = genesys?.url ?? `http://${SANDBOX.host}:${SANDBOX.genesysPort}`;
    const dataDir = resolve(cwd, options.dataDir ?? join('.daspeak-genesys', 'demo'));
    const databaseUrl = `sqlite:${join(dataDir, 'credentials.db')}`;
    let backend: RunningServer | undefined;
    let built = stackConfig({
      genesysUrl,
      ...(daspeak ? { daspeak } : {}),
      backendUrl: `http://${SANDBOX.host}:${options.backendPort ?? SANDBOX.backendPort}/`,
      databaseUrl,
    });
    if (options.backendPort !== undefined) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      backend = await startServer(built.config, {
        host: SANDBOX.host,
        port: options.backendPort,
        logger,
        storeOptions: { baseDir: dataDir, logger },
        purge: { atStart: true },
        ...(genesys ? { organizationId: genesys.organizationId } : {}),
      });
      stoppers.push(() => backend!.close());
      // With port 0 the backend's URL is known only now.
      built = stackConfig({
        genesysUrl,
        ...(daspeak ? { daspeak } : {}),
        backendUrl: backend.url,
        databaseUrl,
      });
    }
    return {
      ...(genesys ? { genesys } : {}),
      ...(daspeak ? { daspeak } : {}),
      ...(backend ? { backend } : {}),
      config: built.config,
      configYaml: built.yaml,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
