import { KitError } from '../../errors.js';
import type { ExecutorStep, TestExecutionResult } from './result.js';

/**
 * Stable codes for everything that can stop a data action. They mirror the places Genesys reports
 * a failure: a refused definition, a refused input, a template, the HTTP exchange, the response
 * mapping and the output contract.
 */
export const DATA_ACTION_ERROR_CODES = [
  'data_action.invalid_definition',
  'data_action.invalid_input',
  'data_action.template_error',
  'data_action.invalid_url',
  'data_action.invalid_header',
  'data_action.timeout',
  'data_action.connection',
  'data_action.aborted',
  'data_action.http_error',
  'data_action.bad_response',
  'data_action.translation_failed',
  'data_action.invalid_success_json',
  'data_action.output_invalid',
] as const;
export type DataActionErrorCode = (typeof DATA_ACTION_ERROR_CODES)[number];

/**
 * The status a kit server should answer when it relays the failure: the caller's fault (400) for a
 * bad definition or input, the upstream's (502/504) for the rest.
 */
const KIT_STATUS: Record<DataActionErrorCode, number> = {
  'data_action.invalid_definition': 400,
  'data_action.invalid_input': 400,
  'data_action.template_error': 502,
  'data_action.invalid_url': 502,
  'data_action.invalid_header': 502,
  'data_action.timeout': 504,
  'data_action.connection': 502,
  'data_action.aborted': 499,
  'data_action.http_error': 502,
  'data_action.bad_response': 502,
  'data_action.translation_failed': 502,
  'data_action.invalid_success_json': 502,
  'data_action.output_invalid': 502,
};

/** A data action's failure as a value: which step, which code, and the upstream status if any. */
export interface DataActionFailure {
  ok: false;
  step: ExecutorStep;
  code: DataActionErrorCode;
  message: string;
  /** The HTTP status the remote service answered, for `data_action.http_error`. */
  status?: number;
}

/** Thrown by `executeDataAction`: what Architect's Call Data Action routes to its failure path. */
export class DataActionError extends KitError {
  declare readonly code: DataActionErrorCode;
  readonly step: ExecutorStep;
  readonly upstreamStatus: number | undefined;
  /** The full step-by-step record, as Genesys' test endpoint would show it. */
  readonly result: TestExecutionResult;

  constructor(failure: DataActionFailure, result: TestExecutionResult) {
    super(failure.code, failure.message, {
      status: KIT_STATUS[failure.code],
      details: { step: failure.step, ...(failure.status === undefined ? {} : { upstreamStatus: failure.status }) },
    });
    this.name = 'DataActionError';
    this.step = failure.step;
    this.upstreamStatus = failure.status;
    this.result = result;
  }
}

export function isDataActionError(value: unknown): value is DataActionError {
  return value instanceof DataActionError;
}
