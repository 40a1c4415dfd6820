/**
 * Type checking of a parsed expression against the variables in scope: names resolved by scope
 * (`Flow.`, `Task.`, `State.`, `Common.`, `Secure.` are declared in the flow; `Call.`… are built in),
 * function names, arity and argument types, operators. Errors are what Architect would refuse;
 * warnings are what the kit does not model (an unknown function or built-in), never a refusal.
 */
import type { Expr, Span } from './ast.js';
import { arityText, findFunction, knownFunctionNames } from './functions.js';
import { assignable, typeName, type ExprType } from './values.js';

export interface VariableInfo {
  /** As declared, e.g. `Task.Status`. */
  name: string;
  type: ExprType;
  /** A `Secure.` variable: write-only outside secure actions. */
  secure: boolean;
}

export interface ExprIssue extends Span {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  hint?: string;
}

/** Scopes whose variables a flow declares. */
export const DECLARED_SCOPES = ['Flow', 'Task', 'State', 'Common', 'Secure'] as const;

/** Built-in variables the kit models (reference/archy.md §7; case-insensitive). */
export const BUILTINS: Record<string, ExprType> = {
  'call.ani': 'string',
  'call.conversationid': 'string',
  'call.calledaddress': 'string',
  'call.calledaddressoriginal': 'string',
  'call.externaltag': 'string',
  'call.language': 'string',
  'call.currentqueue': 'queue',
  'call.estimatedwaittime': 'duration',
  'flow.holdprompt': 'unknown',
  'flow.istest': 'boolean',
  'flow.startdatetimeutc': 'datetime',
  'flow.invocationdata': 'unknown',
};

/** Scopes of other built-ins (other flow types, prompts): not modelled, so never an error. */
const OTHER_BUILTIN_SCOPES = new Set(
  ['Call', 'Email', 'Message', 'Chat', 'Session', 'System', 'Slot', 'Survey', 'Workitem', 'Utterance', 'Prompt', 'PromptSystem', 'Interaction', 'Conversation', 'Bot', 'Memory', 'Workflow'].map((s) => s.toLowerCase()),
);

const PROPERTIES: Partial<Record<ExprType, Record<string, ExprType>>> = {
  phoneNumber: { e164: 'string', dialingcode: 'string', raw: 'string' },
  queue: { id: 'string', name: 'string' },
};

export interface CheckResult {
  type: ExprType;
  issues: ExprIssue[];
  /** Variables the expression reads. */
  reads: VariableInfo[];
}

export type VariableLookup = (name: string) => VariableInfo | undefined;

function didYouMean(name: string, candidates: string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

const numeric = (t: ExprType) => t === 'integer' || t === 'decimal' || t === 'unknown';

/**
 * Checks `expr`. `lookup` finds a declared variable by full name (case-insensitive); `declared`
 * lists every declared name for "did you mean".
 */
export function checkExpression(expr: Expr, lookup: VariableLookup, declared: string[] = []): CheckResult {
  const issues: ExprIssue[] = [];
  const reads: VariableInfo[] = [];
  const add = (span: Span, severity: ExprIssue['severity'], code: string, message: string, hint?: string) =>
    issues.push({ start: span.start, end: span.end, severity, code, message, ...(hint ? { hint } : {}) });

  const member = (base: ExprType, property: string, span: Span): ExprType => {
    if (base === 'unknown' || base === 'json') return base;
    const props = PROPERTIES[base];
    const found = props?.[property.toLowerCase()];
    if (found) return found;
    add(
      span,
      'warning',
      'expression.unknown_property',
      `${typeName(base)} has no property "${property}" the kit knows`,
      props ? `known: ${Object.keys(props).join(', ')}` : undefined,
    );
    return 'unknown';
  };

  const ref = (e: Expr & { kind: 'ref' }): ExprType => {
    const [scope, ...rest] = e.path;
    if (rest.length === 0) {
      add(e, 'error', 'expression.bare_name', `"${scope}" is not a variable: names are written Scope.Name`, 'for example Flow.Result, Task.Status or Call.Ani');
      return 'unknown';
    }
    // The longest declared prefix is the variable; what follows are properties.
    for (let n = e.path.length; n >= 2; n--) {
      const name = e.path.slice(0, n).join('.');
      const v = lookup(name);
      const builtin = BUILTINS[name.toLowerCase()];
      if (v || builtin) {
        if (v) reads.push(v);
        let t: ExprType = v ? v.type : builtin!;
        for (const p of e.path.slice(n)) t = member(t, p, e);
        return t;
      }
    }
    const scopeLower = scope!.toLowerCase();
    const declaredScope = DECLARED_SCOPES.find((s) => s.toLowerCase() === scopeLower);
    const name = `${scope}.${rest[0]}`;
    if (declaredScope) {
      const suggestion = didYouMean(name, declared);
      add(
        e,
        'error',
        'expression.undeclared_variable',
        `${name} is not declared`,
        suggestion
          ? `did you mean ${suggestion}?`
          : `declare it under variables (of the flow, or of the task for Task.) before using it`,
      );
    } else if (OTHER_BUILTIN_SCOPES.has(scopeLower)) {
      add(e, 'warning', 'expression.unknown_builtin', `${name} is a built-in the kit does not model`);
    } else {
      add(
        e,
        'warning',
        'expression.unknown_scope',
        `${name}: "${scope}" is not a scope the kit knows`,
        `variables are Flow., Task., State., Common. or Secure.; built-ins are Call. and the like`,
      );
    }
    return 'unknown';
  };

  const visit = (e: Expr): ExprType => {
    switch (e.kind) {
      case 'literal':
        return e.type;
      case 'notSet':
        return 'unknown';
      case 'ref':
        return ref(e);
      case 'member':
        return member(visit(e.object), e.property, e);
      case 'index': {
        const base = visit(e.object);
        const idx = visit(e.index);
        if (!numeric(idx)) add(e.index, 'error', 'expression.type', `an index must be an integer, not ${typeName(idx)}`);
        return base === 'stringCollection' ? 'string' : base === 'integerCollection' ? 'integer' : 'unknown';
      }
      case 'unary': {
        const t = visit(e.operand);
        if (e.op === '!') {
          if (!assignable(t, 'boolean'))
            add(e, 'error', 'expression.type', `"!" needs a boolean, not ${typeName(t)}`);
          return 'boolean';
        }
        if (!numeric(t) && t !== 'duration')
          add(e, 'error', 'expression.type', `"-" needs a number, not ${typeName(t)}`);
        return t;
      }
      case 'binary':
        return binary(e);
      case 'call':
        return call(e);
    }
  };

  const binary = (e: Expr & { kind: 'binary' }): ExprType => {
    const l = visit(e.left);
    const r = visit(e.right);
    switch (e.op) {
      case 'and':
      case 'or':
        for (const [t, side] of [
          [l, e.left],
          [r, e.right],
        ] as const) {
          if (!assignable(t, 'boolean'))
            add(side, 'error', 'expression.type', `"${e.op}" needs booleans on both sides, not ${typeName(t)}`);
        }
        return 'boolean';
      case '==':
      case '!=':
        if (!(l === r || l === 'unknown' || r === 'unknown' || (numeric(l) && numeric(r))))
          add(e, 'error', 'expression.type', `cannot compare ${typeName(l)} with ${typeName(r)}`);
        return 'boolean';
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const ok =
          (numeric(l) && numeric(r)) ||
          l === 'unknown' ||
          r === 'unknown' ||
          (l === r && (l === 'datetime' || l === 'duration' || l === 'string'));
        if (!ok) add(e, 'error', 'expression.type', `cannot order ${typeName(l)} and ${typeName(r)} with "${e.op}"`);
        return 'boolean';
      }
      case '+':
        if (l === 'string' || r === 'string') return 'string';
        if (l === 'datetime' && (r === 'duration' || r === 'unknown')) return 'datetime';
        if (l === 'duration' && r === 'duration') return 'duration';
        break;
      default:
        break;
    }
    if (!numeric(l) || !numeric(r)) {
      add(e, 'error', 'expression.type', `"${e.op}" needs numbers, not ${typeName(l)} and ${typeName(r)}`);
      return 'unknown';
    }
    if (l === 'unknown' || r === 'unknown') return 'unknown';
    return e.op === '/' || l === 'decimal' || r === 'decimal' ? 'decimal' : 'integer';
  };

  const call = (e: Expr & { kind: 'call' }): ExprType => {
    const args = e.args.map(visit);
    const spec = findFunction(e.name);
    const nameSpan = { start: e.start, end: e.nameEnd };
    if (!spec) {
      const suggestion = didYouMean(e.name, knownFunctionNames());
      add(
        nameSpan,
        'warning',
        'expression.unknown_function',
        `${e.name} is not a function the kit knows`,
        suggestion ? `did you mean ${suggestion}?` : 'the flow is not checked past it',
      );
      return 'unknown';
    }
    const min = spec.variadic ? spec.params.length : (spec.optionalFrom ?? spec.params.length);
    const max = spec.variadic ? Infinity : spec.params.length;
    if (args.length < min || args.length > max) {
      add(
        e,
        'error',
        'expression.arity',
        `${spec.name} takes ${arityText(spec)} argument${arityText(spec) === '1' ? '' : 's'}, not ${args.length}`,
      );
    }
    args.forEach((t, i) => {
      const want = spec.params[Math.min(i, spec.params.length - 1)];
      if (want && i < max && !assignable(t, want)) {
        add(
          e.args[i]!,
          'error',
          'expression.type',
          `argument ${i + 1} of ${spec.name} must be ${typeName(want)}, not ${typeName(t)}`,
        );
      }
    });
    return typeof spec.returns === 'function' ? spec.returns(args) : spec.returns;
  };

  const type = visit(expr);
  return { type, issues, reads };
}
