import type { ErrorObject, ValidateFunction } from 'ajv';
import { createValidators } from '../../validation.js';
import type { Static, TSchema } from '@sinclair/typebox';

/*
 * ajv set up as the kit's config loader does (strict, all errors, unions allowed) but without
 * `useDefaults`: a received message is checked, never rewritten.
 */
const validatorFor = createValidators();

export interface Checked<T> {
  ok: boolean;
  value: T;
  /** One line per problem, e.g. `/parameters/media/0/rate must be integer`. */
  problems: string[];
}

export function compiled(schema: TSchema): ValidateFunction {
  return validatorFor(schema);
}

/** Validates a value against a TypeBox schema and returns it typed, with readable problems. */
export function check<S extends TSchema>(schema: S, value: unknown): Checked<Static<S>> {
  const fn = compiled(schema);
  const ok = fn(value);
  return { ok, value, problems: ok ? [] : describe(fn.errors ?? []) };
}

function describe(errors: ErrorObject[]): string[] {
  const lines = errors
    // anyOf reports each failed branch and then itself; the branches say it better.
    .filter((e) => e.keyword !== 'anyOf')
    .map((e) => {
      const where = e.instancePath === '' ? '(message)' : e.instancePath;
      if (e.keyword === 'const') return `${where} must be ${JSON.stringify(e.params.allowedValue)}`;
      if (e.keyword === 'required')
        return `${where} must have property "${String(e.params.missingProperty)}"`;
      return `${where} ${e.message ?? 'is invalid'}`;
    });
  return [...new Set(lines)].slice(0, 5);
}
