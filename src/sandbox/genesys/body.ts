import type { ErrorObject, ValidateFunction } from 'ajv';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { badRequest, type ErrorDetail } from './api-error.js';
import { createValidators } from '../../validation.js';

/**
 * Request bodies are checked against their TypeBox schema. The compiled validators are a pure memo
 * (schema object → function), shared by every sandbox in the process; they hold no org state.
 */
const validatorFor = createValidators();

/** `/properties/channel` → `properties.channel`, the way Genesys names fields in its messages. */
export function fieldName(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.join('.');
}

/** One sentence per ajv error, worded after the Platform API's validation messages. */
export function describeIssue(e: ErrorObject, prefix = ''): { text: string; detail: ErrorDetail } {
  const at = (extra?: string) => {
    const name = fieldName(e.instancePath, extra);
    return prefix && name ? `${prefix}.${name}` : prefix || name;
  };
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = at(String(params.additionalProperty));
      return {
        text: `Unrecognized field "${field}"`,
        detail: { errorCode: 'unrecognized.field', fieldName: field },
      };
    }
    case 'required': {
      const field = at(String(params.missingProperty));
      return {
        text: `Missing required field "${field}"`,
        detail: { errorCode: 'missing.required.field', fieldName: field },
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v)).join(', ');
      return {
        text: `Field "${at()}" must be one of [${allowed}]`,
        detail: { errorCode: 'invalid.value', fieldName: at() },
      };
    }
    case 'type':
      return {
        text: `Field "${at() || 'body'}" must be of type ${String(params.type)}`,
        detail: { errorCode: 'invalid.type', fieldName: at() },
      };
    default:
      return {
        text: `Field "${at() || 'body'}" ${e.message ?? 'is invalid'}`,
        detail: { errorCode: 'invalid.value', fieldName: at() },
      };
  }
}

/** Validates a request body; a refusal is a 400 naming the first problem, with all of them in details. */
export function parseBody<T extends TSchema>(schema: T, body: unknown): Static<T> {
  if (body === undefined) throw badRequest('The request body is required.', { details: [] });
  const validate = validatorFor(schema) as ValidateFunction<Static<T>>;
  if (validate(body)) return body;
  const issues = (validate.errors ?? []).map((e) => describeIssue(e));
  const first = issues[0]?.text ?? 'The request body is invalid.';
  throw badRequest(first, { details: issues.map((i) => i.detail) });
}

/** Checks a value against a schema without throwing: the sentences, empty when valid. */
export function checkAgainst(
  schema: TSchema,
  value: unknown,
  prefix = '',
): { text: string; detail: ErrorDetail }[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => describeIssue(e, prefix));
}

/** A closed set of strings as one `enum`, so a refusal lists the allowed values. */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const IntegerEnum = <const T extends readonly number[]>(
  values: T,
  options: Record<string, unknown> = {},
) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values], ...options });
