import type { DataActionFailure } from './errors.js';

/** Stable keys of the executor's steps, in the order they run. */
export const EXECUTOR_STEPS = [
  'definition',
  'input',
  'requestUrl',
  'headers',
  'requestBody',
  'request',
  'translationMap',
  'successTemplate',
  'outputSchema',
] as const;
export type ExecutorStep = (typeof EXECUTOR_STEPS)[number];

/** The names Genesys' test result gives the steps (the first two only exist offline). */
export const STEP_NAMES: Record<ExecutorStep, string> = {
  definition: 'Validate action definition',
  input: 'Validate input against schema',
  requestUrl: 'Resolve request URL template',
  headers: 'Resolve headers',
  requestBody: 'Resolve request body template',
  request: 'Execute request',
  translationMap: 'Resolve translation map',
  successTemplate: 'Resolve success template',
  outputSchema: 'Validate output against schema',
};

/** Any value JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One line of Genesys' `TestExecutionResult.operations`. */
export interface TestOperation {
  step: number;
  name: string;
  success: boolean;
  result?: unknown;
  error?: { code: string; message: string; status?: number };
}

/** The shape `POST /api/v2/integrations/actions/{id}/test` answers. */
export interface TestExecutionResult {
  operations: TestOperation[];
  error?: { code: string; message: string; status?: number };
  finalResult?: JsonValue;
  success: boolean;
}

export type DataActionOutcome = { ok: true; output: JsonValue } | DataActionFailure;

/** What a run hands back: Genesys' record of it and the typed outcome derived from the same run. */
export interface DataActionRun {
  result: TestExecutionResult;
  outcome: DataActionOutcome;
}
