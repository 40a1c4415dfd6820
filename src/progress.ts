/**
 * Progress of long work, as events a library emits and the CLI shows (src/cli/progress.ts). Libraries
 * never write to the console: they call the `OnProgress` they were given, or nothing.
 *
 * This is a shared contract (provision, destroy, load simulate, flows publish): add event kinds, do
 * not change existing ones.
 */

/** One step done (past tense: `created`, `updated`, `deleted`, `published`, `verified`…). */
export interface ProgressStep {
  type: 'step';
  action: string;
  /** What kind of thing, e.g. `role`, `oauth-client`, `flow`, `call`. */
  kind: string;
  name: string;
  id?: string;
  /** A few words more, e.g. `score 0.85`. */
  detail?: string;
}

/** The work pauses before retrying a request a service refused or did not answer. */
export interface ProgressWait {
  type: 'wait';
  /** How long it waits, in milliseconds. */
  ms: number;
  reason: 'rate-limited' | 'server-error' | 'transport';
  /** The service, e.g. `Genesys`. */
  service: string;
  /** HTTP status of the refusal, when there was one. */
  status?: number;
  /** `GET /api/v2/…`: method and path, never a query or body. */
  request?: string;
}

export type ProgressEvent = ProgressStep | ProgressWait;

export type OnProgress = (event: ProgressEvent) => void;

export const noProgress: OnProgress = () => undefined;
