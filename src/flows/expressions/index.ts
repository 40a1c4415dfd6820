export type { Expr, Span, BinaryOp } from './ast.js';
export { walkExpr } from './ast.js';
export { parseExpression, type ParseResult, type SyntaxProblem } from './parser.js';
export {
  checkExpression,
  BUILTINS,
  DECLARED_SCOPES,
  type CheckResult,
  type ExprIssue,
  type VariableInfo,
  type VariableLookup,
} from './check.js';
export { evaluate, type EvalEnv } from './evaluate.js';
export {
  ExpressionRuntimeError,
  findFunction,
  knownFunctionNames,
  type FunctionSpec,
} from './functions.js';
export * from './values.js';
