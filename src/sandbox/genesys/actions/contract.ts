/**
 * The contract rules Genesys applies when a data action is saved (reference §5.3): a flat input
 * schema of simple types with valid, unreserved names; no `$ref`; no nested arrays in the output;
 * JSON depth ≤ 50. Each problem is one sentence worded after Genesys' own.
 */
export const MAX_DEPTH = 50;
export const PROPERTY_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
export const RESERVED_INPUT_NAMES = ['orgId', 'integrationId', 'rawRequest'];
const SIMPLE_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'null']);
const ALL_TYPES = new Set([...SIMPLE_TYPES, 'object', 'array']);

const INPUT = 'contract.input.inputSchema';
const OUTPUT = 'contract.output.successSchema';
const SIMPLE_SCHEMA = `Failed Validation of ${INPUT} as a simple properties schema. Must be an Object with properties and no sub-objects or arrays of objects`;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Nesting depth of a JSON value (a scalar is 0). */
export function jsonDepth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(jsonDepth));
  if (isObject(value)) return 1 + Math.max(0, ...Object.values(value).map(jsonDepth));
  return 0;
}

function refPaths(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => refPaths(v, `${path}[${i}]`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' ? [path] : refPaths(v, `${path}.${k}`)));
}

function typesOf(node: Json): string[] {
  const t = node.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

function requiredProblems(node: Json, path: string): string[] {
  if (node.required === undefined) return [];
  if (!Array.isArray(node.required) || !node.required.every((r) => typeof r === 'string')) {
    return [`Failed Validation of ${path}: "required" must be an array of property names`];
  }
  const props = isObject(node.properties) ? node.properties : {};
  return node.required
    .filter((r) => !(r in props))
    .map((r) => `Failed Validation of ${path}: required property '${r}' is not defined in properties`);
}

function inputProblems(schema: unknown): string[] {
  if (!isObject(schema) || schema.type !== 'object')
    return [`${SIMPLE_SCHEMA}: the schema must have "type": "object"`];
  if (schema.properties !== undefined && !isObject(schema.properties)) {
    return [`${SIMPLE_SCHEMA}: "properties" must be an object`];
  }
  const problems: string[] = [];
  for (const [name, prop] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
    if (RESERVED_INPUT_NAMES.includes(name)) {
      problems.push(
        `Failed Validation of ${INPUT}: '${name}' is a reserved name (${RESERVED_INPUT_NAMES.join(', ')})`,
      );
    } else if (!PROPERTY_NAME.test(name)) {
      problems.push(
        `Failed Validation of ${INPUT}: property name '${name}' must match ${PROPERTY_NAME.source}`,
      );
    }
    const types = isObject(prop) ? typesOf(prop) : [];
    if (types.length === 0 || !types.every((t) => SIMPLE_TYPES.has(t))) {
      problems.push(
        `${SIMPLE_SCHEMA}: '${name}' has type ${JSON.stringify(isObject(prop) ? (prop.type ?? null) : null)}; inputs must be string, integer, number, boolean or null`,
      );
    }
  }
  return [...problems, ...requiredProblems(schema, INPUT)];
}

function outputProblems(schema: unknown): string[] {
  if (!isObject(schema)) return [`Failed Validation of ${OUTPUT}: must be a JSON schema object`];
  const rootTypes = typesOf(schema);
  if (!rootTypes.includes('object') && !rootTypes.includes('array')) {
    return [`Failed Validation of ${OUTPUT}: the schema must have "type": "object" (or "array")`];
  }
  const problems: string[] = [];
  const walk = (node: unknown, path: string, insideArray: boolean) => {
    if (!isObject(node)) {
      problems.push(`Failed Validation of ${OUTPUT}: ${path} must be a schema object`);
      return;
    }
    const types = typesOf(node);
    for (const t of types)
      if (!ALL_TYPES.has(t)) problems.push(`Failed Validation of ${OUTPUT}: ${path} has unknown type '${t}'`);
    const isArray = types.includes('array');
    if (isArray && insideArray) {
      problems.push(
        `Failed Validation of ${OUTPUT}: ${path} is an array inside an array; nested arrays are not supported`,
      );
      return;
    }
    if (isObject(node.properties)) {
      for (const [name, child] of Object.entries(node.properties)) {
        if (!PROPERTY_NAME.test(name)) {
          problems.push(
            `Failed Validation of ${OUTPUT}: property name '${name}' must match ${PROPERTY_NAME.source}`,
          );
        }
        walk(child, `${path}.${name}`, insideArray);
      }
      problems.push(...requiredProblems(node, path));
    }
    if (isArray && node.items !== undefined) {
      if (Array.isArray(node.items)) {
        problems.push(`Failed Validation of ${OUTPUT}: ${path}.items must be one schema, not a tuple`);
      } else walk(node.items, `${path}.items`, true);
    }
  };
  walk(schema, OUTPUT, false);
  return problems;
}

/** Everything wrong with a contract; empty when Genesys would accept it. */
export function contractProblems(contract: {
  input: { inputSchema: unknown };
  output: { successSchema: unknown };
}): string[] {
  if (jsonDepth(contract) > MAX_DEPTH) {
    return [`Failed Validation of contract: JSON objects may be nested at most ${MAX_DEPTH} levels deep`];
  }
  const refs = refPaths(contract, 'contract');
  if (refs.length > 0)
    return refs.map((p) => `Failed Validation of ${p}: $ref is not supported in contracts`);
  return [...inputProblems(contract.input.inputSchema), ...outputProblems(contract.output.successSchema)];
}

/**
 * The output names Architect shows for a success schema: nested objects joined with `.`, arrays of
 * objects as parallel collections named by their item properties.
 */
export function flattenedOutputNames(schema: unknown, prefix = ''): string[] {
  if (!isObject(schema)) return prefix ? [prefix] : [];
  const types = typesOf(schema);
  if (types.includes('object') && isObject(schema.properties)) {
    return Object.entries(schema.properties).flatMap(([k, v]) =>
      flattenedOutputNames(v, prefix ? `${prefix}.${k}` : k),
    );
  }
  if (types.includes('array') && isObject(schema.items) && typesOf(schema.items).includes('object')) {
    return flattenedOutputNames(schema.items, prefix);
  }
  return prefix ? [prefix] : [];
}

/** An output value in Architect's flattened form (`{ "a.b": 1, "list.x": [1, 2] }`). */
export function flattenValue(
  value: unknown,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) flattenValue(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.length > 0 && value.every(isObject)) {
    const keys = new Set(value.flatMap((v) => Object.keys(v)));
    for (const k of keys) out[prefix ? `${prefix}.${k}` : k] = value.map((v) => v[k] ?? null);
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}
