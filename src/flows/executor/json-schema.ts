import Ajv04Module from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv-draft-04';

// ajv-draft-04 is CommonJS; under NodeNext its default import is the module object.
const Ajv04 = Ajv04Module.default;

/**
 * ajv for contract schemas in Genesys' dialect (JSON Schema draft-04). Not strict, because real
 * contracts carry annotation keywords ajv does not know; `addUsedSchema: false` so two actions whose
 * schemas share an `id` never collide in one instance.
 */
export function createContractAjv(): InstanceType<typeof Ajv04> {
  return new Ajv04({ allErrors: true, strict: false, addUsedSchema: false, validateFormats: false });
}

export type CompileResult = { ok: true; validate: ValidateFunction } | { ok: false; problem: string };

/** Compiles a contract schema; an invalid schema is a value, not an exception. */
export function compileContractSchema(ajv: InstanceType<typeof Ajv04>, schema: unknown): CompileResult {
  try {
    return { ok: true, validate: ajv.compile(schema as object) };
  } catch (err) {
    return { ok: false, problem: err instanceof Error ? err.message : String(err) };
  }
}

/** Compiled schemas kept (oldest dropped first): a process runs the same few actions again and again. */
const CACHE_SIZE = 500;
const compiled = new Map<string, { schema: unknown; result: CompileResult }>();
/** One instance for the cache: a fresh one compiles draft-04's meta-schema again (tens of ms). */
let shared: InstanceType<typeof Ajv04> | undefined;

/**
 * compileContractSchema with the result kept by the schema's text: compiling one takes tens of
 * milliseconds, and a flow polling a session runs the same action every second. A schema dropped
 * from the cache is removed from the shared instance too, so it does not grow without bound.
 */
export function compileContractSchemaCached(schema: unknown): CompileResult {
  const key = JSON.stringify(schema) ?? 'undefined';
  const hit = compiled.get(key);
  if (hit) return hit.result;
  shared ??= createContractAjv();
  const result = compileContractSchema(shared, schema);
  if (compiled.size >= CACHE_SIZE) {
    const [oldest, entry] = compiled.entries().next().value!;
    compiled.delete(oldest);
    if (typeof entry.schema === 'object' && entry.schema !== null) shared.removeSchema(entry.schema);
  }
  compiled.set(key, { schema, result });
  return result;
}

/**
 * One readable clause per problem, naming the field as a flow author would: `ani is required`,
 * `score must be number`.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[] | null | undefined, root: string): string[] {
  if (!errors?.length) return [`${root} does not match the schema`];
  const lines = errors.map((e) => {
    const base = pointerToPath(e.instancePath, root);
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty?: string }).missingProperty ?? '?';
      return `${joinPath(base, missing)} is required`;
    }
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty ?? '?';
      return `${joinPath(base, extra)} is not allowed by the schema`;
    }
    return `${base} ${e.message ?? 'is invalid'}`;
  });
  return [...new Set(lines)];
}

function pointerToPath(pointer: string, root: string): string {
  if (pointer === '') return root;
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce(joinPath, root);
}

function joinPath(base: string, key: string): string {
  if (/^\d+$/.test(key)) return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}
