import { DataActionError, runDataAction, type CredentialType } from '../flows/executor/index.js';
import type { ActionExecutor } from './genesys/index.js';

const CREDENTIAL_TYPES: readonly string[] = ['basicAuth', 'userDefined', 'userDefinedOAuth'];

/**
 * The sandbox org runs data actions (`…/test`, `…/execute`) with the kit's offline executor, which
 * renders the templates and calls the real web service, as Genesys would.
 */
export function createOfflineExecutor(options: { maxTimeoutMs?: number } = {}): ActionExecutor {
  return async (action, input) => {
    const credentialType = action.credential?.type;
    const { result, outcome } = await runDataAction(
      {
        name: action.name,
        category: action.category,
        integrationId: action.integrationId,
        secure: action.secure,
        config: action.config,
        contract: action.contract,
      },
      input,
      {
        ...(action.credential ? { credentials: action.credential.fields } : {}),
        ...(credentialType && CREDENTIAL_TYPES.includes(credentialType)
          ? { credentialType: credentialType as CredentialType }
          : {}),
        ...(options.maxTimeoutMs ? { maxTimeoutMs: options.maxTimeoutMs } : {}),
      },
    );
    if (outcome.ok) return { ok: true, output: outcome.output, operations: result.operations };
    return {
      ok: false,
      // The web service's own status passes through (as in Genesys' execute answer); otherwise the step's.
      status: outcome.status ?? new DataActionError(outcome, result).status ?? 502,
      code: outcome.code,
      message: outcome.message,
      operations: result.operations,
    };
  };
}
