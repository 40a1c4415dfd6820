import { setTimeout as delay } from 'node:timers/promises';
import { isKitError, KitError } from '../errors.js';
import {
  Engine,
  type ApplyFailureDetails,
  type ApplyResult,
  type DestroyResult,
  type Plan,
} from '../genesys/engine/engine.js';
import { readSecrets } from '../genesys/engine/secrets-file.js';
import type { GenesysConnection, PlatformStats } from '../genesys/platform/index.js';
import { names, ROLE_KIND } from '../genesys/resources/index.js';
import { audiohookCapacity, missingNames, roleNotHeld, type Blocker } from './checks.js';
import { openDeployment, type Deployment, type DeploymentOptions } from './deployment.js';
import { AdminGrantNeeded, performGrant, type AdminGrant } from './grant.js';
import { genesysOf } from '../config/platform.js';

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
  /** The admin step this run will stop at (first provision), named up front. */
  adminGrant?: AdminGrant;
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
  const grant = blockers.some((b) => b.code === 'provision.role_not_held')
    ? await adminGrantOf(d, plan)
    : undefined;
  const report: PlanReport = {
    ...Engine.describe(plan),
    newDeployment: d.isNew,
    organizationId: d.organizationId,
    stateDir: d.paths.stateDir,
    blockers,
    notes: notesFor(d),
    ...(grant ? { adminGrant: grant } : {}),
  };
  return { plan, report, stats: d.platform.stats() };
}

/** The admin grant a run of this plan needs, with what is known of it now. */
async function adminGrantOf(d: Deployment, plan?: Plan): Promise<AdminGrant> {
  const n = names(d.config);
  const roleId =
    plan?.steps.find((s) => s.kind === ROLE_KIND && s.name === n.role)?.id ??
    d.engine.recordedId(ROLE_KIND, n.role);
  return {
    clientId: genesysOf(d.config).clientId,
    roleName: n.role,
    roleId,
    divisionId: await d.org.lookups.homeDivisionId(),
    blocks: n.backendClient,
    apiBase: d.platform.endpoints.api,
  };
}

export function planDeployment(options: Options): Promise<PlanOutcome> {
  return withDeployment({ ...options, mode: 'read' }, planOn);
}

export interface ProvisionOutcome extends PlanOutcome {
  result: ApplyResult;
  /** Secrets written by this run (keys of the secrets file), never their values. */
  newSecrets: string[];
  secretsFile: string;
  /** Set when `grantWith` gave the provisioning client the kit role during this run. */
  granted?: AdminGrant;
}

export interface ProvisionOptions extends Options {
  /**
   * An admin client of the same org (`--grant-with`): when the run reaches the admin grant, the kit
   * gives the provisioning client the kit role with it and finishes in the same run.
   */
  grantWith?: GenesysConnection | undefined;
  /** Waits between re-runs while a fresh grant is not yet visible (Genesys is eventually consistent). */
  grantSettleMs?: number[];
  /** Called with the plan before any write (the CLI names the steps, and the admin grant, up front). */
  onPlan?: (report: PlanReport) => void;
}

/** Whether apply stopped because the provisioning client lacks a role it must give. */
function roleNotHeldFailure(err: unknown): ApplyFailureDetails | undefined {
  if (!isKitError(err) || err.code !== 'provision.step_failed') return undefined;
  if (!isKitError(err.cause) || err.cause.code !== 'provision.role_not_held') return undefined;
  return err.details as unknown as ApplyFailureDetails;
}

/**
 * Plans, refuses a plan with conflicts or missing org objects before any write, then applies it in
 * dependency order. A second run finds nothing to do and writes nothing. A first run stops at the
 * admin grant with AdminGrantNeeded (what it did, what is left, how to grant), unless `grantWith`
 * lets the kit make the grant and finish.
 */
export async function provisionDeployment(options: ProvisionOptions): Promise<ProvisionOutcome> {
  try {
    return await provisionOnce(options);
  } catch (err) {
    if (!(err instanceof AdminGrantNeeded) || !options.grantWith) throw err;
    await performGrant(err.grant, options.grantWith, {
      logger: options.logger,
      onProgress: options.onProgress,
      platform: options.platform,
    });
    const first = err.failure.applied;
    for (const wait of [0, ...(options.grantSettleMs ?? [2000, 4000, 8000])]) {
      if (wait > 0) await delay(wait);
      try {
        const out = await provisionOnce(options);
        const r = out.result;
        const created = first.filter((a) => a.action === 'created').length;
        const updated = first.filter((a) => a.action === 'updated').length;
        const deleted = first.filter((a) => a.action === 'deleted').length;
        return {
          ...out,
          result: {
            created: r.created + created,
            updated: r.updated + updated,
            deleted: r.deleted + deleted,
            unchanged: Math.max(0, r.unchanged - created - updated),
          },
          granted: err.grant,
        };
      } catch (again) {
        if (!(again instanceof AdminGrantNeeded)) throw again;
      }
    }
    throw new KitError(
      'provision.grant_not_visible',
      `granted "${err.grant.roleName}" to ${err.grant.clientId}, but Genesys still refuses it`,
      { hint: 'Genesys applies grants after a short delay: run provision again in a minute' },
    );
  }
}

function provisionOnce(options: ProvisionOptions): Promise<ProvisionOutcome> {
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
    options.onPlan?.(planned.report);
    const before = readSecrets(d.paths.secretsFile)?.secrets ?? {};
    let result: ApplyResult;
    try {
      result = await d.engine.apply(planned.plan);
    } catch (err) {
      const failure = roleNotHeldFailure(err);
      if (!failure) throw err;
      throw new AdminGrantNeeded(await adminGrantOf(d), failure, err);
    }
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

/** What destroy would remove now (the list destroy shows before it asks); writes nothing. */
export function planDestroy(
  options: Options,
): Promise<{ deploymentId: string; objects: { kind: string; name: string; id: string }[] }> {
  return withDeployment({ ...options, mode: 'read' }, async (d) => {
    if (d.isNew) return { deploymentId: d.deploymentId, objects: [] };
    return { deploymentId: d.deploymentId, objects: await d.engine.owned() };
  });
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
