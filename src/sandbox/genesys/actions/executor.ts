import type { ActionContract } from '../state/model.js';

/** What an executor is given about the action it runs. */
export interface ExecutableAction {
  id: string;
  name: string;
  category: string;
  integrationId: string;
  secure: boolean;
  /** `config` of the version being run (`request`, `response`, `timeoutSeconds`). */
  config: Record<string, unknown>;
  contract: ActionContract;
  /** The integration's credential (`credentials.*` in templates), in clear; undefined when none. */
  credential?: { type: string; fields: Record<string, string> };
  /** Whether the draft (test) or the published version runs. */
  version: 'draft' | 'published';
}

/** One step of a test run, as `TestExecutionResult.operations` reports it. */
export interface ActionOperation {
  step: number;
  name: string;
  success: boolean;
  result?: unknown;
  error?: { message: string; code?: string; status?: number };
}

/** The outcome of running an action: the translated output, or a failure with its status. */
export type ActionExecutionResult =
  | { ok: true; output: unknown; operations?: ActionOperation[] }
  | { ok: false; status: number; message: string; code?: string; operations?: ActionOperation[] };

/**
 * Runs a data action (Velocity request template → HTTP call → JSONPath translation → success
 * template). The sandbox does not implement one; it is injected, so tests choose what runs.
 */
export type ActionExecutor = (
  action: ExecutableAction,
  input: Record<string, unknown>,
) => Promise<ActionExecutionResult>;
