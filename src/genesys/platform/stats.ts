/** Counters of one platform client, for `provision --verbose` and tests. */
export interface PlatformStats {
  /** Calls made through call(), request() and each page of paginate(). */
  calls: number;
  /** HTTP requests sent to the Platform API by method, retries included, logins not. */
  requests: Record<string, number>;
  /** Requests that only read (GET, HEAD, OPTIONS). */
  reads: number;
  /** Requests that change something (POST, PUT, PATCH, DELETE). */
  writes: number;
  /** Attempts repeated after a 429, a 5xx or a network failure. */
  retries: number;
  /** 429 responses received (from the API or the token endpoint). */
  rateLimited: number;
  /** Token requests sent (first login, refreshes and re-logins after a 401). */
  logins: number;
  /** Calls that ended in an error after all retries. */
  failures: number;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class StatsCounter {
  private readonly value: PlatformStats = {
    calls: 0,
    requests: {},
    reads: 0,
    writes: 0,
    retries: 0,
    rateLimited: 0,
    logins: 0,
    failures: 0,
  };

  request(method: string): void {
    const m = method.toUpperCase();
    this.value.requests[m] = (this.value.requests[m] ?? 0) + 1;
    if (READ_METHODS.has(m)) this.value.reads += 1;
    else this.value.writes += 1;
  }

  add(key: 'calls' | 'retries' | 'rateLimited' | 'logins' | 'failures'): void {
    this.value[key] += 1;
  }

  /** A copy, so a caller cannot change the counters. */
  snapshot(): PlatformStats {
    return { ...this.value, requests: { ...this.value.requests } };
  }
}

/**
 * One line for `provision --verbose`, e.g.
 * `Genesys API: 14 requests (11 reads, 3 writes; GET 11, POST 2, PUT 1), 1 login, 2 retries (2 rate-limited), 0 failed calls`.
 */
export function describeStats(stats: PlatformStats): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const methods = Object.entries(stats.requests)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([method, n]) => `${method} ${n}`)
    .join(', ');
  const requests = `${count(stats.reads + stats.writes, 'request', 'requests')} (${stats.reads} reads, ${stats.writes} writes${methods ? `; ${methods}` : ''})`;
  return [
    `Genesys API: ${requests}`,
    count(stats.logins, 'login', 'logins'),
    `${count(stats.retries, 'retry', 'retries')} (${stats.rateLimited} rate-limited)`,
    count(stats.failures, 'failed call', 'failed calls'),
  ].join(', ');
}
