import { compileContractSchemaCached } from '../../../flows/executor/json-schema.js';
import { GenesysApiError } from '../api-error.js';
import type { SandboxContext } from '../http/context.js';
import type { ActionContract, ActionRecord } from '../state/model.js';
import type { ActionExecutionResult, ExecutableAction } from './executor.js';

/**
 * Problems of a value against a contract schema (draft-04, annotations tolerated); empty when valid.
 * The compiled schema is kept by its text (the flows executor's cache): an IVR polls the same action
 * every second, and compiling one takes tens of milliseconds.
 */
export function schemaProblems(schema: Record<string, unknown>, value: unknown, root: string): string[] {
  const compiled = compileContractSchemaCached(schema);
  if (!compiled.ok) return [`${root}: the schema cannot be compiled (${compiled.problem})`];
  const validate = compiled.validate;
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => {
    const at = [root, ...e.instancePath.split('/').slice(1)].join('.');
    if (e.keyword === 'required') {
      return `${at}.${String((e.params as { missingProperty: string }).missingProperty)} is required`;
    }
    return `${at} ${e.message ?? 'is invalid'}`;
  });
}

export const noExecutor = () =>
  new GenesysApiError(
    501,
    'not.implemented',
    'This sandbox has no data action executor; start it with the actionExecutor option to test or execute actions.',
  );

export type RunOutcome =
  { kind: 'input-invalid'; problems: string[] } | { kind: 'ran'; result: ActionExecutionResult };

/**
 * Runs one version of an action through the injected executor: inputs checked against the input
 * schema first, the output checked against the success schema after. An executor that throws is a
 * failed run, never a crashed sandbox.
 */
export async function runAction(
  ctx: SandboxContext,
  action: ActionRecord,
  which: 'draft' | 'published',
  input: Record<string, unknown>,
): Promise<RunOutcome> {
  const executor = ctx.executor;
  if (!executor) throw noExecutor();
  const version = which === 'draft' ? action.draft : action.published;
  if (!version?.contract || !version.config) {
    throw new GenesysApiError(
      400,
      'bad.request',
      `Action ${action.id} has no complete ${which} version to run.`,
    );
  }
  const contract: ActionContract = version.contract;
  const inputProblems = schemaProblems(contract.input.inputSchema, input, 'input');
  if (inputProblems.length > 0) return { kind: 'input-invalid', problems: inputProblems };

  const integration = ctx.store.state.integrations.find((i) => i.id === action.integrationId);
  const credId = integration?.config.credentials.basicAuth?.id;
  const cred = credId ? ctx.store.state.credentials.find((c) => c.id === credId) : undefined;
  const executable: ExecutableAction = {
    id: action.id,
    name: version.name,
    category: version.category,
    integrationId: action.integrationId,
    secure: version.secure,
    config: version.config,
    contract,
    ...(cred ? { credential: { type: cred.typeName, fields: { ...cred.fields } } } : {}),
    version: which,
  };
  let result: ActionExecutionResult;
  try {
    result = await executor(executable, input);
  } catch (err) {
    ctx.logger.warn({ err, actionId: action.id }, 'the injected action executor threw');
    result = {
      ok: false,
      status: 500,
      code: 'internal.server.error',
      message: `The action executor failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (result.ok) {
    const outputProblems = schemaProblems(contract.output.successSchema, result.output, 'output');
    if (outputProblems.length > 0) {
      result = {
        ok: false,
        status: 400,
        code: 'bad.request',
        message: `The transformed response does not match the success schema: ${outputProblems.join('; ')}`,
        ...(result.operations ? { operations: result.operations } : {}),
      };
    }
  }
  return { kind: 'ran', result };
}
