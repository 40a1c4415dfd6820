import { describe, expect, it } from 'vitest';
import { validateActionDefinition, type ActionDefinitionIssue } from '../../../src/flows/executor/index.js';
import { action } from './helpers.js';

function codes(issues: ActionDefinitionIssue[]): string[] {
  return issues.map((i) => i.code);
}

/** An input property carrying an annotation nested `levels` objects deep. */
function withAnnotationDepth(levels: number) {
  let meta: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) meta = { m: meta };
  return action({ inputSchema: { type: 'object', properties: { ani: { type: 'string', 'x-meta': meta } } } });
}

describe('validateActionDefinition', () => {
  it('accepts a well-formed action, including the reference example of the Genesys notes', () => {
    expect(validateActionDefinition(action())).toEqual([]);
    expect(
      validateActionDefinition(
        action({
          request: {
            requestUrlTemplate: 'https://vb.example.com/api/v1/verify/${input.conversationId}',
            requestType: 'POST',
            headers: { 'Content-Type': 'application/json' },
            requestTemplate: '{"ani": "$esc.jsonString(${input.ani})"}',
          },
          response: {
            translationMap: { score: '$.score', decision: '$.decision' },
            translationMapDefaults: { score: '0', decision: '"UNKNOWN"' },
            successTemplate: '{"score": ${score}, "decision": ${decision}}',
          },
          inputSchema: {
            $schema: 'http://json-schema.org/draft-04/schema#',
            type: 'object',
            required: ['conversationId'],
            properties: { conversationId: { type: 'string' }, ani: { type: ['string', 'null'] } },
          },
          successSchema: {
            type: 'object',
            properties: {
              score: { type: 'number' },
              details: { type: 'object', properties: { errorCode: { type: 'string' } } },
              matches: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } },
            },
          },
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a nested input object with the Genesys simple-properties message', () => {
    const issues = validateActionDefinition(
      action({
        inputSchema: {
          type: 'object',
          properties: { caller: { type: 'object', properties: { ani: { type: 'string' } } } },
        },
      }),
    );
    expect(codes(issues)).toEqual(['action.input_schema']);
    expect(issues[0]!.path).toBe('contract.input.inputSchema.properties.caller');
    expect(issues[0]!.message).toMatch(
      /^Failed Validation of contract\.input\.inputSchema as a simple properties schema\. Must be an Object with properties and no sub-objects/,
    );
  });

  it('refuses an input array, an input without a type, and an input schema that is not an object', () => {
    expect(
      codes(
        validateActionDefinition(
          action({ inputSchema: { type: 'object', properties: { list: { type: 'array' }, free: {} } } }),
        ),
      ),
    ).toEqual(['action.input_schema', 'action.input_schema']);
    expect(codes(validateActionDefinition(action({ inputSchema: { type: 'string' } })))).toEqual([
      'action.input_schema',
    ]);
  });

  it.each(['orgId', 'integrationId', 'rawRequest'])('refuses the reserved input name %s', (name) => {
    const issues = validateActionDefinition(
      action({ inputSchema: { type: 'object', properties: { [name]: { type: 'string' } } } }),
    );
    expect(codes(issues)).toEqual(['action.reserved_name']);
    expect(issues[0]!.message).toContain(`'${name}' is a reserved name`);
  });

  it.each(['1ani', 'caller ani', 'ani.number', '_ani'])('refuses the input name %j', (name) => {
    const issues = validateActionDefinition(
      action({ inputSchema: { type: 'object', properties: { [name]: { type: 'string' } } } }),
    );
    expect(codes(issues)).toEqual(['action.property_name']);
  });

  it('accepts names with digits, dashes and underscores after a letter', () => {
    const properties = { a1: { type: 'string' }, 'caller-ani': { type: 'string' }, caller_ani: { type: 'integer' } };
    expect(validateActionDefinition(action({ inputSchema: { type: 'object', properties } }))).toEqual([]);
  });

  it('refuses $ref anywhere in the contract', () => {
    const inInput = validateActionDefinition(
      action({ inputSchema: { type: 'object', properties: { ani: { $ref: '#/definitions/ani' } } } }),
    );
    expect(codes(inInput)).toContain('action.ref_not_supported');
    expect(inInput.find((i) => i.code === 'action.ref_not_supported')!.path).toBe(
      'contract.input.inputSchema.properties.ani.$ref',
    );

    const deepInOutput = validateActionDefinition(
      action({
        successSchema: {
          type: 'object',
          properties: { a: { type: 'object', properties: { b: { allOf: [{ $ref: 'other.json' }] } } } },
        },
      }),
    );
    expect(codes(deepInOutput)).toEqual(['action.ref_not_supported']);
    expect(deepInOutput[0]!.message).toContain('$ref is not supported');
  });

  it('refuses nested arrays in the output, directly or under an array of objects', () => {
    const direct = validateActionDefinition(
      action({
        successSchema: {
          type: 'object',
          properties: { grid: { type: 'array', items: { type: 'array', items: { type: 'string' } } } },
        },
      }),
    );
    expect(codes(direct)).toEqual(['action.nested_array']);
    expect(direct[0]!.path).toBe('contract.output.successSchema.properties.grid.items');

    const underObjects = validateActionDefinition(
      action({
        successSchema: {
          type: 'object',
          properties: {
            rows: {
              type: 'array',
              items: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } },
            },
          },
        },
      }),
    );
    expect(codes(underObjects)).toEqual(['action.nested_array']);
  });

  it('allows an output that nests objects and arrays of scalars', () => {
    const successSchema = {
      type: 'object',
      properties: {
        a: { type: 'object', properties: { b: { type: 'object', properties: { c: { type: 'string' } } } } },
        tags: { type: 'array', items: { type: 'string' } },
      },
    };
    expect(validateActionDefinition(action({ successSchema }))).toEqual([]);
  });

  it.each([0, 61, 1.5, -1])('refuses timeoutSeconds %s', (timeoutSeconds) => {
    const issues = validateActionDefinition(action({ timeoutSeconds }));
    expect(codes(issues)).toEqual(['action.timeout_range']);
    expect(issues[0]!.message).toContain('from 1 to 60');
  });

  it.each([1, 60])('accepts timeoutSeconds %s, and a missing one (Genesys default 60)', (timeoutSeconds) => {
    expect(validateActionDefinition(action({ timeoutSeconds }))).toEqual([]);
    const def = action();
    delete def.config.timeoutSeconds;
    expect(validateActionDefinition(def)).toEqual([]);
  });

  it.each(['FETCH', 'get', 'HEAD', 'OPTIONS'])('refuses requestType %s', (requestType) => {
    const issues = validateActionDefinition(action({ request: { requestType } }));
    expect(codes(issues)).toEqual(['action.request_type']);
    expect(issues[0]!.message).toContain('GET, PUT, POST, PATCH, DELETE');
  });

  it('limits JSON depth to 50', () => {
    // root > contract > input > inputSchema > properties > ani: six levels before the annotation.
    expect(validateActionDefinition(withAnnotationDepth(44))).toEqual([]);
    const tooDeep = validateActionDefinition(withAnnotationDepth(45));
    expect(codes(tooDeep)).toEqual(['action.too_deep']);
    expect(tooDeep[0]!.message).toContain('at most 50 levels');
  });

  it('reports missing parts and wrong types with their paths, without throwing on junk', () => {
    expect(codes(validateActionDefinition(null))).toEqual(['action.shape']);
    expect(codes(validateActionDefinition('action'))).toEqual(['action.shape']);
    const def = action() as unknown as Record<string, unknown>;
    delete def.name;
    (def.config as Record<string, unknown>).request = { requestType: 'GET' };
    const issues = validateActionDefinition(def);
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['name', 'config.request.requestUrlTemplate']),
    );
  });

  it('refuses a contract schema that draft-04 itself rejects', () => {
    const issues = validateActionDefinition(
      action({ successSchema: { type: 'object', properties: { score: { type: 'float' } } } }),
    );
    expect(codes(issues)).toEqual(['action.invalid_schema']);
  });
});
