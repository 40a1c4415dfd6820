/**
 * The Flex token verifier's rules and cache, on an injected token check (the request itself is
 * tested against the Twilio stand-in in twilio-agents.test.ts): a valid token of a worker passes,
 * a valid token without a worker is not an agent's, verdicts are kept for the cache period but
 * never past the token's expiration, and concurrent checks of one token share one question.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/server/errors.js';
import { createFlexVerifier, type FlexTokenCheck } from '../../src/server/twilio/flex-verifier.js';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const WORKER = `WK${'b'.repeat(32)}`;

function setup(answer: (token: string) => FlexTokenCheck | Promise<FlexTokenCheck>, cacheSeconds = 60) {
  let now = 1_000_000;
  const asked: string[] = [];
  const verifier = createFlexVerifier({
    accountSid: ACCOUNT,
    cacheSeconds,
    clock: { now: () => now },
    check: async (token) => {
      asked.push(token);
      return answer(token);
    },
  });
  return { verifier, asked, advance: (ms: number) => (now += ms), now: () => now };
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof ApiError ? `${err.httpStatus} ${err.code}` : String(err);
  }
};

describe('the Flex token verifier', () => {
  it('passes a valid token of a worker: the agent is the worker, the organization the account', async () => {
    const { verifier } = setup(() => ({ valid: true, workerSid: WORKER }));
    const agent = await verifier.verify('t1');
    expect(agent).toMatchObject({ userId: WORKER, organizationId: ACCOUNT });
    expect(agent.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an invalid token (401) and a valid token that is not a worker’s (403 auth.not_an_agent)', async () => {
    const { verifier } = setup((token) =>
      token === 'invalid'
        ? { valid: false }
        : { valid: true, workerSid: token === 'odd' ? 'XX1' : undefined },
    );
    expect(await codeOf(verifier.verify('invalid'))).toBe('401 auth.invalid_token');
    expect(await codeOf(verifier.verify('guest'))).toBe('403 auth.not_an_agent');
    expect(await codeOf(verifier.verify('odd'))).toBe('403 auth.not_an_agent');
  });

  it('keeps a verdict for the cache period, refusals included, and asks once for concurrent checks', async () => {
    const { verifier, asked, advance } = setup((token) =>
      token === 'bad' ? { valid: false } : { valid: true, workerSid: WORKER },
    );
    await Promise.all(Array.from({ length: 5 }, () => verifier.verify('good')));
    expect(asked).toEqual(['good']);
    expect(verifier.cached('good')?.userId).toBe(WORKER);
    await codeOf(verifier.verify('bad'));
    await codeOf(verifier.verify('bad'));
    expect(asked).toEqual(['good', 'bad']);
    advance(60_001);
    expect(verifier.cached('good')).toBeUndefined();
    await verifier.verify('good');
    expect(asked).toEqual(['good', 'bad', 'good']);
  });

  it('never keeps a positive verdict past the token’s expiration', async () => {
    const s = setup(() => ({ valid: true, workerSid: WORKER, expiresAt: s.now() + 10_000 }));
    await s.verifier.verify('short');
    s.advance(9_999);
    expect(s.verifier.cached('short')).toBeDefined();
    s.advance(1);
    expect(s.verifier.cached('short')).toBeUndefined();
  });

  it('does not cache a failure to ask (Twilio unavailable)', async () => {
    let fail = true;
    const { verifier, asked } = setup(() => {
      if (fail) throw new ApiError(503, 'twilio.unavailable', 'down', { retryAfterSeconds: 5 });
      return { valid: true, workerSid: WORKER };
    });
    expect(await codeOf(verifier.verify('t'))).toBe('503 twilio.unavailable');
    fail = false;
    expect(await codeOf(verifier.verify('t'))).toBe('ok');
    expect(asked).toEqual(['t', 't']);
  });
});
