import {
  DEFAULT_REQUEST_TEMPLATE,
  DEFAULT_SUCCESS_TEMPLATE,
  DEFAULT_TIMEOUT_SECONDS,
  type ActionDefinition,
} from './definition.js';
import { validateActionDefinition } from './contract-rules.js';
import { DataActionError, type DataActionErrorCode } from './errors.js';
import { sendActionRequest } from './http.js';
import { compileContractSchemaCached, describeSchemaErrors } from './json-schema.js';
import { excerpt, secretValues } from './redact.js';
import { resolveBody, resolveHeaders, resolveRequestUrl } from './request.js';
import {
  STEP_NAMES,
  type DataActionRun,
  type ExecutorStep,
  type JsonValue,
  type TestExecutionResult,
  type TestOperation,
} from './result.js';
import { applyTranslationMap } from './translation.js';
import { renderVelocity, withoutNulls } from './velocity.js';

export type CredentialType = 'basicAuth' | 'userDefined' | 'userDefinedOAuth';

export interface DataActionRunOptions {
  /** The integration credential's fields: `${credentials.<field>}` in templates. */
  credentials?: Readonly<Record<string, string>>;
  /** A `basicAuth` credential (`userName`, `password`) adds a Basic header unless the action sets Authorization. */
  credentialType?: CredentialType;
  /** For `userDefinedOAuth` integrations: the custom auth action's answer, `${authResponse.<field>}`. */
  authResponse?: Readonly<Record<string, unknown>>;
  /** Caps the action's timeoutSeconds, so a test need not wait out a real timeout. */
  maxTimeoutMs?: number;
  /** How much of an error answer's body a failure quotes; default 1000 characters. */
  errorBodyChars?: number;
  signal?: AbortSignal;
}

const DEFAULT_ERROR_BODY_CHARS = 1000;

/** Builds the step-by-step record as the run goes, and the failure that ends it. */
class RunRecord {
  readonly operations: TestOperation[] = [];

  pass(step: ExecutorStep, result: unknown): void {
    this.operations.push({ step: this.operations.length + 1, name: STEP_NAMES[step], success: true, result });
  }

  fail(step: ExecutorStep, code: DataActionErrorCode, message: string, status?: number, result?: unknown): DataActionRun {
    const error = { code, message, ...(status === undefined ? {} : { status }) };
    this.operations.push({
      step: this.operations.length + 1,
      name: STEP_NAMES[step],
      success: false,
      ...(result === undefined ? {} : { result }),
      error,
    });
    return {
      result: { operations: this.operations, error, success: false },
      outcome: { ok: false, step, code, message, ...(status === undefined ? {} : { status }) },
    };
  }

  succeed(output: JsonValue): DataActionRun {
    const result: TestExecutionResult = { operations: this.operations, finalResult: output, success: true };
    return { result, outcome: { ok: true, output } };
  }
}

/**
 * Runs a data action definition offline the way Genesys runs it: definition and input checked,
 * URL, headers and body rendered with Velocity, the request sent, the response mapped through the
 * translation map and success template, and the output checked against the success schema.
 * Never throws for bad input or a failing service: the outcome says which step failed and why.
 */
export async function runDataAction(
  definition: unknown,
  input: unknown,
  options: DataActionRunOptions = {},
): Promise<DataActionRun> {
  const record = new RunRecord();

  const issues = validateActionDefinition(definition);
  if (issues.length > 0) {
    return record.fail(
      'definition',
      'data_action.invalid_definition',
      `The action definition is refused: ${issues.map((i) => i.message).join('; ')}`,
      undefined,
      issues,
    );
  }
  const action = definition as ActionDefinition;
  record.pass('definition', { name: action.name });
  const name = action.name;

  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return record.fail('input', 'data_action.invalid_input', `The input of action '${name}' must be a JSON object`);
  }
  const inputCheck = compileContractSchemaCached(action.contract.input.inputSchema);
  if (!inputCheck.ok) {
    return record.fail('input', 'data_action.invalid_definition', `contract.input.inputSchema: ${inputCheck.problem}`);
  }
  if (!inputCheck.validate(input)) {
    return record.fail(
      'input',
      'data_action.invalid_input',
      `The input of action '${name}' does not match contract.input.inputSchema: ${describeSchemaErrors(inputCheck.validate.errors, 'input').join('; ')}`,
    );
  }
  record.pass('input', input);

  const credentials = options.credentials ?? {};
  const secrets = secretValues(credentials, options.authResponse);
  const inputData = { ...(withoutNulls(input) as Record<string, unknown>), rawRequest: JSON.stringify(input) };
  const data: Record<string, unknown> = {
    input: inputData,
    credentials: withoutNulls(credentials),
    ...(options.authResponse ? { authResponse: withoutNulls(options.authResponse) } : {}),
  };
  const { request } = action.config;
  const method = request.requestType;

  const url = resolveRequestUrl(name, request.requestUrlTemplate, data, secrets);
  if (!url.ok) return record.fail('requestUrl', url.code, url.message);
  record.pass('requestUrl', url.shown);

  const basicAuth =
    options.credentialType === 'basicAuth'
      ? { userName: credentials.userName ?? '', password: credentials.password ?? '' }
      : undefined;
  // The body is resolved first because whether one is sent decides the default Content-Type.
  const body = resolveBody(name, method, request.requestTemplate ?? DEFAULT_REQUEST_TEMPLATE, data, secrets);
  const headers = resolveHeaders(name, request.headers ?? {}, data, {
    basicAuth,
    secrets,
    // Assumed: Genesys' usual bodies are JSON; without a type fetch would say text/plain.
    defaultContentType: body.ok && body.value !== undefined ? 'application/json' : undefined,
  });
  if (!headers.ok) return record.fail('headers', headers.code, headers.message);
  record.pass('headers', headers.shown);
  if (!body.ok) return record.fail('requestBody', body.code, body.message);
  record.pass('requestBody', body.shown);

  const timeoutSeconds = action.config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const errorBodyChars = options.errorBodyChars ?? DEFAULT_ERROR_BODY_CHARS;
  const answer = await sendActionRequest({
    method,
    url: url.value,
    headers: headers.value,
    body: body.value,
    timeoutMs: Math.min(timeoutSeconds * 1000, options.maxTimeoutMs ?? Number.POSITIVE_INFINITY),
    signal: options.signal,
    secrets,
    excerptChars: errorBodyChars,
  });
  if (!answer.ok) {
    return record.fail(
      'request',
      answer.code,
      `Action '${name}': ${answer.message}`,
      answer.status,
      answer.body === undefined ? undefined : { status: answer.status, body: answer.body },
    );
  }
  let response: unknown;
  try {
    response = JSON.parse(answer.text);
  } catch (err) {
    const what = answer.text.trim() === '' ? 'an empty body' : `'${excerpt(answer.text, errorBodyChars, secrets)}'`;
    return record.fail(
      'request',
      'data_action.bad_response',
      `Action '${name}': the web service answered HTTP ${answer.status} with ${what}, which is not JSON (${err instanceof Error ? err.message : String(err)})`,
      answer.status,
    );
  }
  record.pass('request', { status: answer.status, body: response });

  const responseConfig = action.config.response ?? {};
  const translation = applyTranslationMap(
    response,
    responseConfig.translationMap ?? {},
    responseConfig.translationMapDefaults ?? {},
  );
  if (!translation.ok) {
    return record.fail(
      'translationMap',
      'data_action.translation_failed',
      `The translationMap of action '${name}' failed: ${translation.problem}`,
    );
  }
  record.pass('translationMap', translation.values);

  const successTemplate = responseConfig.successTemplate ?? DEFAULT_SUCCESS_TEMPLATE;
  const rendered = renderVelocity(successTemplate, {
    ...translation.values,
    input: inputData,
    rawResult: answer.text,
  });
  if (!rendered.ok) {
    return record.fail(
      'successTemplate',
      'data_action.template_error',
      `The successTemplate of action '${name}' failed: ${rendered.problem}`,
    );
  }
  let output: JsonValue;
  try {
    output = JSON.parse(rendered.text) as JsonValue;
  } catch (err) {
    return record.fail(
      'successTemplate',
      'data_action.invalid_success_json',
      `The successTemplate of action '${name}' did not render valid JSON (${err instanceof Error ? err.message : String(err)}): ${excerpt(rendered.text, errorBodyChars, secrets)}`,
      undefined,
      excerpt(rendered.text, errorBodyChars, secrets),
    );
  }
  record.pass('successTemplate', output);

  const outputCheck = compileContractSchemaCached(action.contract.output.successSchema);
  if (!outputCheck.ok) {
    return record.fail(
      'outputSchema',
      'data_action.invalid_definition',
      `contract.output.successSchema: ${outputCheck.problem}`,
    );
  }
  if (!outputCheck.validate(output)) {
    return record.fail(
      'outputSchema',
      'data_action.output_invalid',
      `The output of action '${name}' does not match contract.output.successSchema: ${describeSchemaErrors(outputCheck.validate.errors, 'output').join('; ')}`,
    );
  }
  record.pass('outputSchema', true);
  return record.succeed(output);
}

/**
 * What Architect's Call Data Action sees: the output on success, a DataActionError (the failure
 * path) otherwise. The error carries the step, the code and the full test record.
 */
export async function executeDataAction(
  definition: unknown,
  input: unknown,
  options: DataActionRunOptions = {},
): Promise<JsonValue> {
  const { result, outcome } = await runDataAction(definition, input, options);
  if (!outcome.ok) throw new DataActionError(outcome, result);
  return outcome.output;
}
