import { Ajv, type Options, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';

/**
 * A memo of compiled validators (schema object → function) over one ajv instance. Every boundary
 * checks against its TypeBox schema; compiling once per schema keeps that cheap. The memo holds no
 * state beyond the compiled functions, so one per module is safe to share across servers.
 */
export function createValidators(
  options: Options = { allErrors: true, strict: true, allowUnionTypes: true },
) {
  const ajv = new Ajv(options);
  const compiled = new WeakMap<TSchema, ValidateFunction>();
  return function validatorFor(schema: TSchema): ValidateFunction {
    let fn = compiled.get(schema);
    if (!fn) {
      fn = ajv.compile(schema);
      compiled.set(schema, fn);
    }
    return fn;
  };
}
