import { describe, expect, it } from 'vitest';
import { executeDataAction, runDataAction } from '../../../src/flows/executor/index.js';
import { action, json, useServers } from './helpers.js';

const startServer = useServers();

const VERIFY_RESPONSE = {
  result: { decision: 'ACCEPT', score: 0.93, spoof: null },
  matches: [
    { id: 'cred-1', score: 0.93 },
    { id: 'cred-2', score: 0.41 },
  ],
  meta: { 'request-id': 'r-1' },
};

describe('runDataAction: the response Genesys would map', () => {
  it('maps nested paths and array indices into the success template, JSON-encoded', async () => {
    const server = await startServer((_r, res) => json(res, 200, VERIFY_RESPONSE));
    const { outcome, result } = await runDataAction(
      action({
        request: { requestUrlTemplate: `${server.base}/verify` },
        response: {
          translationMap: {
            decision: '$.result.decision',
            score: 'result.score',
            secondId: '$.matches[1].id',
            lastScore: '$.matches[-1].score',
            ids: '$.matches[*].id',
            requestId: "$.meta['request-id']",
          },
          translationMapDefaults: {},
          successTemplate:
            '{"decision": ${decision}, "score": ${score}, "secondId": ${secondId}, "lastScore": ${lastScore}, "ids": ${ids}, "requestId": ${requestId}, "ani": "$esc.jsonString(${input.ani})"}',
        },
        successSchema: {
          type: 'object',
          properties: {
            decision: { type: 'string' },
            score: { type: 'number' },
            secondId: { type: 'string' },
            lastScore: { type: 'number' },
            ids: { type: 'array', items: { type: 'string' } },
            requestId: { type: 'string' },
            ani: { type: 'string' },
          },
          additionalProperties: false,
        },
      }),
      { ani: '+34600000000' },
    );
    expect(outcome).toEqual({
      ok: true,
      output: {
        decision: 'ACCEPT',
        score: 0.93,
        secondId: 'cred-2',
        lastScore: 0.41,
        ids: ['cred-1', 'cred-2'],
        requestId: 'r-1',
        ani: '+34600000000',
      },
    });
    const translation = result.operations.find((o) => o.name === 'Resolve translation map');
    expect(translation!.result).toEqual({
      decision: '"ACCEPT"',
      score: '0.93',
      secondId: '"cred-2"',
      lastScore: '0.41',
      ids: '["cred-1","cred-2"]',
      requestId: '"r-1"',
    });
    expect(result.success).toBe(true);
    expect(result.finalResult).toEqual(outcome.ok && outcome.output);
  });

  it('applies a default only to a path that resolves to nothing; a null stays null', async () => {
    const server = await startServer((_r, res) => json(res, 200, VERIFY_RESPONSE));
    const { outcome } = await runDataAction(
      action({
        request: { requestUrlTemplate: `${server.base}/verify` },
        response: {
          translationMap: {
            spoof: '$.result.spoof',
            reason: '$.result.reason',
            thirdId: '$.matches[2].id',
            deep: '$.missing.deeper.still',
          },
          translationMapDefaults: {
            spoof: '"DEFAULT-NOT-USED"',
            reason: '"UNKNOWN"',
            thirdId: 'null',
            deep: '0',
          },
          successTemplate: '{"spoof": ${spoof}, "reason": ${reason}, "thirdId": ${thirdId}, "deep": ${deep}}',
        },
        successSchema: {
          type: 'object',
          properties: {
            spoof: { type: ['string', 'null'] },
            reason: { type: 'string' },
            thirdId: { type: ['string', 'null'] },
            deep: { type: 'integer' },
          },
        },
      }),
      {},
    );
    expect(outcome).toEqual({ ok: true, output: { spoof: null, reason: 'UNKNOWN', thirdId: null, deep: 0 } });
  });

  it('an indefinite path that matches nothing gives an empty list, not the default (Jayway semantics)', async () => {
    const server = await startServer((_r, res) => json(res, 200, VERIFY_RESPONSE));
    const output = await executeDataAction(
      action({
        request: { requestUrlTemplate: `${server.base}/verify` },
        response: {
          translationMap: { strong: '$.matches[?(@.score > 0.99)].id' },
          translationMapDefaults: { strong: '["default"]' },
          successTemplate: '{"strong": ${strong}}',
        },
        successSchema: { type: 'object', properties: { strong: { type: 'array', items: { type: 'string' } } } },
      }),
      {},
    );
    expect(output).toEqual({ strong: [] });
  });

  it('successTemplate ${rawResult} passes the response through, and is the default', async () => {
    const server = await startServer((_r, res) => json(res, 200, VERIFY_RESPONSE));
    const successSchema = {
      type: 'object',
      properties: { result: { type: 'object', properties: { decision: { type: 'string' } } } },
    };
    const explicit = await executeDataAction(
      action({
        request: { requestUrlTemplate: `${server.base}/verify` },
        response: { successTemplate: '${rawResult}' },
        successSchema,
      }),
      {},
    );
    expect(explicit).toEqual(VERIFY_RESPONSE);
    const byDefault = action({ request: { requestUrlTemplate: `${server.base}/verify` }, successSchema });
    delete byDefault.config.response;
    expect(await executeDataAction(byDefault, {})).toEqual(VERIFY_RESPONSE);
  });

  it('extra output properties pass unless the schema forbids them', async () => {
    const server = await startServer((_r, res) => json(res, 200, { decision: 'ACCEPT', extra: 1 }));
    const def = (additionalProperties: boolean) =>
      action({
        request: { requestUrlTemplate: `${server.base}/verify` },
        successSchema: { type: 'object', properties: { decision: { type: 'string' } }, additionalProperties },
      });
    expect((await runDataAction(def(true), {})).outcome.ok).toBe(true);
    const refused = await runDataAction(def(false), {});
    expect(refused.outcome).toMatchObject({
      ok: false,
      step: 'outputSchema',
      code: 'data_action.output_invalid',
    });
    expect(!refused.outcome.ok && refused.outcome.message).toContain('output.extra is not allowed by the schema');
  });
});
