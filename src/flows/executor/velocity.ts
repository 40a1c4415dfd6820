import { Compile, parse } from 'velocityjs';
import { TOOLS, stringMethods } from './velocity-tools.js';

/**
 * Stands for a tool in the render context. Its methods are dispatched by name through velocityjs'
 * method handlers, so `$esc.url` without parentheses is an unknown property (printed literally, as
 * Velocity does) rather than a JavaScript function printed as source.
 */
class ToolReference {
  constructor(readonly name: string) {}
  toString(): string {
    return `$${this.name}`;
  }
}

type CompileConfig = NonNullable<ConstructorParameters<typeof Compile>[1]>;
interface MethodCall {
  property: string;
  context: unknown;
  params: unknown[];
}

const METHOD_HANDLERS: CompileConfig['customMethodHandlers'] = [
  {
    uid: 'daspeak-genesys: tools',
    match: ({ context }: MethodCall) => context instanceof ToolReference,
    resolve: ({ context, property, params }: MethodCall) => {
      const method = context instanceof ToolReference ? TOOLS[context.name]?.[property] : undefined;
      return method ? method(...params) : undefined;
    },
  },
  {
    // Only java.lang.String's methods: a JavaScript-only one would pass here and fail on Genesys.
    uid: 'daspeak-genesys: java strings',
    match: ({ context }: MethodCall) => typeof context === 'string',
    resolve: ({ context, property, params }: MethodCall) => {
      const method = Object.hasOwn(stringMethods, property) ? stringMethods[property] : undefined;
      return method && typeof context === 'string' ? method(context, ...params) : undefined;
    },
  },
];

export type RenderResult = { ok: true; text: string } | { ok: false; problem: string };

/**
 * Renders one template with Velocity. `data` holds the variables (`input`, `credentials`,
 * `rawResult`...); null values must already be left out, because Velocity prints a null reference
 * as its own text (`${x}`) or, silenced (`$!{x}`), as nothing. HTML escaping stays off: it would
 * turn the quotes of a JSON body into `&quot;`.
 */
export function renderVelocity(template: string, data: Record<string, unknown>): RenderResult {
  let asts: ReturnType<typeof parse>;
  try {
    asts = parse(template);
  } catch (err) {
    return { ok: false, problem: `Velocity could not parse it: ${oneLine(err)}` };
  }
  const context: Record<string, unknown> = { ...data };
  for (const name of Object.keys(TOOLS)) context[name] = new ToolReference(name);
  try {
    const compiled = new Compile(asts, { escape: false, customMethodHandlers: METHOD_HANDLERS });
    return { ok: true, text: compiled.render(context) };
  } catch (err) {
    return { ok: false, problem: `Velocity could not render it: ${oneLine(err)}` };
  }
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** A copy without null members, so Velocity treats them as unset (see renderVelocity). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === null ? undefined : withoutNulls(v)));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = withoutNulls(v);
    return out;
  }
  return value;
}
