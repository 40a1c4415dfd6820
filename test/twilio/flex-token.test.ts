import { describe, expect, it } from 'vitest';
import { validateFlexToken } from '../../src/twilio/flex-token.js';
import { TwilioError } from '../../src/twilio/errors.js';
import { clientOn, control, rejectionOf, twilioConfigOf, useRawServer, useStandIn } from './helpers.js';

const standIn = useStandIn();

interface Issued {
  token: string;
  workerSid: string;
  identity: string;
}

describe('validateFlexToken (what twilio-flex-token-validator does) against the stand-in', () => {
  it('a token Flex gave a worker: valid, with the worker SID, identity and roles', async () => {
    const s = await standIn();
    const issued = await control<Issued>(s, 'POST', '/sandbox/flex/tokens', {
      worker: s.workers[1]!.identity,
    });
    const verdict = await validateFlexToken(twilioConfigOf(s), issued.token);
    expect(verdict).toMatchObject({
      valid: true,
      workerSid: s.workers[1]!.sid,
      identity: s.workers[1]!.identity,
      roles: ['agent'],
    });
    expect(verdict.valid && verdict.expiration).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("an expired token, or one Twilio never issued: a refusal with Twilio's reason (a value, not an error)", async () => {
    const s = await standIn();
    const issued = await control<Issued>(s, 'POST', '/sandbox/flex/tokens', {});
    await control(s, 'POST', '/sandbox/flex/tokens/expire', { token: issued.token });
    expect(await validateFlexToken(twilioConfigOf(s), issued.token)).toEqual({
      valid: false,
      message: 'Access Token expired or expiration date invalid',
      code: 20104,
    });
    const forged = await validateFlexToken(twilioConfigOf(s), 'eyJhbGciOiJkaXIifQ..a.b.c');
    expect(forged).toMatchObject({ valid: false, message: 'Invalid Access Token' });
    expect(await validateFlexToken(twilioConfigOf(s), '')).toEqual({
      valid: false,
      message: 'Token was not provided',
    });
  });

  it('our own auth token wrong: rejects with twilio.auth_failed (Twilio could not judge the token)', async () => {
    const s = await standIn();
    const issued = await control<Issued>(s, 'POST', '/sandbox/flex/tokens', {});
    const e = (await rejectionOf(
      validateFlexToken(twilioConfigOf(s, { authToken: 'nope' }), issued.token),
    )) as TwilioError;
    expect(e).toBeInstanceOf(TwilioError);
    expect(e).toMatchObject({ code: 'twilio.auth_failed', twilioCode: 20003 });
  });

  it('IAM answering 503 once: retried, then the verdict', async () => {
    const s = await standIn();
    const issued = await control<Issued>(s, 'POST', '/sandbox/flex/tokens', {});
    const { client, delays } = clientOn(s);
    s.addFault({ status: 503, count: 1, pathPrefix: '/v1/Accounts' });
    const verdict = await validateFlexToken(twilioConfigOf(s), issued.token, { client });
    expect(verdict.valid).toBe(true);
    expect(delays).toHaveLength(1);
  });
});

describe('validateFlexToken: answers the stand-in does not give', () => {
  const raw = useRawServer((req, res, body) => {
    const token = (JSON.parse(body || '{}') as { token?: string }).token;
    if (token === 'refused-403') {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ valid: false, message: 'Token is for another account' }));
    } else if (token === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ hello: 'world' }));
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ valid: true, worker_sid: null, identity: 'sup', roles: ['supervisor'] }));
    }
  });
  const cfg = async () => ({
    accountSid: `AC${'2'.repeat(32)}`,
    authToken: 'x',
    apiBaseUrl: (await raw()).url,
  });

  it('sends what the validator sends: POST, JSON {token}, Basic AccountSid:AuthToken, on the IAM path', async () => {
    const c = await cfg();
    await validateFlexToken(c, 'some-token');
    const r = (await raw()).requests.at(-1)!;
    expect(r).toEqual({
      method: 'POST',
      url: `/v1/Accounts/${c.accountSid}/Tokens/validate`,
      body: '{"token":"some-token"}',
    });
  });

  it('a refusal with an error status is still a verdict', async () => {
    expect(await validateFlexToken(await cfg(), 'refused-403')).toEqual({
      valid: false,
      message: 'Token is for another account',
    });
  });

  it('a valid user who is no worker: valid without a workerSid', async () => {
    expect(await validateFlexToken(await cfg(), 'sup')).toEqual({
      valid: true,
      identity: 'sup',
      roles: ['supervisor'],
    });
  });

  it('an answer without `valid`: twilio.bad_response', async () => {
    const e = (await rejectionOf(validateFlexToken(await cfg(), 'garbage'))) as TwilioError;
    expect(e.code).toBe('twilio.bad_response');
  });
});
