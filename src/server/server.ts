import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KitConfig } from '../config/index.js';
import { createTokenProvider, type TokenProvider } from '../daspeak/index.js';
import { KitError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import {
  describeDatabaseUrl,
  openStore,
  type CredentialStore,
  type OpenStoreOptions,
} from '../store/index.js';
import { createApp, type AppDeps, type BackendApp } from './app.js';
import { systemClock } from './clock.js';

export interface StartServerDeps extends Partial<Omit<AppDeps, 'config'>> {
  /** Overrides backend.listen.host / port (port 0 picks a free one). */
  host?: string;
  port?: number;
  /** Options for openStore when no store is given (directory of relative sqlite: paths, drivers). */
  storeOptions?: OpenStoreOptions;
  /** Apply retention when the server starts, then every purgeIntervalMs (only for a store it opened). */
  purge?: { atStart: boolean; intervalMs?: number };
}

export interface RunningServer {
  /** http://host:port/ as bound (not backend.publicUrl, which is what browsers use). */
  url: string;
  host: string;
  port: number;
  backend: BackendApp;
  store: CredentialStore;
  /** Stops accepting, ends open connections, stops timers; closes the store if this server opened it. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new KitError('server.listen_failed', `cannot listen on ${host}:${port}: ${err.message}`, {
          cause: err,
          ...(err.code === 'EADDRINUSE'
            ? { hint: 'another process uses that port; change backend.listen.port or pass --port' }
            : {}),
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Starts the backend on backend.listen: opens (and migrates) the store unless one is given, creates
 * the das-Peak token provider unless one is given, and serves createApp over node:http.
 */
export async function startServer(config: KitConfig, deps: StartServerDeps = {}): Promise<RunningServer> {
  const logger: Logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const ownsStore = deps.store === undefined;
  const store = deps.store ?? (await openStore(config.backend, { logger, ...deps.storeOptions }));
  let purgeTimer: NodeJS.Timeout | undefined;
  let backend: BackendApp | undefined;
  try {
    if (ownsStore && deps.purge?.atStart) await store.purge();
    const tokenProvider: TokenProvider =
      deps.tokenProvider ??
      createTokenProvider({
        tokenUrl: config.daspeak.auth.tokenUrl,
        clientId: config.daspeak.auth.clientId,
        clientSecret: config.daspeak.auth.clientSecret,
        clock,
        logger,
      });
    backend = createApp({ ...deps, config, store, tokenProvider, clock, logger });
    const server = createServer({ requestTimeout: 30_000, headersTimeout: 20_000 }, backend.handler);
    server.keepAliveTimeout = 65_000;
    backend.attach(server);
    const host = deps.host ?? config.backend.listen.host;
    await listen(server, deps.port ?? config.backend.listen.port, host);
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

    if (ownsStore && deps.purge?.intervalMs) {
      purgeTimer = setInterval(() => {
        store.purge().catch((err: unknown) => {
          logger.warn(
            { code: err instanceof KitError ? err.code : 'unknown' },
            'scheduled retention purge failed',
          );
        });
      }, deps.purge.intervalMs);
      purgeTimer.unref();
    }
    logger.info(
      { url, publicUrl: config.backend.publicUrl, database: describeDatabaseUrl(config.backend.databaseUrl) },
      'backend listening',
    );

    let closing: Promise<void> | undefined;
    const started = backend;
    return {
      url,
      host,
      port,
      backend: started,
      store,
      close() {
        closing ??= (async () => {
          if (purgeTimer) clearInterval(purgeTimer);
          // Relay sockets first: they are long-lived and would hold server.close() open.
          started.close();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
            // In-flight requests get a moment to finish; then the rest are cut.
            setTimeout(() => server.closeAllConnections(), 2_000).unref();
          });
          if (ownsStore) await store.close();
          logger.info({ url }, 'backend stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    if (purgeTimer) clearInterval(purgeTimer);
    backend?.close();
    if (ownsStore) await store.close().catch(() => undefined);
    throw err;
  }
}
