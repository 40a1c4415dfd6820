/**
 * Evaluation of a parsed expression for `flows run`. A failure (NOT_SET where a value is needed, a
 * function the kit cannot evaluate) throws ExpressionRuntimeError, which the interpreter treats as
 * Architect treats a run-time error: the flow's error handling takes over.
 */
import type { Expr } from './ast.js';
import { ExpressionRuntimeError, findFunction, type FunctionEnv } from './functions.js';
import { NOT_SET, isNotSet, toText, type Value } from './values.js';

export interface EvalEnv extends FunctionEnv {
  /** The value of a variable or built-in by full name; undefined when it does not exist. */
  read(name: string): Value | undefined;
}

function property(base: Value, name: string): Value {
  if (isNotSet(base)) throw new ExpressionRuntimeError(`cannot read "${name}" of NOT_SET`);
  if (base !== null && typeof base === 'object' && !Array.isArray(base) && !(base instanceof Date)) {
    if ('kind' in base && typeof base.kind === 'string') {
      const found = Object.entries(base).find(([k]) => k.toLowerCase() === name.toLowerCase());
      if (found) return found[1] as Value;
    } else if (name in base) {
      return (base as Record<string, Value>)[name]!;
    }
  }
  throw new ExpressionRuntimeError(`the value has no property "${name}"`);
}

const isNumber = (v: Value): v is number => typeof v === 'number';

function equal(a: Value, b: Value): boolean {
  if (isNotSet(a) || isNotSet(b)) return a === b;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'object' || typeof b === 'object') return toText(a) === toText(b);
  return a === b;
}

export function evaluate(expr: Expr, env: EvalEnv): Value {
  const visit = (e: Expr): Value => {
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'notSet':
        return NOT_SET;
      case 'ref': {
        for (let n = e.path.length; n >= 2; n--) {
          const v = env.read(e.path.slice(0, n).join('.'));
          if (v !== undefined) return e.path.slice(n).reduce<Value>((acc, p) => property(acc, p), v);
        }
        throw new ExpressionRuntimeError(`${e.path.join('.')} does not exist`);
      }
      case 'member':
        return property(visit(e.object), e.property);
      case 'index': {
        const base = visit(e.object);
        const i = visit(e.index);
        if (!Array.isArray(base) || !isNumber(i) || i < 0 || i >= base.length)
          throw new ExpressionRuntimeError('index out of range');
        return base[i] as Value;
      }
      case 'unary': {
        const v = visit(e.operand);
        if (e.op === '!') {
          if (typeof v !== 'boolean') throw new ExpressionRuntimeError('"!" of a value that is not a boolean');
          return !v;
        }
        if (!isNumber(v)) throw new ExpressionRuntimeError('"-" of a value that is not a number');
        return -v;
      }
      case 'binary': {
        if (e.op === 'and' || e.op === 'or') {
          const l = visit(e.left);
          if (typeof l !== 'boolean') throw new ExpressionRuntimeError(`"${e.op}" of a value that is not a boolean`);
          if (e.op === 'and' ? !l : l) return l;
          const r = visit(e.right);
          if (typeof r !== 'boolean') throw new ExpressionRuntimeError(`"${e.op}" of a value that is not a boolean`);
          return r;
        }
        const l = visit(e.left);
        const r = visit(e.right);
        if (e.op === '==') return equal(l, r);
        if (e.op === '!=') return !equal(l, r);
        if (isNotSet(l) || isNotSet(r)) throw new ExpressionRuntimeError(`"${e.op}" of NOT_SET`);
        if (e.op === '+' && (typeof l === 'string' || typeof r === 'string')) return toText(l) + toText(r);
        if (typeof l === 'string' && typeof r === 'string') {
          const c = l.localeCompare(r);
          if (e.op === '<') return c < 0;
          if (e.op === '<=') return c <= 0;
          if (e.op === '>') return c > 0;
          if (e.op === '>=') return c >= 0;
        }
        const a = l instanceof Date ? l.getTime() : l;
        const b = r instanceof Date ? r.getTime() : r;
        if (!isNumber(a) || !isNumber(b)) throw new ExpressionRuntimeError(`"${e.op}" of values that are not numbers`);
        switch (e.op) {
          case '<':
            return a < b;
          case '<=':
            return a <= b;
          case '>':
            return a > b;
          case '>=':
            return a >= b;
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            if (b === 0) throw new ExpressionRuntimeError('division by zero');
            return a / b;
          case '%':
            if (b === 0) throw new ExpressionRuntimeError('division by zero');
            return a % b;
        }
        throw new ExpressionRuntimeError("unknown operator");
      }
      case 'call': {
        const spec = findFunction(e.name);
        if (!spec?.impl) {
          throw new ExpressionRuntimeError(
            `${e.name}() cannot be evaluated by flows run (the kit checks it but does not run it)`,
          );
        }
        // If() evaluates only the branch it takes, as a conditional should.
        if (spec.name === 'If' && e.args.length === 3) {
          const c = visit(e.args[0]!);
          if (typeof c !== 'boolean') throw new ExpressionRuntimeError('If: the condition is not a boolean');
          return visit(c ? e.args[1]! : e.args[2]!);
        }
        return spec.impl(e.args.map(visit), env);
      }
    }
  };
  return visit(expr);
}
