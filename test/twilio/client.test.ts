import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTwilioClient, KitRequestClient, retryAfterMs } from '../../src/twilio/client.js';
import { isTwilioError, TwilioError } from '../../src/twilio/errors.js';
import { clientOn, placeCall, rejectionOf, useRawServer, useStandIn } from './helpers.js';

const standIn = useStandIn();

describe('createTwilioClient against the stand-in', () => {
  it('sends every Twilio host (api., taskrouter.) to apiBaseUrl with Basic auth', async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const placed = await placeCall(s);
    const call = await client.calls(placed.callSid).fetch();
    expect(call).toMatchObject({ sid: placed.callSid, from: '+34600000001', status: 'in-progress' });
    const workers = await client.taskrouter.v1.workspaces(s.workspaceSid).workers.list();
    expect(workers.map((w) => w.sid)).toEqual(s.workers.map((w) => w.sid));
  });

  it('only rewrites *.twilio.com origins, keeping path and query', () => {
    const c = new KitRequestClient('http://127.0.0.1:4030/');
    expect(c.target('https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?Status=in-progress')).toBe(
      'http://127.0.0.1:4030/2010-04-01/Accounts/AC1/Calls.json?Status=in-progress',
    );
    expect(c.target('https://taskrouter.dublin.ie1.twilio.com/v1/Workspaces')).toBe(
      'http://127.0.0.1:4030/v1/Workspaces',
    );
    expect(c.target('https://example.com/x')).toBe('https://example.com/x');
    expect(new KitRequestClient(undefined).target('https://api.twilio.com/x')).toBe(
      'https://api.twilio.com/x',
    );
  });

  it('a wrong auth token: twilio.auth_failed with code 20003, more_info and a hint naming the config keys', async () => {
    const s = await standIn();
    const { client } = clientOn(s, { authToken: 'wrong-token' });
    const err = await rejectionOf(client.calls.list({ limit: 1 }));
    expect(err).toBeInstanceOf(TwilioError);
    const e = err as TwilioError;
    expect(e.code).toBe('twilio.auth_failed');
    expect(e.httpStatus).toBe(401);
    expect(e.twilioCode).toBe(20003);
    expect(e.moreInfo).toBe('https://www.twilio.com/docs/errors/20003');
    expect(e.message).toMatch(
      /^GET \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Calls\.json: .+ \(Twilio error 20003, HTTP 401\)$/,
    );
    expect(e.hint).toMatch(/twilio\.accountSid and twilio\.authToken \(TWILIO_AUTH_TOKEN\)/);
    // The token never shows in what is printed or logged.
    expect(`${e.message} ${e.hint} ${JSON.stringify(e)}`).not.toContain('wrong-token');
  });

  it("an unknown call SID: twilio.not_found with Twilio's 20404 message", async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const sid = `CA${'0'.repeat(32)}`;
    const e = (await rejectionOf(client.calls(sid).fetch())) as TwilioError;
    expect(e.code).toBe('twilio.not_found');
    expect(e.twilioCode).toBe(20404);
    expect(e.message).toContain(sid);
    expect(e.message).toMatch(/\(Twilio error 20404, HTTP 404\)$/);
  });

  it('429 with Retry-After: waits what Twilio asks, then succeeds', async () => {
    const s = await standIn();
    const { client, delays } = clientOn(s);
    s.addFault({ status: 429, count: 2, retryAfter: 2 });
    const calls = await client.calls.list({ limit: 5 });
    expect(Array.isArray(calls)).toBe(true);
    expect(delays).toEqual([2000, 2000]);
  });

  it('503 without Retry-After: retried with a doubling backoff, then succeeds', async () => {
    const s = await standIn();
    const retries: number[] = [];
    const { client, delays } = clientOn(s, { baseRetryDelayMs: 100, onRetry: (i) => retries.push(i.status) });
    s.addFault({ status: 503, count: 3 });
    await client.calls.list({ limit: 1 });
    expect(delays).toEqual([100, 200, 400]);
    expect(retries).toEqual([503, 503, 503]);
  });

  it("retries are bounded: a fourth 429 fails with twilio.rate_limited and Twilio's code", async () => {
    const s = await standIn();
    const { client, delays } = clientOn(s);
    s.addFault({ status: 429, count: 10, retryAfter: 1 });
    const e = (await rejectionOf(client.calls.list({ limit: 1 }))) as TwilioError;
    s.clearFaults();
    expect(delays).toHaveLength(3);
    expect(e).toMatchObject({ code: 'twilio.rate_limited', httpStatus: 429, twilioCode: 20429 });
  });

  it('a Retry-After longer than the kit waits fails at once and says so', async () => {
    const s = await standIn();
    const { client, delays } = clientOn(s, { maxRetryDelayMs: 5000 });
    s.addFault({ status: 429, count: 1, retryAfter: 120 });
    const e = (await rejectionOf(client.calls.list({ limit: 1 }))) as TwilioError;
    expect(delays).toEqual([]);
    expect(e.message).toMatch(/Twilio asked to retry after 120 s, longer than the 5 s the kit waits/);
  });

  it('a 500 is not retried (it may have been done): twilio.unavailable at once', async () => {
    const s = await standIn();
    const { client, delays } = clientOn(s);
    s.addFault({ status: 500, count: 1 });
    const e = (await rejectionOf(client.calls.list({ limit: 1 }))) as TwilioError;
    expect(delays).toEqual([]);
    expect(e).toMatchObject({ code: 'twilio.unavailable', httpStatus: 500 });
  });

  it('a slow reply past the deadline: twilio.timeout', async () => {
    const s = await standIn();
    const { client } = clientOn(s, { timeoutMs: 200 });
    s.addFault({ delayMs: 1500, count: 1 });
    const e = (await rejectionOf(client.calls.list({ limit: 1 }))) as TwilioError;
    expect(e.code).toBe('twilio.timeout');
    expect(e.message).toMatch(/no answer within 200 ms/);
  });

  it('nothing listening at apiBaseUrl: twilio.unreachable with a hint about the stand-in', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const client = createTwilioClient({
      accountSid: `AC${'1'.repeat(32)}`,
      authToken: 't',
      apiBaseUrl: `http://127.0.0.1:${port}`,
    });
    const e = (await rejectionOf(client.calls.list({ limit: 1 }))) as TwilioError;
    expect(isTwilioError(e, 'twilio.unreachable')).toBe(true);
    expect(e.message).toMatch(new RegExp(`GET http://127\\.0\\.0\\.1:${port}/2010-04-01/.+ECONNREFUSED`));
    expect(e.hint).toMatch(/daspeak-genesys sandbox/);
  });
});

describe('retry details a stand-in does not send', () => {
  let served = 0;
  const raw = useRawServer((req, res) => {
    served += 1;
    if (req.url?.includes('date') && served === 1) {
      res.writeHead(503, {
        'Content-Type': 'application/json',
        'Retry-After': new Date(Date.now() + 3000).toUTCString(),
      });
      res.end(JSON.stringify({ code: 20503, message: 'busy', status: 503 }));
      return;
    }
    if (req.url?.includes('html')) {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>Bad gateway</html>');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    const { url } = await raw();
    const delays: number[] = [];
    const client = createTwilioClient(
      { accountSid: `AC${'1'.repeat(32)}`, authToken: 't', apiBaseUrl: url },
      { sleep: async (ms) => void delays.push(ms) },
    );
    const res = (await client.request({ method: 'get', uri: 'https://api.twilio.com/date' })) as {
      body: unknown;
    };
    expect(res.body).toEqual({ ok: true });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(1000);
    expect(delays[0]).toBeLessThanOrEqual(3000);
  });

  it('an error that is not Twilio JSON still gives one clear error with the status', async () => {
    const { url } = await raw();
    const client = createTwilioClient({ accountSid: `AC${'1'.repeat(32)}`, authToken: 't', apiBaseUrl: url });
    const e = (await rejectionOf(
      client.request({ method: 'get', uri: 'https://api.twilio.com/html' }),
    )) as TwilioError;
    expect(e).toMatchObject({ code: 'twilio.unavailable', httpStatus: 502, twilioCode: undefined });
    expect(e.message).toBe('GET /html: HTTP 502');
  });

  it('retryAfterMs reads seconds and dates, and ignores nonsense', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(['2'])).toBe(2000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT'))).toBe(
      2000,
    );
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
