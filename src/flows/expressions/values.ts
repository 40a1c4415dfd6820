/**
 * Types and run-time values of Architect expressions, as far as the kit models them. A type the
 * checker cannot know (a built-in it does not model, a function it does not know) is `unknown`,
 * which matches anything: the validator must never reject a valid flow for what it does not model.
 */
export const EXPR_TYPES = [
  'string',
  'integer',
  'decimal',
  'boolean',
  'datetime',
  'duration',
  'json',
  'audio',
  'phoneNumber',
  'queue',
  'stringCollection',
  'integerCollection',
  'unknown',
] as const;
export type ExprType = (typeof EXPR_TYPES)[number];

/** Architect's "no value": distinct from the empty string. */
export const NOT_SET: unique symbol = Symbol('NOT_SET');
export type NotSet = typeof NOT_SET;

export interface Duration {
  kind: 'duration';
  ms: number;
}
/** Audio as the flow would play it: spoken text and silences, in order. */
export interface Audio {
  kind: 'audio';
  parts: ({ tts: string } | { silenceMs: number })[];
  /** AudioPlaybackOptions(…, allowBargeIn). */
  bargeIn?: boolean;
}
export interface PhoneNumber {
  kind: 'phoneNumber';
  raw: string;
  e164: string;
  dialingCode: string;
}
export interface Queue {
  kind: 'queue';
  id?: string;
  name?: string;
}

export type Scalar = string | number | boolean | Date | Duration | Audio | PhoneNumber | Queue;
export type Value = NotSet | Scalar | JsonValue | Value[];
export type JsonValue = null | string | number | boolean | JsonValue[] | { [k: string]: JsonValue };

export const isNotSet = (v: unknown): v is NotSet => v === NOT_SET;

/** Whether a value of type `from` may go where `to` is expected (Architect casts scalars to strings). */
export function assignable(from: ExprType, to: ExprType): boolean {
  if (from === to || from === 'unknown' || to === 'unknown') return true;
  if (from === 'integer' && to === 'decimal') return true;
  if (to === 'string') return !from.endsWith('Collection') && from !== 'audio' && from !== 'json';
  if (to === 'audio') return from === 'string';
  if (to === 'json') return true;
  return false;
}

/** The type an `updateData` statement kind or a `<kind>Variable` declaration holds. */
export const VARIABLE_KINDS: Record<string, ExprType> = {
  string: 'string',
  integer: 'integer',
  decimal: 'decimal',
  boolean: 'boolean',
  dateTime: 'datetime',
  duration: 'duration',
  json: 'json',
  queue: 'queue',
  phoneNumber: 'phoneNumber',
  stringCollection: 'stringCollection',
  integerCollection: 'integerCollection',
};

/** The expression type of a data-action contract property (JSON Schema `type`). */
export function typeOfSchema(schemaType: unknown): ExprType {
  switch (schemaType) {
    case 'string':
      return 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'decimal';
    case 'boolean':
      return 'boolean';
    default:
      return 'unknown';
  }
}

export function typeName(t: ExprType): string {
  return t === 'datetime' ? 'DateTime' : t === 'phoneNumber' ? 'PhoneNumber' : t;
}

/** Architect's text form of a value (ToString, participant data, TTS). */
export function toText(v: Value): string {
  if (isNotSet(v)) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(v)) return v.map(toText).join(', ');
  if (v !== null && typeof v === 'object' && 'kind' in v) {
    const k = v as Duration | Audio | PhoneNumber | Queue;
    switch (k.kind) {
      case 'duration':
        return `${k.ms}ms`;
      case 'audio':
        return k.parts.map((p) => ('tts' in p ? p.tts : '')).join(' ');
      case 'phoneNumber':
        return k.e164 || k.raw;
      case 'queue':
        return k.name ?? k.id ?? '';
      default:
        break;
    }
  }
  return JSON.stringify(v);
}
