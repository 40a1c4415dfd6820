import type { Static, TSchema } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import { createValidators } from '../validation.js';
import { ApiError } from './errors.js';

/**
 * One schema, one type: every body and query the backend reads is a TypeBox schema checked with ajv
 * before a handler sees it. Compiled validators are pure functions, so one instance serves every app.
 */
const validatorOf = createValidators({
  allErrors: false,
  coerceTypes: false,
  useDefaults: false,
  strict: true,
});

/** Checks `value` against `schema`; a mismatch is a 400 naming the field, never echoing its value. */
export function parseInput<S extends TSchema>(schema: S, value: unknown, where: 'body' | 'query'): Static<S> {
  const validate = validatorOf(schema);
  if (validate(value)) return value;
  throw inputError(validate.errors?.[0], where);
}

function inputError(error: ErrorObject | undefined, where: 'body' | 'query'): ApiError {
  if (!error) return new ApiError(400, 'request.invalid', `the request ${where} is not valid`);
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return new ApiError(400, 'request.missing_field', `the ${where} field "${missing}" is required`);
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return new ApiError(
      400,
      'request.unknown_field',
      `the ${where} field "${clip(extra)}" is not one this route accepts`,
    );
  }
  if (field === '') {
    return new ApiError(400, 'request.invalid', `the request ${where} must be an object of fields`);
  }
  const described =
    typeof error.parentSchema?.description === 'string'
      ? error.parentSchema.description
      : (error.message ?? 'is not valid');
  return new ApiError(400, 'request.invalid_field', `the ${where} field "${field}" ${described}`);
}

/** Field names come from the caller; keep them short in messages. */
function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}
