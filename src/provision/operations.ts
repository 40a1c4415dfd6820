import { KitError } from '../errors.js';
import { Engine, type ApplyResult, type DestroyResult, type Plan } from '../genesys/engine/engine.js';
import { readSecrets } from '../genesys/engine/secrets-file.js';
import type { PlatformStats } from '../genesys/platform/index.js';
import { audiohookCapacity, missingNames, roleNotHeld, type Blocker } from './checks.js';
import { openDeployment, type Deployment, type DeploymentOptions } from './deployment.js';

export type DescribedPlan = ReturnType<typeof Engine.describe>;

export interface PlanReport extends DescribedPlan {
  /** No deployment id existed: this one is shown, and kept by the first provision. */
  newDeployment: boolean;
  organizationId: string | undefined;
  stateDir: string;
  /** What will stop `provision` (or, for role_not_held, stop it part-way), with the fix. */
  blockers: Blocker[];
  /** Advice that does not stop anything. */
  notes: string[];
}

export interface PlanOutcome {
  plan: Plan;
  report: PlanReport;
  stats: PlatformStats;
}

export type Options = Omit<DeploymentOptions, 'mode'>;

async function withDeployment<T>(options: DeploymentOptions, fn: (d: Deployment) => Promise<T>): Promise<T> {
  const d = await openDeployment(options);
  try {
    return await fn(d);
  } finally {
    d.close();
  }
}

function notesFor(d: Deployment): string[] {
  const notes: string[] = [];
  if (d.config.widget.queues.length === 0) {
    notes.push(
      'widget.queues is empty: the widget shows for every queue and no queue gets audio monitoring; ' +
        'list the queues whose calls das-Peak should hear, or turn on Audio Monitoring in your flows',
    );
  }
  return notes;
}

/** Reads the org and compares it with the config; writes nothing. */
export async function planOn(d: Deployment): Promise<PlanOutcome> {
  const plan = await d.engine.plan();
  const blockers = [
    ...(await missingNames(d)),
    ...(await audiohookCapacity(d, plan)),
    ...(await roleNotHeld(d, plan)),
  ];
  const report: PlanReport = {
    ...Engine.describe(plan),
    newDeployment: d.isNew,
    organizationId: d.organizationId,
    stateDir: d.paths.stateDir,
    blockers,
    notes: notesFor(d),
  };
  return { plan, report, stats: d.platform.stats() };
}

export function planDeployment(options: Options): Promise<PlanOutcome> {
  return withDeployment({ ...options, mode: 'read' }, planOn);
}

export interface ProvisionOutcome extends PlanOutcome {
  result: ApplyResult;
  /** Secrets written by this run (keys of the secrets file), never their values. */
  newSecrets: string[];
  secretsFile: string;
}

/**
 * Plans, refuses a plan with conflicts or missing org objects before any write, then applies it in
 * dependency order. A second run finds nothing to do and writes nothing.
 */
export function provisionDeployment(options: Options): Promise<ProvisionOutcome> {
  return withDeployment({ ...options, mode: 'write' }, async (d) => {
    const planned = await planOn(d);
    const refused = planned.report.blockers.filter((b) => b.code !== 'provision.role_not_held');
    if (refused.length > 0) {
      const first = refused[0]!;
      throw new KitError(
        first.code,
        `${first.message}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}`,
        {
          hint: first.hint,
          details: { blockers: refused },
        },
      );
    }
    const before = readSecrets(d.paths.secretsFile)?.secrets ?? {};
    const result = await d.engine.apply(planned.plan);
    const after = readSecrets(d.paths.secretsFile)?.secrets ?? {};
    const newSecrets = Object.keys(after).filter(
      (k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]),
    );
    return { ...planned, result, newSecrets, secretsFile: d.paths.secretsFile, stats: d.platform.stats() };
  });
}

export interface DestroyOutcome extends DestroyResult {
  deploymentId: string;
  stats: PlatformStats;
}

/** Removes what the deployment owns, in reverse dependency order; continues past failures. */
export function destroyDeployment(options: Options): Promise<DestroyOutcome> {
  return withDeployment({ ...options, mode: 'read' }, async (d) => {
    if (d.isNew) {
      throw new KitError(
        'destroy.no_deployment',
        `nothing to destroy: no deploymentId in the config and no state in ${d.paths.stateDir}`,
        { hint: 'pass the --state-dir provision used, or set deploymentId in the config' },
      );
    }
    const result = await d.engine.destroy();
    return { ...result, deploymentId: d.deploymentId, stats: d.platform.stats() };
  });
}
