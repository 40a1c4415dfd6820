import { describe, expect, it } from 'vitest';
import { KitError } from '../../../src/errors.js';
import { GenesysApiError, toGenesysApiError } from '../../../src/genesys/platform/index.js';
import { CLIENT_SECRET } from './helpers/scripted-server.js';
import { useFakeOrgClient } from './helpers/fake-org-client.js';

const setup = useFakeOrgClient({ maxRetries: 0 });

const rejection = (p: Promise<unknown>): Promise<GenesysApiError> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(GenesysApiError);
      return e as GenesysApiError;
    },
  );

describe('errors from a real server through the SDK', () => {
  it("carries Genesys' code, message, status and inin-correlation-id, and no token", async () => {
    const { client } = await setup(() => ({
      status: 404,
      headers: { 'inin-correlation-id': 'corr-404' },
      body: {
        status: 404,
        code: 'not.found',
        message: 'The requested queue q-9 was not found',
        contextId: 'ctx-other',
      },
    }));
    const error = await rejection(client.call(() => client.api.routing.getRoutingQueue('q-9')));

    expect(error).toBeInstanceOf(KitError);
    expect(error).toMatchObject({
      name: 'GenesysApiError',
      code: 'genesys.not_found',
      status: 404,
      genesysCode: 'not.found',
      genesysMessage: 'The requested queue q-9 was not found',
      correlationId: 'corr-404',
      method: 'GET',
      path: '/api/v2/routing/queues/q-9',
      details: { status: 404, genesysCode: 'not.found', correlationId: 'corr-404', method: 'GET' },
    });
    expect(error.message).toBe(
      'Genesys Cloud answered 404 to GET /api/v2/routing/queues/q-9: The requested queue q-9 was not found; ' +
        'code not.found (correlation id corr-404)',
    );
    const everything = `${error.message} ${error.hint ?? ''} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(everything).not.toContain('token-1');
    expect(everything).not.toContain(CLIENT_SECRET);
    expect(error.cause).toBeUndefined();
  });

  it.each([
    [400, 'genesys.bad_request'],
    [403, 'genesys.forbidden'],
    [409, 'genesys.conflict'],
    [422, 'genesys.request_failed'],
    [502, 'genesys.server_error'],
  ])('maps status %i to %s', async (status, code) => {
    const { client } = await setup(() => ({ status, body: { status, code: 'general.x', message: 'm' } }));
    const error = await rejection(client.call(() => client.api.routing.getRoutingQueue('q-1')));
    expect(error).toMatchObject({ code, status, genesysCode: 'general.x' });
  });

  it('falls back to the body contextId as correlation id and keeps a text body as the message', async () => {
    const { client } = await setup((r) =>
      r.method === 'GET'
        ? {
            status: 409,
            body: { status: 409, code: 'general.conflict', message: 'version', contextId: 'ctx-1' },
          }
        : { status: 502, body: '<html>Bad gateway</html>' },
    );
    const conflict = await rejection(client.call(() => client.api.routing.getRoutingQueue('q-1')));
    expect(conflict).toMatchObject({ code: 'genesys.conflict', correlationId: 'ctx-1' });
    const gateway = await rejection(client.request('POST', '/api/v2/things', { a: 1 }));
    expect(gateway).toMatchObject({
      code: 'genesys.server_error',
      status: 502,
      genesysMessage: '<html>Bad gateway</html>',
      genesysCode: undefined,
    });
  });

  it('gives a hint for 403', async () => {
    const { client } = await setup(() => ({
      status: 403,
      body: {
        status: 403,
        code: 'missing.any.permissions',
        message: 'Unable to perform the requested action.',
      },
    }));
    const error = await rejection(client.call(() => client.api.oauth.getOauthClients()));
    expect(error.hint).toContain('permission');
  });

  it('maps the string the SDK throws for a missing parameter, without sending anything', async () => {
    const { org, client } = await setup(() => ({ body: {} }));
    const error = await rejection(client.call(() => client.api.routing.getRoutingQueue('')));
    expect(error).toMatchObject({ code: 'genesys.invalid_call' });
    expect(error.message).toContain('Missing the required parameter');
    expect(org.apiRequests).toHaveLength(0);
    expect(client.stats().failures).toBe(1);
  });
});

describe('toGenesysApiError shapes', () => {
  const target = { method: 'GET', path: '/api/v2/x' };

  it('reads the extended response shape and drops its axios error', () => {
    const axiosError = { config: { headers: { Authorization: 'Bearer secret-token' } }, isAxiosError: true };
    const error = toGenesysApiError(
      {
        status: 429,
        statusText: 'Too Many Requests',
        headers: { 'Retry-After': '7', 'ININ-Correlation-Id': 'c-1' },
        body: { status: 429, code: 'too.many.requests', message: 'slow down' },
        text: '',
        error: axiosError,
      },
      target,
    );
    expect(error).toMatchObject({ code: 'genesys.rate_limited', retryAfter: '7', correlationId: 'c-1' });
    expect(JSON.stringify(error)).not.toContain('secret-token');
  });

  it('reads an axios error with a response', () => {
    const error = toGenesysApiError({
      isAxiosError: true,
      message: 'Request failed with status code 503',
      response: { status: 503, headers: { 'retry-after': ['2'] }, data: { code: 'x', message: 'y' } },
    });
    expect(error).toMatchObject({
      code: 'genesys.server_error',
      status: 503,
      retryAfter: '2',
      genesysCode: 'x',
    });
  });

  it('reads a bare ErrorBody', () => {
    expect(toGenesysApiError({ status: 404, code: 'not.found', message: 'gone' })).toMatchObject({
      code: 'genesys.not_found',
      genesysMessage: 'gone',
    });
  });

  it('tells network failures from timeouts', () => {
    expect(
      toGenesysApiError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, target),
    ).toMatchObject({
      code: 'genesys.network',
      isTransportFailure: true,
    });
    expect(toGenesysApiError({ code: 'ECONNABORTED', message: 'timeout of 5ms exceeded' })).toMatchObject({
      code: 'genesys.timeout',
      isTransportFailure: true,
    });
  });

  it('keeps a GenesysApiError and wraps anything else as genesys.invalid_call', () => {
    const same = new GenesysApiError('genesys.conflict', 'c');
    expect(toGenesysApiError(same)).toBe(same);
    expect(toGenesysApiError(new TypeError('boom'))).toMatchObject({ code: 'genesys.invalid_call' });
    const wrapped = toGenesysApiError(42);
    expect(wrapped.code).toBe('genesys.invalid_call');
    expect(wrapped.message).toContain('42');
  });
});
