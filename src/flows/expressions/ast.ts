/**
 * The syntax tree of an Architect expression. Offsets are 0-based character positions in the
 * expression text; the validator maps them onto the YAML file (`file:line:col`).
 */
export interface Span {
  start: number;
  /** Exclusive. */
  end: number;
}

export type LiteralType = 'string' | 'integer' | 'decimal' | 'boolean';

export type Expr =
  | (Span & { kind: 'literal'; type: LiteralType; value: string | number | boolean })
  | (Span & { kind: 'notSet' })
  /** A dotted name: `Call.Ani`, `Flow.MyJson.userName`; the checker splits variable and properties. */
  | (Span & { kind: 'ref'; path: string[] })
  | (Span & { kind: 'call'; name: string; nameEnd: number; args: Expr[] })
  | (Span & { kind: 'member'; object: Expr; property: string })
  | (Span & { kind: 'index'; object: Expr; index: Expr })
  | (Span & { kind: 'unary'; op: '-' | '!'; operand: Expr })
  | (Span & { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr });

export type BinaryOp =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%';

/** Every node below (and including) `e`, depth first. */
export function* walkExpr(e: Expr): Generator<Expr> {
  yield e;
  switch (e.kind) {
    case 'call':
      for (const a of e.args) yield* walkExpr(a);
      break;
    case 'member':
      yield* walkExpr(e.object);
      break;
    case 'index':
      yield* walkExpr(e.object);
      yield* walkExpr(e.index);
      break;
    case 'unary':
      yield* walkExpr(e.operand);
      break;
    case 'binary':
      yield* walkExpr(e.left);
      yield* walkExpr(e.right);
      break;
    default:
      break;
  }
}
