/**
 * The Architect functions the kit knows: name, arity, parameter and result types, whether the name
 * was seen in a real Archy export or only in a third-party list (docs/archy-yaml.md), and, for the
 * ones `flows run` can evaluate, an implementation. A name not listed here is not an error: the
 * checker warns and types it `unknown` (Architect has many more functions).
 */
import { normaliseAni } from '../../identity/ani.js';
import {
  NOT_SET,
  isNotSet,
  toText,
  type Audio,
  type ExprType,
  type PhoneNumber,
  type Value,
} from './values.js';

export class ExpressionRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionRuntimeError';
  }
}

export type Source = 'export' | 'third-party';

export interface FunctionSpec {
  name: string;
  params: ExprType[];
  /** Parameters from this index on are optional. */
  optionalFrom?: number;
  /** The last parameter repeats (Append). */
  variadic?: boolean;
  /** The result type, or how it follows from the argument types (If). */
  returns: ExprType | ((args: ExprType[]) => ExprType);
  source: Source;
  impl?: (args: Value[], env: FunctionEnv) => Value;
}

export interface FunctionEnv {
  now(): Date;
}

const str = (v: Value, fn: string): string => {
  if (isNotSet(v)) throw new ExpressionRuntimeError(`${fn}: an argument is NOT_SET`);
  return toText(v);
};
const int = (v: Value, fn: string): number => {
  if (typeof v !== 'number') throw new ExpressionRuntimeError(`${fn}: expected a number, got ${toText(v)}`);
  return v;
};
const audioOf = (v: Value): Audio =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'kind' in v && v.kind === 'audio'
    ? (v as Audio)
    : { kind: 'audio', parts: [{ tts: toText(v) }] };

function phone(raw: string): PhoneNumber {
  let e164 = '';
  try {
    e164 = normaliseAni(raw);
  } catch {
    // Architect keeps an unparsable number's text; e164 is then empty.
  }
  const cc = /^\+(\d{1,3})/.exec(e164)?.[1] ?? '';
  return { kind: 'phoneNumber', raw, e164, dialingCode: cc ? `+${cc}` : '' };
}

const unify = (a: ExprType | undefined, b: ExprType | undefined): ExprType =>
  a === b ? (a ?? 'unknown') : a === 'unknown' ? (b ?? 'unknown') : b === 'unknown' ? a! : a === 'integer' && b === 'decimal' ? 'decimal' : a === 'decimal' && b === 'integer' ? 'decimal' : 'unknown';

const SPECS: FunctionSpec[] = [
  // Seen in public Archy exports (reference/archy.md §7).
  { name: 'ToString', params: ['unknown'], returns: 'string', source: 'export', impl: ([v]) => toText(v!) },
  {
    name: 'ToInt',
    params: ['unknown'],
    returns: 'integer',
    source: 'export',
    impl: ([v]) => {
      const n = typeof v === 'number' ? Math.trunc(v) : Number.parseInt(str(v!, 'ToInt'), 10);
      if (Number.isNaN(n)) throw new ExpressionRuntimeError(`ToInt: "${toText(v!)}" is not a number`);
      return n;
    },
  },
  {
    name: 'ToPhoneNumber',
    params: ['string'],
    returns: 'phoneNumber',
    source: 'export',
    impl: ([v]) => phone(str(v!, 'ToPhoneNumber')),
  },
  { name: 'IsSet', params: ['unknown'], returns: 'boolean', source: 'export', impl: ([v]) => !isNotSet(v) },
  {
    name: 'IsNotSetOrEmpty',
    params: ['unknown'],
    returns: 'boolean',
    source: 'export',
    impl: ([v]) => isNotSet(v) || v === '' || (Array.isArray(v) && v.length === 0),
  },
  {
    name: 'Replace',
    params: ['string', 'string', 'string'],
    returns: 'string',
    source: 'export',
    impl: ([s, a, b]) => str(s!, 'Replace').split(str(a!, 'Replace')).join(str(b!, 'Replace')),
  },
  {
    name: 'Left',
    params: ['string', 'integer'],
    returns: 'string',
    source: 'export',
    impl: ([s, n]) => str(s!, 'Left').slice(0, Math.max(0, int(n!, 'Left'))),
  },
  {
    name: 'Substring',
    params: ['string', 'integer', 'integer'],
    returns: 'string',
    source: 'export',
    impl: ([s, a, n]) => str(s!, 'Substring').substr(int(a!, 'Substring'), int(n!, 'Substring')),
  },
  {
    name: 'FindString',
    params: ['string', 'string'],
    returns: 'integer',
    source: 'export',
    impl: ([s, f]) => str(s!, 'FindString').indexOf(str(f!, 'FindString')),
  },
  {
    name: 'Contains',
    params: ['unknown', 'unknown'],
    returns: 'boolean',
    source: 'export',
    impl: ([s, f]) =>
      Array.isArray(s) ? s.some((x) => toText(x) === toText(f!)) : str(s!, 'Contains').includes(str(f!, 'Contains')),
  },
  { name: 'Lower', params: ['string'], returns: 'string', source: 'export', impl: ([s]) => str(s!, 'Lower').toLowerCase() },
  { name: 'Trim', params: ['string'], returns: 'string', source: 'export', impl: ([s]) => str(s!, 'Trim').trim() },
  {
    name: 'Append',
    params: ['string'],
    variadic: true,
    returns: 'string',
    source: 'export',
    // NOT_SET appends as nothing (third-party note: Append "handles NOT_SET").
    impl: (args) => args.map((a) => toText(a)).join(''),
  },
  {
    name: 'If',
    params: ['boolean', 'unknown', 'unknown'],
    returns: (a) => unify(a[1], a[2]),
    source: 'export',
    impl: ([c, a, b]) => {
      if (typeof c !== 'boolean') throw new ExpressionRuntimeError('If: the condition is not a boolean');
      return c ? a! : b!;
    },
  },
  {
    name: 'GetAt',
    params: ['unknown', 'integer'],
    returns: (a) =>
      a[0] === 'stringCollection' ? 'string' : a[0] === 'integerCollection' ? 'integer' : 'unknown',
    source: 'export',
    impl: ([c, i]) => {
      if (!Array.isArray(c)) throw new ExpressionRuntimeError('GetAt: not a collection');
      const n = int(i!, 'GetAt');
      if (n < 0 || n >= c.length) throw new ExpressionRuntimeError(`GetAt: index ${n} is out of range`);
      return c[n] as Value;
    },
  },
  {
    name: 'FindFirst',
    params: ['unknown', 'unknown'],
    returns: 'integer',
    source: 'export',
    impl: ([c, v]) => (Array.isArray(c) ? c.findIndex((x) => toText(x) === toText(v!)) : -1),
  },
  {
    name: 'GetCurrentDateTimeUtc',
    params: [],
    returns: 'datetime',
    source: 'export',
    impl: (_a, env) => env.now(),
  },
  {
    name: 'DateTimeDiff',
    params: ['datetime', 'datetime'],
    returns: 'duration',
    source: 'export',
    impl: ([a, b]) => {
      if (!(a instanceof Date) || !(b instanceof Date)) throw new ExpressionRuntimeError('DateTimeDiff: not a DateTime');
      return { kind: 'duration', ms: a.getTime() - b.getTime() };
    },
  },
  { name: 'AddMinutes', params: ['datetime', 'integer'], returns: 'datetime', source: 'export' },
  { name: 'AddHours', params: ['datetime', 'integer'], returns: 'datetime', source: 'export' },
  { name: 'ToDateTime', params: ['string'], returns: 'datetime', source: 'export' },
  { name: 'MakeDuration', params: ['integer', 'integer', 'integer', 'integer'], returns: 'duration', source: 'export' },
  { name: 'JsonParse', params: ['string'], returns: 'json', source: 'export' },
  { name: 'GetJsonObjectProperty', params: ['json', 'string'], returns: 'json', source: 'export' },
  {
    name: 'ToAudioBlank',
    params: ['integer'],
    returns: 'audio',
    source: 'export',
    impl: ([ms]) => ({ kind: 'audio', parts: [{ silenceMs: Math.max(0, int(ms!, 'ToAudioBlank')) }] }),
  },
  {
    name: 'ToAudioTTS',
    params: ['string'],
    returns: 'audio',
    source: 'export',
    impl: ([t]) => ({ kind: 'audio', parts: [{ tts: str(t!, 'ToAudioTTS') }] }),
  },
  {
    name: 'AudioPlaybackOptions',
    params: ['audio', 'boolean'],
    returns: 'audio',
    source: 'export',
    impl: ([a, b]) => ({ ...audioOf(a!), bargeIn: b === true }),
  },
  { name: 'ToAudioDuration', params: ['duration'], returns: 'audio', source: 'export' },
  {
    name: 'FindQueueById',
    params: ['string'],
    returns: 'queue',
    source: 'export',
    impl: ([id]) => ({ kind: 'queue', id: str(id!, 'FindQueueById') }),
  },
  { name: 'MakeList', params: ['unknown'], variadic: true, returns: 'unknown', source: 'export', impl: (args) => args },
  // Listed by a third-party cheat sheet only (docs/archy-yaml.md): known, but not seen in an export.
  {
    name: 'ToDecimal',
    params: ['unknown'],
    returns: 'decimal',
    source: 'third-party',
    impl: ([v]) => {
      const n = typeof v === 'number' ? v : Number(str(v!, 'ToDecimal'));
      if (Number.isNaN(n)) throw new ExpressionRuntimeError(`ToDecimal: "${toText(v!)}" is not a number`);
      return n;
    },
  },
  { name: 'ToUpper', params: ['string'], returns: 'string', source: 'third-party', impl: ([s]) => str(s!, 'ToUpper').toUpperCase() },
  { name: 'ToLower', params: ['string'], returns: 'string', source: 'third-party', impl: ([s]) => str(s!, 'ToLower').toLowerCase() },
  { name: 'Length', params: ['string'], returns: 'integer', source: 'third-party', impl: ([s]) => str(s!, 'Length').length },
  {
    name: 'Count',
    params: ['unknown'],
    returns: 'integer',
    source: 'third-party',
    impl: ([c]) => (Array.isArray(c) ? c.length : 0),
  },
  { name: 'ToBoolean', params: ['unknown'], returns: 'boolean', source: 'third-party' },
];

const BY_NAME = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));

/** Function names are matched without regard to case, as Architect's editor does. */
export function findFunction(name: string): FunctionSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function knownFunctionNames(): string[] {
  return SPECS.map((s) => s.name);
}

export function arityText(s: FunctionSpec): string {
  if (s.variadic) return `at least ${s.params.length}`;
  if (s.optionalFrom !== undefined) return `${s.optionalFrom} to ${s.params.length}`;
  return String(s.params.length);
}

export { NOT_SET };
