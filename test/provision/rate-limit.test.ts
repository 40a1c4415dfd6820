import { afterEach, describe, expect, it } from 'vitest';
import { planDeployment, provisionDeployment } from '../../src/provision/index.js';
import { ManualClock, type GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { useTmpDir } from '../helpers/tmp.js';
import { fastPlatform, kitObjects, opts, provisionReady, startOrg, workspace } from './helpers.js';

/*
 * Provisioning an org that refuses requests: Genesys' per-token limit (300 a minute, or a tiny one to
 * roll its window several times) and bursts of 429 injected in the middle of the run. The platform
 * client's waits move the sandbox's manual clock, so waiting out a Retry-After takes no real time and
 * rolls the rate-limit window exactly as a real wait would.
 */

const running: GenesysSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
const tmp = useTmpDir();

const statusCount = (s: GenesysSandbox, status: string) =>
  s.requestCounts().routes.reduce((n, r) => n + (r.statuses[status] ?? 0), 0);

function complete(s: GenesysSandbox) {
  const o = kitObjects(s);
  return [o.roles.length, o.clients.length, o.credentials.length, o.integrations.length];
}

describe('provision under rate limits', () => {
  it('completes at 300 requests a minute with bursts of 429 on reads and on writes', async () => {
    const clock = new ManualClock();
    const s = await startOrg({ clock, rateLimitPerMinute: 300 });
    running.push(s);
    const ws = workspace(s, tmp());
    const delays: number[] = [];
    // Each wait re-arms the next burst, on other methods, four bursts in all.
    const bursts = [
      { rateLimitNext: 3, retryAfterSeconds: 2, methods: ['POST', 'PUT', 'PATCH'] as const },
      { rateLimitNext: 2, retryAfterSeconds: 1, methods: ['GET'] as const },
      { rateLimitNext: 4, retryAfterSeconds: 3, methods: ['POST'] as const },
    ];
    let waits = 0;
    const base = fastPlatform(clock, delays);
    const platform = {
      ...base,
      sleep: async (ms: number) => {
        await base.sleep!(ms);
        waits++;
        // A burst ends when its 429s are spent; the next one starts at a later call.
        if (waits === 4 || waits === 7 || waits === 9) {
          const next = bursts.shift()!;
          s.setFaults({ ...next, methods: [...next.methods] });
        }
      },
    };
    // The first burst hits the very first requests (the login is not an API request).
    s.setFaults({ rateLimitNext: 4, retryAfterSeconds: 5 });
    await provisionReady(s, ws, { platform });
    expect(complete(s)).toEqual([1, 2, 2, 3]);
    // Every injected 429 was answered, waited out and retried (4 + 3 + 2 + 4).
    expect(statusCount(s, '429')).toBe(13);
    expect(waits).toBe(13);
    expect(delays).toContain(5000);
    expect(delays).toContain(2000);
    // Nothing is half-done: a plan afterwards is empty.
    s.setFaults({});
    expect((await planDeployment(opts(ws, { platform: base }))).report.counts).toMatchObject({
      create: 0,
      update: 0,
      delete: 0,
      conflict: 0,
    });
  });

  it('completes against a tiny per-token limit by waiting out each window, and counts the calls', async () => {
    const clock = new ManualClock();
    // Fewer than a plan's reads: even the shortest run meets the limit.
    const s = await startOrg({ clock, rateLimitPerMinute: 5 });
    running.push(s);
    const ws = workspace(s, tmp());
    const delays: number[] = [];
    const out = await provisionReady(s, ws, { platform: fastPlatform(clock, delays) });
    expect(complete(s)).toEqual([1, 2, 2, 3]);
    expect(out.stats.rateLimited).toBeGreaterThan(0);
    expect(out.stats.retries).toBe(out.stats.rateLimited);
    // The waits are the sandbox's Retry-After: whole seconds up to the end of a one-minute window.
    expect(delays.every((d) => d >= 1000 && d <= 60_000 && d % 1000 === 0)).toBe(true);
    // A no-change run under the same limit: reads only.
    s.resetRequestCounts();
    const again = await provisionDeployment(opts(ws, { platform: fastPlatform(clock) }));
    expect(again.stats.writes).toBe(0);
    expect(s.requestCounts().writes).toBe(0);
  });
});
