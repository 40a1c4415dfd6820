import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import {
  DataActionError,
  executeDataAction,
  runDataAction,
  type DataActionRun,
} from '../../../src/flows/executor/index.js';
import { action, json, okEmptyObject, text, useServers } from './helpers.js';

const startServer = useServers();

function failure(run: DataActionRun) {
  if (run.outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(run.outcome.output)}`);
  return run.outcome;
}

/** The record of a failed run ends with the failed step, and carries its error at the top. */
function expectFailedRecord(run: DataActionRun, stepName: string): void {
  const last = run.result.operations.at(-1)!;
  expect(last.name).toBe(stepName);
  expect(last.success).toBe(false);
  expect(last.error).toEqual(run.result.error);
  expect(run.result.operations.slice(0, -1).every((o) => o.success)).toBe(true);
  expect(run.result.success).toBe(false);
  expect(run.result.finalResult).toBeUndefined();
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('runDataAction: every failing step is a typed, explained value', () => {
  it('definition: a refused definition never reaches the network', async () => {
    const server = await startServer(okEmptyObject);
    const run = await runDataAction(
      action({ timeoutSeconds: 61, request: { requestUrlTemplate: `${server.base}/x`, requestType: 'FETCH' } }),
      {},
    );
    expect(failure(run)).toMatchObject({ step: 'definition', code: 'data_action.invalid_definition' });
    expect(failure(run).message).toContain('config.timeoutSeconds');
    expect(failure(run).message).toContain("'FETCH'");
    expectFailedRecord(run, 'Validate action definition');
    expect(server.received).toHaveLength(0);
  });

  it('input: a missing required field, a wrong type, and a non-object are refused by name', async () => {
    const server = await startServer(okEmptyObject);
    const def = action({
      request: { requestUrlTemplate: `${server.base}/x` },
      inputSchema: {
        type: 'object',
        required: ['conversationId'],
        properties: { conversationId: { type: 'string' }, attempts: { type: 'integer' } },
      },
    });
    const missing = failure(await runDataAction(def, { attempts: 1 }));
    expect(missing).toMatchObject({ step: 'input', code: 'data_action.invalid_input' });
    expect(missing.message).toContain('input.conversationId is required');

    const wrongType = failure(await runDataAction(def, { conversationId: 'c', attempts: '2' }));
    expect(wrongType.message).toContain('input.attempts must be integer');

    for (const notAnObject of [null, [], 'c-1', 3]) {
      expect(failure(await runDataAction(def, notAnObject)).message).toContain('must be a JSON object');
    }
    expect(server.received).toHaveLength(0);
  });

  it('request URL: a template that does not parse', async () => {
    const run = await runDataAction(action({ request: { requestUrlTemplate: 'http://127.0.0.1/#if(' } }), {});
    expect(failure(run)).toMatchObject({ step: 'requestUrl', code: 'data_action.template_error' });
    expect(failure(run).message).toMatch(/requestUrlTemplate of action 'VB Test Action' failed: Velocity could not parse it/);
    expectFailedRecord(run, 'Resolve request URL template');
  });

  it('request URL: an unescaped input, an unresolved reference, a relative or non-http URL', async () => {
    const unescaped = failure(
      await runDataAction(action({ request: { requestUrlTemplate: 'http://127.0.0.1/c/${input.ani}' } }), {
        ani: '+34 600',
      }),
    );
    expect(unescaped).toMatchObject({ step: 'requestUrl', code: 'data_action.invalid_url' });
    expect(unescaped.message).toContain('characters that must be escaped (" ")');
    expect(unescaped.message).toContain('$esc.uriEncode()');

    const unresolved = failure(
      await runDataAction(action({ request: { requestUrlTemplate: 'http://127.0.0.1/c/${input.ani}' } }), {}),
    );
    expect(unresolved.message).toContain('unresolved ${...} reference');

    for (const url of ['/relative/path', 'ftp://127.0.0.1/file']) {
      const run = await runDataAction(action({ request: { requestUrlTemplate: url } }), {});
      expect(failure(run)).toMatchObject({ step: 'requestUrl', code: 'data_action.invalid_url' });
    }
  });

  it('headers: a template that does not parse, and a value that is not a valid header', async () => {
    const server = await startServer(okEmptyObject);
    const broken = failure(
      await runDataAction(
        action({ request: { requestUrlTemplate: `${server.base}/x`, headers: { 'X-Ani': '#foreach(' } } }),
        {},
      ),
    );
    expect(broken).toMatchObject({ step: 'headers', code: 'data_action.template_error' });
    expect(broken.message).toContain("header 'X-Ani'");

    const injected = await runDataAction(
      action({ request: { requestUrlTemplate: `${server.base}/x`, headers: { 'X-Ani': '${input.ani}' } } }),
      { ani: 'a\r\nX-Evil: 1' },
    );
    expect(failure(injected)).toMatchObject({ step: 'headers', code: 'data_action.invalid_header' });
    expectFailedRecord(injected, 'Resolve headers');
    expect(server.received).toHaveLength(0);
  });

  it('request body: a template that does not parse', async () => {
    const run = await runDataAction(
      action({
        request: { requestType: 'POST', requestUrlTemplate: 'http://127.0.0.1:1/x', requestTemplate: '{"a": #if(}' },
      }),
      {},
    );
    expect(failure(run)).toMatchObject({ step: 'requestBody', code: 'data_action.template_error' });
    expectFailedRecord(run, 'Resolve request body template');
  });

  it('request: a server that sleeps past the timeout', async () => {
    const server = await startServer((_r, res) => {
      // Answers after 30 s unless the client has given up and the test closed the server first.
      const timer = setTimeout(() => json(res, 200, {}), 30_000);
      res.on('close', () => clearTimeout(timer));
    });
    const run = await runDataAction(action({ timeoutSeconds: 1, request: { requestUrlTemplate: `${server.base}/slow` } }), {}, {
      maxTimeoutMs: 150,
    });
    expect(failure(run)).toMatchObject({ step: 'request', code: 'data_action.timeout' });
    expect(failure(run).message).toContain('no complete answer within 150 ms');
    expectFailedRecord(run, 'Execute request');
  });

  it("request: the caller's signal cancels a request in flight", async () => {
    const server = await startServer((_r, res) => {
      const timer = setTimeout(() => json(res, 200, {}), 30_000);
      res.on('close', () => clearTimeout(timer));
    });
    const controller = new AbortController();
    const pending = runDataAction(
      action({ timeoutSeconds: 60, request: { requestUrlTemplate: `${server.base}/slow` } }),
      {},
      { signal: controller.signal },
    );
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    controller.abort();
    const run = await pending;
    expect(failure(run)).toMatchObject({ step: 'request', code: 'data_action.aborted' });
  });

  it.each([
    [500, '{"code":"internal","message":"database is down"}'],
    [404, 'no such credential'],
  ])('request: HTTP %s carries the status and the body', async (status, body) => {
    const server = await startServer((_r, res) => text(res, status, body));
    const run = await runDataAction(action({ request: { requestUrlTemplate: `${server.base}/x` } }), {});
    expect(failure(run)).toMatchObject({ step: 'request', code: 'data_action.http_error', status });
    expect(failure(run).message).toContain(`HTTP ${status}: ${body}`);
    expect(run.result.error).toMatchObject({ status });
    expect(run.result.operations.at(-1)!.result).toEqual({ status, body });
  });

  it('request: a long error body is truncated, and credentials echoed back are hidden', async () => {
    const apiKey = 'sk_live_ABCDEFGHIJ';
    const server = await startServer((r, res) =>
      text(res, 500, `key ${String(r.headers.apikey)} refused; ${'x'.repeat(5000)}`),
    );
    const run = await runDataAction(
      action({ request: { requestUrlTemplate: `${server.base}/x`, headers: { apikey: '${credentials.apiKey}' } } }),
      {},
      { credentials: { apiKey }, errorBodyChars: 100 },
    );
    const { message } = failure(run);
    expect(message).toContain('key [redacted] refused');
    expect(message).toContain('more characters)');
    expect(message.length).toBeLessThan(400);
    expect(JSON.stringify(run.result)).not.toContain(apiKey);
  });

  it('request: a connection refused is a connection failure', async () => {
    const port = await closedPort();
    const run = await runDataAction(action({ request: { requestUrlTemplate: `http://127.0.0.1:${port}/x` } }), {});
    expect(failure(run)).toMatchObject({ step: 'request', code: 'data_action.connection' });
    expect(failure(run).message).toContain('ECONNREFUSED');
  });

  it('request: a 2xx answer that is not JSON, or is empty, is a bad response', async () => {
    const server = await startServer((r, res) => {
      if (r.url === '/html') text(res, 200, '<html>ok</html>', 'text/html');
      else res.writeHead(204).end();
    });
    const html = failure(await runDataAction(action({ request: { requestUrlTemplate: `${server.base}/html` } }), {}));
    expect(html).toMatchObject({ step: 'request', code: 'data_action.bad_response', status: 200 });
    expect(html.message).toContain("'<html>ok</html>', which is not JSON");
    const empty = failure(await runDataAction(action({ request: { requestUrlTemplate: `${server.base}/none` } }), {}));
    expect(empty).toMatchObject({ code: 'data_action.bad_response', status: 204 });
    expect(empty.message).toContain('an empty body');
  });

  it('translation map: a path that resolves to nothing without a default names the path', async () => {
    const server = await startServer((_r, res) => json(res, 200, { result: { score: 1 } }));
    const run = await runDataAction(
      action({
        request: { requestUrlTemplate: `${server.base}/x` },
        response: {
          translationMap: { score: '$.result.score', decision: '$.result.decision' },
          translationMapDefaults: { score: '0' },
          successTemplate: '{}',
        },
      }),
      {},
    );
    expect(failure(run)).toMatchObject({ step: 'translationMap', code: 'data_action.translation_failed' });
    expect(failure(run).message).toContain("the JSONPath '$.result.decision' for 'decision' found nothing");
    expectFailedRecord(run, 'Resolve translation map');
  });

  it('success template: invalid JSON names the action and shows the rendered text', async () => {
    const server = await startServer((_r, res) => json(res, 200, { decision: 'ACCEPT' }));
    const run = await runDataAction(
      action({
        name: 'VB Verify Caller',
        request: { requestUrlTemplate: `${server.base}/x` },
        response: {
          translationMap: { decision: '$.decision', reason: '$.reason' },
          // A string default without its JSON quotes: the classic mistake.
          translationMapDefaults: { reason: 'UNKNOWN' },
          successTemplate: '{"decision": ${decision}, "reason": ${reason}}',
        },
      }),
      {},
    );
    expect(failure(run)).toMatchObject({ step: 'successTemplate', code: 'data_action.invalid_success_json' });
    expect(failure(run).message).toContain("successTemplate of action 'VB Verify Caller' did not render valid JSON");
    expect(failure(run).message).toContain('{"decision": "ACCEPT", "reason": UNKNOWN}');
    expectFailedRecord(run, 'Resolve success template');
  });

  it('success template: a template that does not parse', async () => {
    const server = await startServer((_r, res) => json(res, 200, {}));
    const run = await runDataAction(
      action({ request: { requestUrlTemplate: `${server.base}/x` }, response: { successTemplate: '#if(' } }),
      {},
    );
    expect(failure(run)).toMatchObject({ step: 'successTemplate', code: 'data_action.template_error' });
  });

  it('output: a response that fails the success schema names the field', async () => {
    const server = await startServer((_r, res) => json(res, 200, { score: 'high' }));
    const run = await runDataAction(
      action({
        request: { requestUrlTemplate: `${server.base}/x` },
        successSchema: { type: 'object', required: ['decision'], properties: { score: { type: 'number' } } },
      }),
      {},
    );
    expect(failure(run)).toMatchObject({ step: 'outputSchema', code: 'data_action.output_invalid' });
    expect(failure(run).message).toContain('output.score must be number');
    expect(failure(run).message).toContain('output.decision is required');
    expectFailedRecord(run, 'Validate output against schema');
  });
});

describe('executeDataAction', () => {
  it('returns the output, or throws a DataActionError carrying step, code, status and the record', async () => {
    const server = await startServer((r, res) =>
      r.url === '/ok' ? json(res, 200, { decision: 'ACCEPT' }) : text(res, 503, 'maintenance'),
    );
    const def = (path: string) =>
      action({
        request: { requestUrlTemplate: `${server.base}${path}` },
        successSchema: { type: 'object', properties: { decision: { type: 'string' } } },
      });
    expect(await executeDataAction(def('/ok'), {})).toEqual({ decision: 'ACCEPT' });

    const error = await executeDataAction(def('/down'), {}).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DataActionError);
    const e = error as DataActionError;
    expect(e.code).toBe('data_action.http_error');
    expect(e.step).toBe('request');
    expect(e.upstreamStatus).toBe(503);
    expect(e.status).toBe(502);
    expect(e.message).toContain('HTTP 503: maintenance');
    expect(e.result.success).toBe(false);
  });
});
