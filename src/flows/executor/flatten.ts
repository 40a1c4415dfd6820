import type { JsonValue } from './result.js';

/** One output variable as Architect's Call Data Action offers it. */
export interface FlatOutput {
  /** Dot-joined path, e.g. `details.errorCode`, `matches.score`. */
  name: string;
  /** JSON type of the value (first non-null type of a union); `unknown` when the schema names none. */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'unknown';
  /** True when Architect sees a collection: an array, or a property under an array of objects. */
  collection: boolean;
}

type SchemaNode = Record<string, unknown>;

/**
 * Lists the outputs Architect shows for a success schema: nested object properties become
 * dot-joined names and an array of objects becomes parallel collections, one per property
 * (`items: [{id, score}]` → `items.id`, `items.score`). An object with no declared properties gives
 * no output. (Observed in public flows, not read from an official page.)
 */
export function flattenOutputSchema(schema: unknown): FlatOutput[] {
  const out: FlatOutput[] = [];
  const walk = (node: unknown, name: string, collection: boolean): void => {
    if (!isObject(node)) return;
    const type = primaryType(node);
    if (type === 'object' || (type === undefined && isObject(node.properties))) {
      for (const [key, child] of Object.entries(isObject(node.properties) ? node.properties : {})) {
        walk(child, join(name, key), collection);
      }
      return;
    }
    if (type === 'array') {
      const items: unknown = Array.isArray(node.items) ? node.items[0] : node.items;
      if (isObject(items)) walk(items, name, true);
      else if (name !== '') out.push({ name, type: 'unknown', collection: true });
      return;
    }
    if (name === '') return;
    out.push({ name, type: isScalarType(type) ? type : 'unknown', collection });
  };
  walk(schema, '', false);
  return out;
}

/**
 * Flattens an output value the same way (what `POST .../test?flatten=true` answers): nested
 * properties dot-joined, arrays of objects as parallel arrays, a missing member as null.
 */
export function flattenOutputValue(value: JsonValue): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  const walk = (node: JsonValue, name: string): void => {
    if (Array.isArray(node)) {
      if (node.length > 0 && node.every((v) => isObject(v))) {
        const rows = node.map((v) => flattenOutputValue(v));
        const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
        for (const key of keys) out[join(name, key)] = rows.map((r) => (Object.hasOwn(r, key) ? (r[key] ?? null) : null));
      } else if (name !== '') {
        out[name] = node;
      }
      return;
    }
    if (isObject(node)) {
      for (const [key, child] of Object.entries(node)) walk(child, join(name, key));
      return;
    }
    if (name !== '') out[name] = node;
  };
  walk(value, '');
  return out;
}

function primaryType(node: SchemaNode): string | undefined {
  if (typeof node.type === 'string') return node.type;
  if (Array.isArray(node.type)) return node.type.find((t): t is string => typeof t === 'string' && t !== 'null');
  return undefined;
}

function isScalarType(type: string | undefined): type is FlatOutput['type'] {
  return type === 'string' || type === 'integer' || type === 'number' || type === 'boolean';
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

function isObject(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
