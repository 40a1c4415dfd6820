import type { ErrorObject } from 'ajv';
import type { Static, TSchema } from '@sinclair/typebox';
import { DaspeakError } from './errors.js';
import { createValidators } from '../validation.js';

/**
 * Runtime checks for the contract schemas. Unlike the config's ajv (src/config/loader.ts) this one
 * neither applies defaults nor coerces: what the server sent is checked as sent, never rewritten.
 */
const validatorFor = createValidators();

/** One readable line per problem, e.g. `/status must be equal to one of the allowed values`. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors?.length) return 'does not match the contract';
  const lines = errors
    // anyOf branches repeat themselves; the summary line says enough.
    .filter((e) => e.keyword !== 'anyOf' || errors.length === 1)
    .slice(0, 4)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
  return [...new Set(lines)].join('; ');
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Checks a value against a contract schema without throwing. */
export function check<T extends TSchema>(schema: T, value: unknown): CheckResult<Static<T>> {
  const fn = validatorFor(schema);
  return fn(value)
    ? { ok: true, value: value as Static<T> }
    : { ok: false, problem: describeErrors(fn.errors) };
}

/** A type guard for a contract schema. */
export function matches<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return validatorFor(schema)(value);
}

/** Checks an upstream answer; a mismatch is a `daspeak.bad_response`. */
export function parseResponse<T extends TSchema>(schema: T, value: unknown, operation: string): Static<T> {
  const result = check(schema, value);
  if (result.ok) return result.value;
  throw new DaspeakError('daspeak.bad_response', `${operation}: the answer ${result.problem}`, {
    operation,
    hint: 'the das-Peak Streaming contract may have changed; see docs/daspeak-contract.md',
  });
}
