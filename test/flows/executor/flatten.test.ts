import { describe, expect, it } from 'vitest';
import { flattenOutputSchema, flattenOutputValue, runDataAction } from '../../../src/flows/executor/index.js';
import { action, json, useServers } from './helpers.js';

const startServer = useServers();

const SUCCESS_SCHEMA = {
  type: 'object',
  properties: {
    decision: { type: 'string' },
    score: { type: ['number', 'null'] },
    accepted: { type: 'boolean' },
    details: {
      type: 'object',
      properties: { errorCode: { type: 'string' }, attempt: { type: 'integer' }, extra: { type: 'object' } },
    },
    matches: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, score: { type: 'number' }, meta: { type: 'object', properties: { source: { type: 'string' } } } },
      },
    },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

describe('flattening what Architect sees', () => {
  it('lists outputs: dot-joined nested names, parallel collections for arrays of objects', () => {
    expect(flattenOutputSchema(SUCCESS_SCHEMA)).toEqual([
      { name: 'decision', type: 'string', collection: false },
      { name: 'score', type: 'number', collection: false },
      { name: 'accepted', type: 'boolean', collection: false },
      { name: 'details.errorCode', type: 'string', collection: false },
      { name: 'details.attempt', type: 'integer', collection: false },
      { name: 'matches.id', type: 'string', collection: true },
      { name: 'matches.score', type: 'number', collection: true },
      { name: 'matches.meta.source', type: 'string', collection: true },
      { name: 'tags', type: 'string', collection: true },
    ]);
  });

  it('flattens a real output the same way, filling gaps in parallel collections with null', async () => {
    const server = await startServer((_r, res) =>
      json(res, 200, {
        decision: 'ACCEPT',
        score: null,
        accepted: true,
        details: { errorCode: 'none', attempt: 2 },
        matches: [
          { id: 'a', score: 0.9, meta: { source: 'ivr' } },
          { id: 'b', score: 0.2 },
        ],
        tags: ['x', 'y'],
      }),
    );
    const { outcome } = await runDataAction(
      action({ request: { requestUrlTemplate: `${server.base}/x` }, successSchema: SUCCESS_SCHEMA }),
      {},
    );
    if (!outcome.ok) throw new Error(outcome.message);
    const flat = flattenOutputValue(outcome.output);
    expect(flat).toEqual({
      decision: 'ACCEPT',
      score: null,
      accepted: true,
      'details.errorCode': 'none',
      'details.attempt': 2,
      'matches.id': ['a', 'b'],
      'matches.score': [0.9, 0.2],
      'matches.meta.source': ['ivr', null],
      tags: ['x', 'y'],
    });
    // Every flattened value has a declared output of the same name.
    const names = new Set(flattenOutputSchema(SUCCESS_SCHEMA).map((o) => o.name));
    expect(Object.keys(flat).filter((k) => !names.has(k))).toEqual([]);
  });
});
