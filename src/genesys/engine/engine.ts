import { randomUUID } from 'node:crypto';
import { isKitError, KitError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { noProgress, type OnProgress } from '../../progress.js';
import {
  diffSpec,
  KNOWN_AFTER_APPLY,
  maskSecrets,
  resolveRefs,
  secretFingerprints,
  type SecretFingerprinter,
} from './diff.js';
import { Journal } from './journal.js';
import { dependencyOrder } from './order.js';
import { ownershipMarker } from './ownership.js';
import type {
  ActualObject,
  DesiredObject,
  FieldChange,
  KindContext,
  ResourceKind,
  WriteResult,
} from './resource.js';
import { dropSecrets, storeSecrets } from './secrets-file.js';
import { emptyState, loadState, saveState, stateKey, type DeploymentState } from './state.js';

export type PlanAction = 'create' | 'update' | 'delete' | 'noop' | 'conflict';

export interface PlanStep {
  action: PlanAction;
  kind: string;
  name: string;
  id?: string;
  changes: FieldChange[];
  /** Why a conflict (or a delete) was planned. */
  reason?: string;
  desired?: DesiredObject;
  actual?: ActualObject;
}

export interface Plan {
  deploymentId: string;
  steps: PlanStep[];
  counts: Record<PlanAction, number>;
}

export interface ApplyResult {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

/** One write a run made, in order (what `provision` says it did when it stops part-way). */
export interface AppliedStep {
  action: 'created' | 'updated' | 'deleted';
  kind: string;
  name: string;
  id: string;
}

/** `details` of the error apply() throws when a write fails: what it did, and what it did not. */
export interface ApplyFailureDetails {
  applied: AppliedStep[];
  failed: { action: PlanAction; kind: string; name: string };
  /** The writes after the failed one, not attempted. */
  notAttempted: { action: PlanAction; kind: string; name: string }[];
}

export interface DestroyResult {
  deleted: { kind: string; name: string; id: string }[];
  failed: { kind: string; name: string; id: string; error: string }[];
}

export interface EngineOptions<Config, Org> {
  kinds: ResourceKind<Config, Org>[];
  config: Config;
  org: Org;
  prefix: string;
  deploymentId: string;
  stateFile: string;
  journalFile: string;
  /** Where secrets the org returns only once are written (0600). Required when a kind returns secrets. */
  secretsFile?: string;
  organizationId?: string;
  /** How secrets are fingerprinted in the state file (default: unkeyed SHA-256; provisioning passes a keyed one). */
  fingerprinter?: SecretFingerprinter;
  logger?: Logger;
  clock?: () => Date;
  /** Told of each object created, updated or deleted, as it happens. */
  onProgress?: OnProgress;
}

/**
 * Plan · apply · destroy over any set of resource kinds. Ownership is decided per object: the marker
 * in the object itself, else the state file, else an unfinished create in the journal. Anything
 * else that carries one of the kit's names is foreign and never touched.
 */
export class Engine<Config, Org> {
  private readonly kinds: ResourceKind<Config, Org>[];
  private readonly log: Logger;
  private readonly clock: () => Date;
  private readonly progress: OnProgress;
  private state: DeploymentState;

  constructor(private readonly o: EngineOptions<Config, Org>) {
    this.kinds = dependencyOrder(o.kinds);
    this.log = o.logger ?? silentLogger;
    this.clock = o.clock ?? (() => new Date());
    this.progress = o.onProgress ?? noProgress;
    const loaded = loadState(o.stateFile);
    if (loaded && loaded.deploymentId !== o.deploymentId) {
      throw new KitError(
        'state.other_deployment',
        `the state file ${o.stateFile} belongs to deployment ${loaded.deploymentId}, not ${o.deploymentId}`,
        { hint: 'use the matching deploymentId in the config, or another --state-dir' },
      );
    }
    this.state = loaded ?? emptyState(o.deploymentId, o.prefix);
  }

  private context(): KindContext<Org> {
    return {
      org: this.o.org,
      progress: this.progress,
      deploymentId: this.o.deploymentId,
      marker: ownershipMarker(this.o.deploymentId),
      outputOf: (kind, name, output = 'id') => {
        const obj = this.state.objects[stateKey(kind, name)];
        return output === 'id' ? obj?.id : obj?.outputs[output];
      },
      recorded: (kind) =>
        Object.values(this.state.objects)
          .filter((o) => o.kind === kind)
          .map((o) => ({ name: o.name, id: o.id, outputs: { ...o.outputs } })),
      remember: (kind, name, values) => {
        const key = stateKey(kind, name);
        this.state.notes = { ...this.state.notes, [key]: { ...this.state.notes?.[key], ...values } };
        saveState(this.o.stateFile, this.state);
      },
      recall: (kind, name) => {
        const found = this.state.notes?.[stateKey(kind, name)];
        return found ? { ...found } : undefined;
      },
    };
  }

  /** The id the state file records for an object, if any. */
  recordedId(kind: string, name: string): string | undefined {
    return this.state.objects[stateKey(kind, name)]?.id;
  }

  /** Drops an object's record, the notes kept for it and its secrets (the object is gone). */
  private forget(kind: string, name: string): void {
    const key = stateKey(kind, name);
    if (this.o.secretsFile) dropSecrets(this.o.secretsFile, key);
    delete this.state.objects[key];
    if (this.state.notes?.[key]) {
      delete this.state.notes[key];
      if (Object.keys(this.state.notes).length === 0) delete this.state.notes;
    }
    saveState(this.o.stateFile, this.state);
  }

  private ours(actual: ActualObject, unfinished: Set<string>): boolean {
    if (typeof actual.owner === 'string') return actual.owner === this.o.deploymentId;
    if (this.state.objects[stateKey(actual.kind, actual.name)]?.id === actual.id) return true;
    return unfinished.has(stateKey(actual.kind, actual.name));
  }

  private journal(run: string) {
    return new Journal(this.o.journalFile, run, this.clock);
  }

  async plan(): Promise<Plan> {
    const ctx = this.context();
    const unfinished = this.journal('plan').unfinishedCreates();
    const steps: PlanStep[] = [];
    const deletes: PlanStep[] = [];
    for (const kind of this.kinds) {
      const desired = kind.desired(this.o.config);
      const actual = await kind.read(ctx, this.o.prefix);
      const wanted = new Set(desired.map((d) => d.name));
      for (const d of desired) {
        const candidates = actual.filter((a) => a.name === d.name);
        const mine = candidates.filter((a) => this.ours(a, unfinished));
        const foreign = candidates.filter((a) => !this.ours(a, unfinished));
        if (mine.length > 1) {
          steps.push({
            action: 'conflict',
            kind: kind.kind,
            name: d.name,
            changes: [],
            reason: `${mine.length} objects named "${d.name}" belong to this deployment (ids ${mine.map((m) => m.id).join(', ')}); delete the extra ones by hand`,
          });
          continue;
        }
        const a = mine[0];
        if (!a && foreign.length > 0) {
          const f = foreign[0]!;
          steps.push({
            action: 'conflict',
            kind: kind.kind,
            name: d.name,
            id: f.id,
            changes: [],
            reason:
              typeof f.owner === 'string'
                ? `it belongs to another deployment (${f.owner})`
                : 'it exists but was not created by daspeak-genesys',
          });
          continue;
        }
        const resolved = resolveRefs(
          d.spec,
          (r) => ctx.outputOf(r.kind, r.name, r.output),
          'placeholder',
        ) as Record<string, unknown>;
        if (!a) {
          steps.push({ action: 'create', kind: kind.kind, name: d.name, changes: [], desired: d });
          continue;
        }
        const recorded = this.state.objects[stateKey(kind.kind, d.name)];
        const changes = kind.compare
          ? kind.compare(resolved, a)
          : diffSpec(resolved, a.spec, {
              kind: kind.kind,
              name: d.name,
              secretPaths: d.secretPaths,
              fingerprints: recorded?.id === a.id ? recorded.fingerprints : undefined,
              ...(this.o.fingerprinter ? { fingerprinter: this.o.fingerprinter } : {}),
            });
        // A placeholder equals nothing in the org; it is a change only if the referenced object is new.
        steps.push({
          action: changes.length > 0 ? 'update' : 'noop',
          kind: kind.kind,
          name: d.name,
          id: a.id,
          changes,
          desired: d,
          actual: a,
        });
      }
      for (const a of actual) {
        if (wanted.has(a.name) || !this.ours(a, unfinished)) continue;
        deletes.push({
          action: 'delete',
          kind: kind.kind,
          name: a.name,
          id: a.id,
          changes: [],
          actual: a,
          reason: 'no longer in the config',
        });
      }
    }
    // Deletes run last and in reverse dependency order, so nothing is removed while still referenced.
    const ordered = [...steps, ...deletes.reverse()];
    const counts: Record<PlanAction, number> = { create: 0, update: 0, delete: 0, noop: 0, conflict: 0 };
    for (const s of ordered) counts[s.action]++;
    return { deploymentId: this.o.deploymentId, steps: ordered, counts };
  }

  /** Applies a plan; refuses one with conflicts before any write. */
  async apply(plan: Plan): Promise<ApplyResult> {
    const conflicts = plan.steps.filter((s) => s.action === 'conflict');
    if (conflicts.length > 0) {
      const c = conflicts[0]!;
      throw new KitError(
        'provision.foreign_object',
        `${c.kind} "${c.name}" cannot be managed: ${c.reason ?? 'conflict'}${conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ''}`,
        {
          hint: 'rename or delete it in the org, or choose another prefix; the kit never takes over objects it does not own',
          details: { conflicts: conflicts.map(({ kind, name, id, reason }) => ({ kind, name, id, reason })) },
        },
      );
    }
    const run = randomUUID();
    const journal = this.journal(run);
    const ctx = this.context();
    const result: ApplyResult = { created: 0, updated: 0, deleted: 0, unchanged: 0 };
    if (this.o.organizationId) this.state.organizationId = this.o.organizationId;
    const kindOf = (name: string) => this.kinds.find((k) => k.kind === name)!;
    const applied: AppliedStep[] = [];
    const done = (a: AppliedStep) => {
      applied.push(a);
      this.progress({ type: 'step', ...a });
    };
    const writes = plan.steps.filter((s) => s.action !== 'noop');
    const failure = (step: PlanStep): ApplyFailureDetails => ({
      applied: [...applied],
      failed: { action: step.action, kind: step.kind, name: step.name },
      notAttempted: writes
        .slice(writes.indexOf(step) + 1)
        .map((s) => ({ action: s.action, kind: s.kind, name: s.name })),
    });

    for (const step of plan.steps) {
      const kind = kindOf(step.kind);
      if (step.action === 'noop') {
        result.unchanged++;
        // Objects adopted through the marker or the journal enter the state without a write, and the
        // create they came from is settled so the journal stops vouching for that name.
        const recorded = this.state.objects[stateKey(step.kind, step.name)];
        if (step.actual && recorded?.id === step.actual.id && step.desired) {
          // Unchanged, but fingerprinted the old way (unkeyed, or under an older key): only the
          // state file is rewritten, with what this run would record.
          const current = this.fingerprintsOf(step.desired);
          if (JSON.stringify(current) !== JSON.stringify(recorded.fingerprints)) {
            recorded.fingerprints = current;
            saveState(this.o.stateFile, this.state);
          }
        }
        if (step.actual && recorded?.id !== step.actual.id) {
          this.record(step.desired!, step.actual.id, {});
          journal.write({
            op: 'create',
            kind: step.kind,
            name: step.name,
            id: step.actual.id,
            phase: 'done',
          });
        }
        continue;
      }
      if (step.action === 'delete') {
        journal.write({ op: 'delete', kind: step.kind, name: step.name, id: step.id, phase: 'intent' });
        await this.guard(journal, 'delete', step, () => kind.remove(ctx, step.actual!), failure);
        this.forget(step.kind, step.name);
        result.deleted++;
        done({ action: 'deleted', kind: step.kind, name: step.name, id: step.id! });
        continue;
      }
      const desired = step.desired!;
      const spec = resolveRefs(
        desired.spec,
        (r) => ctx.outputOf(r.kind, r.name, r.output),
        'throw',
      ) as Record<string, unknown>;
      const ready: DesiredObject = { ...desired, spec };
      const op = step.action === 'create' ? 'create' : 'update';
      journal.write({ op, kind: step.kind, name: step.name, id: step.id, phase: 'intent' });
      const written = await this.guard(
        journal,
        op,
        step,
        () => (op === 'create' ? kind.create(ctx, ready) : kind.update(ctx, ready, step.actual!)),
        failure,
      );
      if (written.secrets && Object.keys(written.secrets).length > 0) {
        if (!this.o.secretsFile) {
          throw new KitError(
            'provision.secrets_out',
            `${step.kind} "${step.name}" returned a secret but no secrets file is set`,
            {
              hint: 'pass --secrets-out <file>',
            },
          );
        }
        storeSecrets(
          this.o.secretsFile,
          this.o.deploymentId,
          stateKey(step.kind, step.name),
          written.secrets,
        );
      }
      this.record(ready, written.id, written.outputs ?? {});
      journal.write({ op, kind: step.kind, name: step.name, id: written.id, phase: 'done' });
      if (op === 'update')
        journal.write({ op: 'create', kind: step.kind, name: step.name, id: written.id, phase: 'done' });
      if (op === 'create') result.created++;
      else result.updated++;
      done({
        action: op === 'create' ? 'created' : 'updated',
        kind: step.kind,
        name: step.name,
        id: written.id,
      });
    }
    saveState(this.o.stateFile, this.state);
    return result;
  }

  /** What destroy() would remove now, in the order it would remove it; writes nothing. */
  async owned(): Promise<{ kind: string; name: string; id: string }[]> {
    const ctx = this.context();
    const unfinished = this.journal('plan').unfinishedCreates();
    const out: { kind: string; name: string; id: string }[] = [];
    for (const kind of [...this.kinds].reverse()) {
      for (const a of await kind.read(ctx, this.o.prefix)) {
        if (this.ours(a, unfinished)) out.push({ kind: a.kind, name: a.name, id: a.id });
      }
    }
    return out;
  }

  /** Removes every object this deployment owns, in reverse dependency order, continuing past failures. */
  async destroy(): Promise<DestroyResult> {
    const ctx = this.context();
    const journal = this.journal(randomUUID());
    const unfinished = journal.unfinishedCreates();
    const out: DestroyResult = { deleted: [], failed: [] };
    for (const kind of [...this.kinds].reverse()) {
      let actual: ActualObject[];
      try {
        actual = await kind.read(ctx, this.o.prefix);
      } catch (err) {
        out.failed.push({
          kind: kind.kind,
          name: '*',
          id: '',
          error: `could not list: ${(err as Error).message}`,
        });
        continue;
      }
      for (const a of actual.filter((x) => this.ours(x, unfinished))) {
        journal.write({ op: 'delete', kind: a.kind, name: a.name, id: a.id, phase: 'intent' });
        try {
          await kind.remove(ctx, a);
          journal.write({ op: 'delete', kind: a.kind, name: a.name, id: a.id, phase: 'done' });
          this.forget(a.kind, a.name);
          out.deleted.push({ kind: a.kind, name: a.name, id: a.id });
          this.progress({ type: 'step', action: 'deleted', kind: a.kind, name: a.name, id: a.id });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          journal.write({
            op: 'delete',
            kind: a.kind,
            name: a.name,
            id: a.id,
            phase: 'failed',
            error: message,
          });
          out.failed.push({ kind: a.kind, name: a.name, id: a.id, error: message });
        }
      }
    }
    // Records of objects that disappeared from the org by other means are dropped as well.
    if (out.failed.length === 0) {
      if (this.o.secretsFile)
        for (const key of Object.keys(this.state.objects)) dropSecrets(this.o.secretsFile, key);
      this.state.objects = {};
      delete this.state.notes;
      saveState(this.o.stateFile, this.state);
    }
    return out;
  }

  private fingerprintsOf(desired: DesiredObject): Record<string, string> {
    return secretFingerprints(
      desired.kind,
      desired.name,
      desired.spec,
      desired.secretPaths,
      this.o.fingerprinter,
    );
  }

  private record(desired: DesiredObject, id: string, outputs: Record<string, string>) {
    this.state.objects[stateKey(desired.kind, desired.name)] = {
      kind: desired.kind,
      name: desired.name,
      id,
      outputs,
      fingerprints: this.fingerprintsOf(desired),
      updatedAt: this.clock().toISOString(),
    };
    saveState(this.o.stateFile, this.state);
  }

  private async guard<T>(
    journal: Journal,
    op: 'create' | 'update' | 'delete',
    step: PlanStep,
    fn: () => Promise<T>,
    failure: (step: PlanStep) => ApplyFailureDetails,
  ) {
    try {
      return await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      journal.write({ op, kind: step.kind, name: step.name, id: step.id, phase: 'failed', error: message });
      this.log.debug({ kind: step.kind, name: step.name, op }, 'write failed');
      // A kind that knows the fix says it; otherwise the generic advice.
      const hint = isKitError(err) && err.hint ? `${err.hint}; then run provision again` : undefined;
      throw new KitError('provision.step_failed', `${op} ${step.kind} "${step.name}" failed: ${message}`, {
        hint: hint ?? 'fix the cause and run provision again; it continues where it stopped',
        cause: err,
        details: { ...failure(step) },
      });
    }
  }

  /** The plan as people and --json see it: no internal objects, secrets masked. */
  static describe(plan: Plan) {
    return {
      deploymentId: plan.deploymentId,
      counts: plan.counts,
      steps: plan.steps.map((s) => ({
        action: s.action,
        kind: s.kind,
        name: s.name,
        ...(s.id ? { id: s.id } : {}),
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.action === 'create' && s.desired
          ? { spec: maskSecrets(resolvePlaceholders(s.desired.spec), s.desired.secretPaths) }
          : {}),
        ...(s.changes.length > 0 ? { changes: s.changes } : {}),
      })),
    };
  }
}

function resolvePlaceholders(spec: Record<string, unknown>): Record<string, unknown> {
  return resolveRefs(spec, () => undefined, 'placeholder') as Record<string, unknown>;
}

export { KNOWN_AFTER_APPLY };
export type { WriteResult };
