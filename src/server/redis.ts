import { KitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RedisCommand } from './rate-limit.js';

export interface RedisConnection {
  command: RedisCommand;
  close(): Promise<void>;
}

/** The host:port of a Redis URL, for messages (never the password). */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'redis';
  }
}

/**
 * Connects to the Redis the rate limits are counted in (backend.rateLimit.redisUrl). At start the
 * backend insists on it (a backend that silently counted alone would not enforce the limits it was
 * configured with); later, while Redis is away, commands fail at once instead of queueing (the
 * limits then let requests through) and the client reconnects in the background.
 */
export async function connectRedis(url: string, logger: Logger, timeoutMs = 5_000): Promise<RedisConnection> {
  const where = describeRedisUrl(url);
  // Loaded only when a Redis is configured: every CLI command imports the server module.
  const { createClient } = await import('redis');
  let lastError = '';
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      // At start a failure is final (serve says so and exits); once connected, reconnect for ever.
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(100 * 2 ** retries, 5_000) : cause,
    },
  });
  client.on('error', (err: Error) => {
    if (err.message === lastError) return; // one line per kind of failure, not one per retry
    lastError = err.message;
    logger.warn({ redis: where, reason: err.message }, 'Redis (rate limits) failed');
  });
  client.on('ready', () => {
    connected = true;
    if (lastError !== '') logger.info({ redis: where }, 'Redis (rate limits) is back');
    lastError = '';
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    try {
      client.destroy();
    } catch {
      // already closed by the failed connection
    }
    throw new KitError(
      'server.redis_unavailable',
      `cannot connect to the Redis of the rate limits at ${where}: ${lastError || (err instanceof Error ? err.message : String(err))}`,
      {
        cause: err,
        hint: 'start Redis or fix backend.rateLimit.redisUrl (remove it to count limits per instance)',
      },
    );
  } finally {
    clearTimeout(timer);
  }
  return {
    command: (args) => client.sendCommand(args),
    close: async () => {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };
}
