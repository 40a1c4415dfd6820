import type { KitConfig } from '../../../src/config/index.js';
import type { GenesysSandbox, GenesysSandboxOptions } from '../../../src/sandbox/genesys/index.js';
import { startServer, type RunningServer, type StartServerDeps } from '../../../src/server/index.js';
import { testConfig } from './config.js';
import { createDatabase, type TestDatabase } from './databases.js';
import { agentToken, AGENT, createWidgetClient, startConversation, startGenesys } from './genesys.js';
import { startTokenServer, type TokenServer } from './token-server.js';

export interface EnvOptions {
  /** Extra backend.* config keys. */
  backend?: Record<string, unknown>;
  /** Extra widget.* config keys (signalling defaults to direct in these suites). */
  widget?: Record<string, unknown>;
  organizationId?: string;
  genesys?: GenesysSandboxOptions;
  /** backend.databaseUrl instead of the suite database's own (e.g. through a proxy). */
  databaseUrl?: (db: TestDatabase) => string;
  server?: StartServerDeps;
  tokenExpiresIn?: number;
}

/** Everything one suite talks to, all real servers on 127.0.0.1 port 0. */
export interface TestEnv {
  genesys: GenesysSandbox;
  tokens: TokenServer;
  db: TestDatabase;
  config: KitConfig;
  server: RunningServer;
  /** The backend's bound URL, ending in a slash. */
  base: string;
  widgetClientId: string;
  agentToken(email?: string): Promise<string>;
  /** A connected conversation of `ani` with `agent` (default: the first sandbox agent). */
  conversation(ani: string, agent?: string | null): Promise<string>;
  /** An agent's token and a conversation that agent is on (a caller of its own), for `GET /token`. */
  onCall(email?: string): Promise<{ token: string; conversationId: string }>;
  close(): Promise<void>;
}

let callers = 0;

export async function startEnv(kind: 'sqlite' | 'postgres', options: EnvOptions = {}): Promise<TestEnv> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const genesys = await startGenesys(options.genesys);
    closers.push(() => genesys.stop());
    const tokens = await startTokenServer({ expiresIn: options.tokenExpiresIn ?? 3600 });
    closers.push(() => tokens.close());
    const db = await createDatabase(kind);
    closers.push(() => db.drop());
    const config = testConfig({
      genesysUrl: genesys.url,
      tokenUrl: tokens.tokenUrl,
      databaseUrl: options.databaseUrl ? options.databaseUrl(db) : db.url,
      ...(options.organizationId ? { organizationId: options.organizationId } : {}),
      backend: options.backend ?? {},
      widget: options.widget ?? {},
    });
    const server = await startServer(config, { host: '127.0.0.1', port: 0, ...options.server });
    closers.push(() => server.close());
    const widgetClientId = await createWidgetClient(genesys);
    return {
      genesys,
      tokens,
      db,
      config,
      server,
      base: server.url,
      widgetClientId,
      agentToken: (email = AGENT) => agentToken(genesys, widgetClientId, email),
      conversation: (ani, agent = AGENT) => startConversation(genesys, ani, agent),
      onCall: async (email = AGENT) => ({
        token: await agentToken(genesys, widgetClientId, email),
        conversationId: await startConversation(genesys, `+3469${String(++callers).padStart(7, '0')}`, email),
      }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
