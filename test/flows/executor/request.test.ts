import { describe, expect, it } from 'vitest';
import { runDataAction } from '../../../src/flows/executor/index.js';
import { action, json, okEmptyObject, useServers } from './helpers.js';

const startServer = useServers();

const NULLABLE_INPUTS = {
  type: 'object',
  properties: { ani: { type: ['string', 'null'] }, conversationId: { type: ['string', 'null'] } },
};

describe('runDataAction: the request Genesys would send', () => {
  it('GET: inputs escaped into path and query arrive exactly, and no body is sent', async () => {
    const server = await startServer(okEmptyObject);
    const ani = '+34 600/000&x';
    const name = 'Zoë & José/Ñ ✓ 100%';
    const { outcome, result } = await runDataAction(
      action({
        request: {
          requestType: 'GET',
          requestUrlTemplate: '${credentials.baseUrl}/lookup/$esc.uriEncode(${input.ani})?name=$esc.url(${input.name})&v=1',
          requestTemplate: '${input.rawRequest}',
        },
        inputSchema: { type: 'object', properties: { ani: { type: 'string' }, name: { type: 'string' } } },
      }),
      { ani, name },
      { credentials: { baseUrl: server.base } },
    );
    expect(outcome).toEqual({ ok: true, output: {} });
    const [received] = server.received;
    expect(received!.method).toBe('GET');
    const url = new URL(received!.url, server.base);
    expect(url.pathname).toBe('/lookup/%2B34%20600%2F000%26x');
    expect(decodeURIComponent(url.pathname.split('/')[2]!)).toBe(ani);
    expect(url.searchParams.get('name')).toBe(name);
    expect(url.searchParams.get('v')).toBe('1');
    expect(received!.body).toBe('');
    expect(received!.headers['content-length']).toBeUndefined();
    expect(received!.headers['transfer-encoding']).toBeUndefined();
    expect(result.operations.map((o) => o.name)).toEqual([
      'Validate action definition',
      'Validate input against schema',
      'Resolve request URL template',
      'Resolve headers',
      'Resolve request body template',
      'Execute request',
      'Resolve translation map',
      'Resolve success template',
      'Validate output against schema',
    ]);
    expect(result.operations.every((o) => o.success)).toBe(true);
    expect(result.operations[2]!.result).toBe(`${server.base}/lookup/%2B34%20600%2F000%26x?name=Zo%C3%AB+%26+Jos%C3%A9%2F%C3%91+%E2%9C%93+100%25&v=1`);
  });

  it('POST: $esc.jsonString keeps quotes, backslashes, newlines and unicode as valid JSON the server reads back exactly', async () => {
    const server = await startServer(okEmptyObject);
    const note = 'He said "hi" \\o/ C:\\path\\n\nnew line\ttab\r\u0001 é ✓ 😀 \u2028 </script>';
    const { outcome } = await runDataAction(
      action({
        request: {
          requestType: 'POST',
          requestUrlTemplate: `${server.base}/notes`,
          requestTemplate: '{"ani": "$esc.jsonString(${input.ani})", "note": "$esc.jsonString(${input.note})", "count": ${input.count}}',
        },
        inputSchema: {
          type: 'object',
          properties: { ani: { type: 'string' }, note: { type: 'string' }, count: { type: 'integer' } },
        },
      }),
      { ani: '+34600000000', note, count: 3 },
    );
    expect(outcome.ok).toBe(true);
    const [received] = server.received;
    expect(received!.method).toBe('POST');
    expect(received!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received!.body)).toEqual({ ani: '+34600000000', note, count: 3 });
  });

  it('POST without a requestTemplate sends the input itself (${input.rawRequest})', async () => {
    const server = await startServer(okEmptyObject);
    const def = action({
      request: { requestType: 'POST', requestUrlTemplate: `${server.base}/raw` },
      inputSchema: NULLABLE_INPUTS,
    });
    delete def.config.request.requestTemplate;
    const input = { ani: 'a "quoted" \\ value', conversationId: null };
    const { outcome } = await runDataAction(def, input);
    expect(outcome.ok).toBe(true);
    expect(JSON.parse(server.received[0]!.body)).toEqual(input);
  });

  it('a null or missing input prints as its reference with ${x} and as nothing with $!{x}', async () => {
    const server = await startServer(okEmptyObject);
    await runDataAction(
      action({
        request: {
          requestType: 'PUT',
          requestUrlTemplate: `${server.base}/x`,
          headers: { 'Content-Type': 'text/plain' },
          requestTemplate: 'a=${input.ani};b=$!{input.ani};c=${input.conversationId}',
        },
        inputSchema: NULLABLE_INPUTS,
      }),
      { ani: null },
    );
    expect(server.received[0]!.method).toBe('PUT');
    expect(server.received[0]!.body).toBe('a=${input.ani};b=;c=${input.conversationId}');
  });

  it('headers draw on credentials: Basic via $encoding.base64 and an apikey header', async () => {
    const server = await startServer(okEmptyObject);
    const credentials = { userName: 'kit-user', password: 'pä$$:word', apiKey: 'sk_live_0123456789' };
    const { outcome, result } = await runDataAction(
      action({
        request: {
          requestType: 'POST',
          requestUrlTemplate: `${server.base}/secure`,
          headers: {
            Authorization: 'Basic $encoding.base64("${credentials.userName}:${credentials.password}")',
            apikey: '${credentials.apiKey}',
            'X-Conversation': '${input.conversationId}',
          },
          requestTemplate: '{}',
        },
      }),
      { conversationId: 'c-1' },
      { credentials },
    );
    expect(outcome.ok).toBe(true);
    const { headers } = server.received[0]!;
    expect(headers.authorization).toBe(`Basic ${Buffer.from('kit-user:pä$$:word').toString('base64')}`);
    expect(headers.apikey).toBe('sk_live_0123456789');
    expect(headers['x-conversation']).toBe('c-1');
    // The test record is printed and answered by the sandbox: the credential values stay out of it.
    expect(result.operations[3]!.result).toEqual({
      Authorization: '[redacted]',
      apikey: '[redacted]',
      'X-Conversation': 'c-1',
      'Content-Type': 'application/json',
    });
    const recorded = JSON.stringify(result);
    expect(recorded).not.toContain('sk_live_0123456789');
    expect(recorded).not.toContain(Buffer.from('kit-user:pä$$:word').toString('base64'));
  });

  it('a basicAuth credential adds the Basic header unless the action sets Authorization', async () => {
    const server = await startServer(okEmptyObject);
    const credentials = { userName: 'u', password: 'secret-pass' };
    await runDataAction(action({ request: { requestUrlTemplate: `${server.base}/a` } }), {}, {
      credentials,
      credentialType: 'basicAuth',
    });
    await runDataAction(
      action({ request: { requestUrlTemplate: `${server.base}/b`, headers: { Authorization: 'Bearer t0ken' } } }),
      {},
      { credentials, credentialType: 'basicAuth' },
    );
    expect(server.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:secret-pass').toString('base64')}`);
    expect(server.received[1]!.headers.authorization).toBe('Bearer t0ken');
  });

  it('a form-encoded body with $esc.uriEncode parses back to the exact values', async () => {
    const server = await startServer(okEmptyObject);
    await runDataAction(
      action({
        request: {
          requestType: 'POST',
          requestUrlTemplate: `${server.base}/oauth/token`,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          requestTemplate: 'grant_type=client_credentials&audience=$esc.uriEncode("https://api.example.com/v1?a=b&c=d")&ani=$esc.uriEncode(${input.ani})',
        },
      }),
      { ani: '+34 600 000 000' },
    );
    const form = new URLSearchParams(server.received[0]!.body);
    expect(form.get('audience')).toBe('https://api.example.com/v1?a=b&c=d');
    expect(form.get('ani')).toBe('+34 600 000 000');
    expect(server.received[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it.each(['PATCH', 'DELETE'])('%s is sent with its method and body', async (requestType) => {
    const server = await startServer((r, res) => json(res, 200, { method: r.method }));
    const { outcome } = await runDataAction(
      action({
        request: { requestType, requestUrlTemplate: `${server.base}/item`, requestTemplate: '{"id": "1"}' },
        response: { successTemplate: '${rawResult}' },
        successSchema: { type: 'object', properties: { method: { type: 'string' } } },
      }),
      {},
    );
    expect(outcome).toEqual({ ok: true, output: { method: requestType } });
    expect(server.received[0]!.body).toBe('{"id": "1"}');
  });
});
