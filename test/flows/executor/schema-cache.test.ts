import { describe, expect, it } from 'vitest';
import { compileContractSchemaCached } from '../../../src/flows/executor/json-schema.js';

describe('compiled contract schemas are kept by their text', () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    properties: { ani: { type: 'string' } },
    required: ['ani'],
  };

  it('an equal schema (another object) reuses the compiled validator, which still validates', () => {
    const first = compileContractSchemaCached(schema);
    const again = compileContractSchemaCached(structuredClone(schema));
    expect(again).toBe(first);
    if (!again.ok) throw new Error(again.problem);
    expect(again.validate({ ani: '+34600000000' })).toBe(true);
    expect(again.validate({})).toBe(false);
    expect(again.validate.errors?.[0]?.keyword).toBe('required');
  });

  it('a schema that does not compile stays a refusal, and a different schema is compiled on its own', () => {
    const broken = compileContractSchemaCached({ type: 'object', properties: { a: { type: 'no-such-type' } } });
    expect(broken.ok).toBe(false);
    expect(compileContractSchemaCached({ type: 'object', properties: { a: { type: 'no-such-type' } } })).toBe(broken);
    const { required: _required, ...optional } = schema;
    const other = compileContractSchemaCached(optional);
    expect(other).not.toBe(compileContractSchemaCached(schema));
    expect(other.ok && other.validate({})).toBe(true);
  });

  it('hundreds of distinct schemas: the oldest are dropped and compiled again when asked', () => {
    const at = (i: number) => ({ type: 'object', properties: { [`p${i}`]: { type: 'string' } } });
    const first = compileContractSchemaCached(at(0));
    for (let i = 1; i <= 600; i++) compileContractSchemaCached(at(i));
    const recompiled = compileContractSchemaCached(at(0));
    expect(recompiled).not.toBe(first);
    expect(recompiled.ok && recompiled.validate({ p0: 'x' })).toBe(true);
    expect(recompiled.ok && recompiled.validate({ p0: 1 })).toBe(false);
  });
});
