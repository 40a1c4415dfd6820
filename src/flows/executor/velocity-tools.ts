/**
 * The Velocity tools Genesys puts in every data-action template (HELP "Velocity macros for data
 * actions"), written to behave like the Java originals where a JS built-in would not: a null or
 * missing argument gives null, which Velocity prints as the literal reference.
 */

type Tool = Record<string, (...args: unknown[]) => unknown>;

function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** RFC 3986 percent-encoding: everything but the unreserved characters, spaces as `%20`. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** java.net.URLEncoder (form encoding): spaces as `+`, and `*` is left alone. */
function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2A/g, '*');
}

/** A JSON string's content without the quotes, ready to sit between `"` and `"` in a body. */
function jsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export const escTool: Tool = {
  jsonString: (v) => mapText(v, jsonString),
  url: (v) => mapText(v, formEncode),
  urlFormEncode: (v) => mapText(v, formEncode),
  uriEncode: (v) => mapText(v, uriEncode),
};

export const encodingTool: Tool = {
  base64: (v) => mapText(v, (s) => Buffer.from(s, 'utf8').toString('base64')),
};

function mapText(value: unknown, fn: (s: string) => string): string | undefined {
  return withText(value, fn);
}

function withText<T>(value: unknown, fn: (s: string) => T): T | undefined {
  const s = text(value);
  return s === undefined ? undefined : fn(s);
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function numbers(args: unknown[]): number[] | undefined {
  const out: number[] = [];
  for (const a of args) {
    const n = toNumber(a);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out.length > 0 ? out : undefined;
}

/** A subset of velocity-tools' MathTool: any unparseable argument, or a division by zero, gives null. */
export const mathTool: Tool = {
  add: (...args) => numbers(args)?.reduce((a, b) => a + b),
  sub: (...args) => numbers(args)?.reduce((a, b) => a - b),
  mul: (...args) => numbers(args)?.reduce((a, b) => a * b),
  div: (...args) => {
    const ns = numbers(args);
    if (!ns || ns.slice(1).some((n) => n === 0)) return undefined;
    return ns.reduce((a, b) => a / b);
  },
  max: (...args) => {
    const ns = numbers(args);
    return ns ? Math.max(...ns) : undefined;
  },
  min: (...args) => {
    const ns = numbers(args);
    return ns ? Math.min(...ns) : undefined;
  },
  round: (v) => {
    const n = toNumber(v);
    // Java's Math.round rounds half up, as Math.round does.
    return n === undefined ? undefined : Math.round(n);
  },
  abs: (v) => {
    const n = toNumber(v);
    return n === undefined ? undefined : Math.abs(n);
  },
};

/**
 * The java.lang.String methods a template may call on an input. Others are not offered, so a
 * template that only works on JavaScript strings fails here as it would on Genesys.
 */
export const stringMethods: Record<string, (s: string, ...args: unknown[]) => unknown> = {
  length: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  trim: (s) => s.trim(),
  toUpperCase: (s) => s.toUpperCase(),
  toLowerCase: (s) => s.toLowerCase(),
  contains: (s, t) => withText(t, (u) => s.includes(u)),
  startsWith: (s, t) => withText(t, (u) => s.startsWith(u)),
  endsWith: (s, t) => withText(t, (u) => s.endsWith(u)),
  equals: (s, t) => s === t,
  equalsIgnoreCase: (s, t) => typeof t === 'string' && s.toLowerCase() === t.toLowerCase(),
  indexOf: (s, t) => withText(t, (u) => s.indexOf(u)),
  substring: (s, from, to) => {
    const a = toNumber(from);
    const b = to === undefined ? s.length : toNumber(to);
    if (a === undefined || b === undefined || a < 0 || b > s.length || a > b) return undefined;
    return s.substring(a, b);
  },
  // Java's replace(CharSequence, CharSequence) replaces every occurrence, unlike JS replace.
  replace: (s, from, to) => {
    const a = text(from);
    const b = text(to);
    return a === undefined || b === undefined ? undefined : s.replaceAll(a, () => b);
  },
  toString: (s: string) => s,
};

/** The tools by the name templates call them with (`$esc.url(...)`). */
export const TOOLS: Readonly<Record<string, Tool>> = { esc: escTool, encoding: encodingTool, math: mathTool };
