/**
 * A parser for the subset of Architect's expression language the kit uses (and a little more):
 * literals (strings, integers, decimals, true/false, NOT_SET), dotted variable references, function
 * calls, property and index access, unary `-`/`!`, arithmetic, comparisons, `and`/`or`, parentheses.
 *
 * Built with Chevrotain (an LL(k) parsing library: no generated code, TypeScript types, precise
 * token positions, a lexer and parser that are fast enough to run on every expression of every flow
 * on each validation). See docs/flows.md, "Expression parser", for why it was chosen.
 *
 * Precedence, highest first (third-party cheat sheet, see docs/archy-yaml.md): `.` `[]`, unary,
 * `* / %`, `+ -`, `< <= > >=`, `== !=`, `and`, `or`.
 */
import {
  createToken,
  EmbeddedActionsParser,
  Lexer,
  type IToken,
  type TokenType,
  type IRecognitionException,
} from 'chevrotain';
import type { BinaryOp, Expr } from './ast.js';

const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
const keyword = (name: string, word: string) =>
  createToken({ name, pattern: new RegExp(`${word}(?![A-Za-z0-9_])`, 'i'), longer_alt: Identifier });

const And = keyword('And', 'and');
const Or = keyword('Or', 'or');
const True = keyword('True', 'true');
const False = keyword('False', 'false');
const NotSet = keyword('NotSet', 'NOT_SET');
const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\r\n]|\\.)*"/ });
const Decimal = createToken({ name: 'Decimal', pattern: /\d+\.\d+/ });
const Integer = createToken({ name: 'Integer', pattern: /\d+/, longer_alt: Decimal });
const Eq = createToken({ name: 'Eq', pattern: /==/ });
const Neq = createToken({ name: 'Neq', pattern: /!=/ });
const Le = createToken({ name: 'Le', pattern: /<=/ });
const Ge = createToken({ name: 'Ge', pattern: />=/ });
const Lt = createToken({ name: 'Lt', pattern: /</ });
const Gt = createToken({ name: 'Gt', pattern: />/ });
const Bang = createToken({ name: 'Bang', pattern: /!/ });
const Plus = createToken({ name: 'Plus', pattern: /\+/ });
const Minus = createToken({ name: 'Minus', pattern: /-/ });
const Star = createToken({ name: 'Star', pattern: /\*/ });
const Slash = createToken({ name: 'Slash', pattern: /\// });
const Percent = createToken({ name: 'Percent', pattern: /%/ });
const LParen = createToken({ name: 'LParen', pattern: /\(/ });
const RParen = createToken({ name: 'RParen', pattern: /\)/ });
const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
const Comma = createToken({ name: 'Comma', pattern: /,/ });
const Dot = createToken({ name: 'Dot', pattern: /\./ });

// Order matters: longer operators and keywords before what they start with.
const allTokens: TokenType[] = [
  WhiteSpace,
  StringLiteral,
  Decimal,
  Integer,
  Eq,
  Neq,
  Le,
  Ge,
  Lt,
  Gt,
  Bang,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Dot,
  And,
  Or,
  True,
  False,
  NotSet,
  Identifier,
];

/** How a token is named in an error message. */
const LABELS: Record<string, string> = {
  Identifier: 'a name',
  StringLiteral: 'a string',
  Decimal: 'a number',
  Integer: 'a number',
  RParen: "')'",
  LParen: "'('",
  RBracket: "']'",
  Comma: "','",
  EOF: 'the end of the expression',
};

const lexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: false });

const BINARY: Record<string, BinaryOp> = {
  Eq: '==',
  Neq: '!=',
  Lt: '<',
  Le: '<=',
  Gt: '>',
  Ge: '>=',
  Plus: '+',
  Minus: '-',
  Star: '*',
  Slash: '/',
  Percent: '%',
};

const end = (t: IToken) => t.startOffset + t.image.length;

function unescape(image: string): string {
  return image.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      default:
        return c;
    }
  });
}

class ExpressionParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { recoveryEnabled: false, maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  public expression = this.RULE('expression', (): Expr => this.SUBRULE(this.orExpr));

  /** `first (op next)*`; two callbacks because Chevrotain numbers each SUBRULE use in a rule. */
  private leftAssoc(first: () => Expr, next: () => Expr, ops: TokenType[]): Expr {
    let left = first();
    this.MANY(() => {
      const op = this.OR(ops.map((t) => ({ ALT: () => this.CONSUME(t) })));
      const right = next();
      left = this.ACTION(() => ({
        kind: 'binary' as const,
        op: BINARY[op.tokenType.name] ?? (op.tokenType === And ? 'and' : 'or'),
        left,
        right,
        start: left.start,
        end: right.end,
      }));
    });
    return left;
  }

  private orExpr = this.RULE('orExpr', (): Expr => this.leftAssoc(() => this.SUBRULE(this.andExpr), () => this.SUBRULE2(this.andExpr), [Or]));
  private andExpr = this.RULE('andExpr', (): Expr =>
    this.leftAssoc(() => this.SUBRULE(this.equality), () => this.SUBRULE2(this.equality), [And]),
  );
  private equality = this.RULE('equality', (): Expr =>
    this.leftAssoc(() => this.SUBRULE(this.comparison), () => this.SUBRULE2(this.comparison), [Eq, Neq]),
  );
  private comparison = this.RULE('comparison', (): Expr =>
    this.leftAssoc(() => this.SUBRULE(this.additive), () => this.SUBRULE2(this.additive), [Le, Ge, Lt, Gt]),
  );
  private additive = this.RULE('additive', (): Expr =>
    this.leftAssoc(() => this.SUBRULE(this.multiplicative), () => this.SUBRULE2(this.multiplicative), [Plus, Minus]),
  );
  private multiplicative = this.RULE('multiplicative', (): Expr =>
    this.leftAssoc(() => this.SUBRULE(this.unary), () => this.SUBRULE2(this.unary), [Star, Slash, Percent]),
  );

  private unary = this.RULE('unary', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const op = this.OR2([{ ALT: () => this.CONSUME(Minus) }, { ALT: () => this.CONSUME(Bang) }]);
          const operand = this.SUBRULE(this.unary);
          return this.ACTION(() => ({
            kind: 'unary' as const,
            op: op.tokenType === Minus ? ('-' as const) : ('!' as const),
            operand,
            start: op.startOffset,
            end: operand.end,
          }));
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]),
  );

  private postfix = this.RULE('postfix', (): Expr => {
    let node = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Dot);
            const name = this.CONSUME(Identifier);
            node = this.ACTION(() => ({
              kind: 'member' as const,
              object: node,
              property: name.image,
              start: node.start,
              end: end(name),
            }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(LBracket);
            const index = this.SUBRULE(this.expression);
            const close = this.CONSUME(RBracket);
            node = this.ACTION(() => ({
              kind: 'index' as const,
              object: node,
              index,
              start: node.start,
              end: end(close),
            }));
          },
        },
      ]);
    });
    return node;
  });

  private primary = this.RULE('primary', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(StringLiteral);
          return this.ACTION(() => ({
            kind: 'literal' as const,
            type: 'string' as const,
            value: unescape(t.image),
            start: t.startOffset,
            end: end(t),
          }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(Decimal);
          return this.ACTION(() => ({
            kind: 'literal' as const,
            type: 'decimal' as const,
            value: Number(t.image),
            start: t.startOffset,
            end: end(t),
          }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(Integer);
          return this.ACTION(() => ({
            kind: 'literal' as const,
            type: 'integer' as const,
            value: Number(t.image),
            start: t.startOffset,
            end: end(t),
          }));
        },
      },
      {
        ALT: () => {
          const t = this.OR2([{ ALT: () => this.CONSUME(True) }, { ALT: () => this.CONSUME(False) }]);
          return this.ACTION(() => ({
            kind: 'literal' as const,
            type: 'boolean' as const,
            value: t.tokenType === True,
            start: t.startOffset,
            end: end(t),
          }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(NotSet);
          return this.ACTION(() => ({ kind: 'notSet' as const, start: t.startOffset, end: end(t) }));
        },
      },
      {
        // A function call: a name right before '('.
        GATE: () => this.LA(2).tokenType === LParen,
        ALT: () => {
          const name = this.CONSUME2(Identifier);
          this.CONSUME(LParen);
          const args: Expr[] = [];
          this.OPTION(() => {
            args.push(this.SUBRULE2(this.expression));
            this.MANY(() => {
              this.CONSUME(Comma);
              args.push(this.SUBRULE3(this.expression));
            });
          });
          const close = this.CONSUME(RParen);
          return this.ACTION(() => ({
            kind: 'call' as const,
            name: name.image,
            nameEnd: end(name),
            args,
            start: name.startOffset,
            end: end(close),
          }));
        },
      },
      {
        ALT: () => {
          const first = this.CONSUME(Identifier);
          const path = [first];
          // `Scope.Name` and further properties, as long as a name follows each dot.
          this.MANY2({
            GATE: () => this.LA(2).tokenType === Identifier,
            DEF: () => {
              this.CONSUME2(Dot);
              path.push(this.CONSUME3(Identifier));
            },
          });
          return this.ACTION(() => ({
            kind: 'ref' as const,
            path: path.map((t) => t.image),
            start: first.startOffset,
            end: end(path[path.length - 1]!),
          }));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME2(LParen);
          const inner = this.SUBRULE4(this.expression);
          const close = this.CONSUME2(RParen);
          return this.ACTION(() => ({ ...inner, start: open.startOffset, end: end(close) }));
        },
      },
    ]),
  );
}

const parser = new ExpressionParser();

export interface SyntaxProblem {
  message: string;
  /** Offset in the expression text. */
  offset: number;
}

export type ParseResult = { ok: true; expr: Expr } | { ok: false; problem: SyntaxProblem };

function describe(t: IToken | undefined): string {
  if (!t || t.tokenType.name === 'EOF') return 'the end of the expression';
  return `'${t.image}'`;
}

function explain(e: IRecognitionException, text: string): SyntaxProblem {
  const token = e.token;
  const at = token.tokenType.name === 'EOF' || Number.isNaN(token.startOffset) ? text.length : token.startOffset;
  const expected = /Expecting (?:token of type --> )?(\w+)/.exec(e.message)?.[1];
  const wanted = expected && LABELS[expected] ? LABELS[expected] : undefined;
  if (e.name === 'NotAllInputParsedException') {
    return { message: `unexpected ${describe(token)} after a complete expression`, offset: at };
  }
  if (wanted) return { message: `expected ${wanted} but found ${describe(token)}`, offset: at };
  const found = token.tokenType.name === 'EOF' ? 'the expression ends' : `found ${describe(token)}`;
  return { message: `${found} where a value, a name or a call was expected`, offset: at };
}

/** Parses an expression; a syntax error is a value with the offset of the offending token. */
export function parseExpression(text: string): ParseResult {
  const lexed = lexer.tokenize(text);
  if (lexed.errors.length > 0) {
    const e = lexed.errors[0]!;
    const ch = text.slice(e.offset, e.offset + 1);
    const hint = ch === "'" ? " (strings use double quotes)" : '';
    return { ok: false, problem: { message: `unexpected character '${ch}'${hint}`, offset: e.offset } };
  }
  if (lexed.tokens.length === 0) return { ok: false, problem: { message: 'the expression is empty', offset: 0 } };
  parser.input = lexed.tokens;
  const expr = parser.expression();
  if (parser.errors.length > 0) return { ok: false, problem: explain(parser.errors[0]!, text) };
  return { ok: true, expr };
}
