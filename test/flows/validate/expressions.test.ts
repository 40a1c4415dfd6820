import { describe, expect, it } from 'vitest';
import {
  checkExpression,
  evaluate,
  NOT_SET,
  parseExpression,
  type Expr,
  type VariableInfo,
} from '../../../src/flows/expressions/index.js';

const vars: VariableInfo[] = [
  { name: 'Task.Status', type: 'string', secure: false },
  { name: 'Task.Poll', type: 'integer', secure: false },
  { name: 'Flow.Score', type: 'decimal', secure: false },
  { name: 'Task.Done', type: 'boolean', secure: false },
  { name: 'Secure.Credential', type: 'string', secure: true },
];
const lookup = (n: string) => vars.find((v) => v.name.toLowerCase() === n.toLowerCase());

function parsed(text: string): Expr {
  const r = parseExpression(text);
  if (!r.ok) throw new Error(r.problem.message);
  return r.expr;
}
const check = (text: string) => checkExpression(parsed(text), lookup, vars.map((v) => v.name));

describe('expression parser', () => {
  it('follows precedence: and binds tighter than or, comparison tighter than and', () => {
    const e = parsed('Task.Status == "a" or Task.Poll > 1 and Task.Done');
    expect(e.kind === 'binary' && e.op).toBe('or');
    const right = e.kind === 'binary' ? e.right : e;
    expect(right.kind === 'binary' && right.op).toBe('and');
  });

  it('parses calls, property access, unary operators and escapes', () => {
    const e = parsed('ToPhoneNumber(Call.Ani).e164');
    expect(e.kind).toBe('member');
    expect(parsed('-2.5').kind).toBe('unary');
    const s = parsed('"say \\"hi\\""');
    expect(s.kind === 'literal' && s.value).toBe('say "hi"');
  });

  it.each([
    ['Task.Status ==', 'the expression ends', 14],
    ["'single'", 'double quotes', 0],
    ['Append("a", "b"', "expected ')'", 15],
    ['Task.Poll 1', 'after a complete expression', 10],
    ['', 'empty', 0],
  ])('refuses %j with the position of the problem', (text, message, offset) => {
    const r = parseExpression(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.message).toContain(message);
      expect(r.problem.offset).toBe(offset);
    }
  });
});

describe('expression checker', () => {
  it('types operators, functions and built-ins', () => {
    expect(check('Task.Poll + 1').type).toBe('integer');
    expect(check('Flow.Score * 2').type).toBe('decimal');
    expect(check('Append("a", Task.Status)').type).toBe('string');
    expect(check('If(Task.Done, 1, 2.5)').type).toBe('decimal');
    expect(check('ToPhoneNumber(Call.Ani).e164').type).toBe('string');
    expect(check('Task.Status == "success" and Task.Poll < 3').issues).toEqual([]);
  });

  it('reports wrong arity and argument types as errors', () => {
    expect(check('ToAudioBlank()').issues[0]).toMatchObject({ severity: 'error', code: 'expression.arity' });
    expect(check('Substring("abc", "1", 2)').issues[0]).toMatchObject({
      severity: 'error',
      code: 'expression.type',
      start: 17,
    });
    expect(check('Task.Done and "yes"').issues[0]?.code).toBe('expression.type');
    expect(check('Task.Poll == "x"').issues[0]?.code).toBe('expression.type');
  });

  it('reports undeclared variables with a suggestion, and unknown built-ins or functions as warnings', () => {
    const undeclared = check('Task.Stauts == "x"').issues[0];
    expect(undeclared).toMatchObject({ severity: 'error', code: 'expression.undeclared_variable' });
    expect(undeclared?.hint).toContain('Task.Status');
    expect(check('Call.SomethingNew').issues[0]?.severity).toBe('warning');
    expect(check('FancyNewFunction(1)').issues[0]).toMatchObject({ severity: 'warning', code: 'expression.unknown_function' });
  });

  it('records secure reads', () => {
    expect(check('Secure.Credential').reads.map((v) => v.secure)).toEqual([true]);
  });
});

describe('expression evaluation', () => {
  const values: Record<string, unknown> = { 'task.status': 'fail-score', 'task.poll': 3, 'flow.score': 0.25 };
  const env = {
    read: (n: string) => values[n.toLowerCase()] as never,
    now: () => new Date('2025-01-02T03:04:05.678Z'),
  };
  it('evaluates what the kit flows use', () => {
    expect(evaluate(parsed('If(Task.Status == "success", "verified", If(Task.Status == "fail-score", "not-verified", "error"))'), env)).toBe('not-verified');
    expect(evaluate(parsed('Task.Poll + 1 >= 4 or Task.Status == "x"'), env)).toBe(true);
    expect(evaluate(parsed('ToString(Flow.Score)'), env)).toBe('0.25');
    expect(evaluate(parsed('ToString(GetCurrentDateTimeUtc())'), env)).toBe('2025-01-02T03:04:05Z');
    expect(evaluate(parsed('IsSet(NOT_SET)'), env)).toBe(false);
    expect(evaluate(parsed('NOT_SET == NOT_SET'), env)).toBe(true);
    expect(evaluate(parsed('AudioPlaybackOptions(ToAudioBlank(500), false)'), env)).toEqual({
      kind: 'audio',
      parts: [{ silenceMs: 500 }],
      bargeIn: false,
    });
  });
  it('fails at run time where Architect would', () => {
    expect(() => evaluate(parsed('Task.Poll / 0'), env)).toThrow(/division by zero/);
    expect(() => evaluate(parsed('Task.Missing'), env)).toThrow(/does not exist/);
    expect(NOT_SET).toBeTypeOf('symbol');
  });
});
