import type { FieldChange } from '../genesys/engine/resource.js';
import { grantInstructions, type AdminGrant, type AdminGrantNeeded } from './grant.js';
import type { DestroyOutcome, PlanReport, ProvisionOutcome } from './operations.js';

/** Human text of plans and results. Secrets arrive already masked (Engine.describe). */

const SYMBOL: Record<string, string> = { create: '+', update: '~', delete: '-', noop: '=', conflict: '!' };
const MAX = 72;

/** A short rendering of a value: scalars as JSON, small lists inline, objects as their keys. */
export function shortValue(value: unknown): string {
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) {
    const inner = value
      .map((v) => (typeof v === 'object' && v !== null ? '{…}' : JSON.stringify(v)))
      .join(', ');
    return truncate(`[${inner}]`);
  }
  if (value && typeof value === 'object') return truncate(`{${Object.keys(value).join(', ')}}`);
  return truncate(JSON.stringify(value));
}

function truncate(text: string): string {
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * Every changed field in full, never cut: a list of plain values as what it gains and loses (a
 * permission added to a role of 30 is one line), anything else as its whole JSON before and after.
 */
export function changeLines(c: FieldChange): string[] {
  const pad = '      ';
  if (c.secret) return [`${pad}${c.path}: (secret changed)`];
  const from: unknown[] | undefined = Array.isArray(c.from) ? (c.from as unknown[]) : undefined;
  const to: unknown[] | undefined = Array.isArray(c.to) ? (c.to as unknown[]) : undefined;
  if (from && to && [...from, ...to].every(isScalar)) {
    const key = (v: unknown) => JSON.stringify(v);
    const before = new Set(from.map(key));
    const after = new Set(to.map(key));
    const added = to.filter((v) => !before.has(key(v))).map(key);
    const removed = from.filter((v) => !after.has(key(v))).map(key);
    if (added.length + removed.length > 0) {
      return [
        `${pad}${c.path}:`,
        ...added.map((v) => `${pad}  + ${v}`),
        ...removed.map((v) => `${pad}  - ${v}`),
      ];
    }
    return [`${pad}${c.path}: order ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`];
  }
  const full = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  return [`${pad}${c.path}: ${full(c.from)} → ${full(c.to)}`];
}

/** A value of a new object: plain lists in full, objects as their keys. */
function specValue(value: unknown): string {
  if (Array.isArray(value) && value.every(isScalar)) return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${value.map((v) => (isScalar(v) ? JSON.stringify(v) : '{…}')).join(', ')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).join(', ')}}`;
  return value === undefined ? '(none)' : JSON.stringify(value);
}

/** The admin grant as a step of the plan, placed before the client it unblocks. */
export function grantStepLines(g: AdminGrant): string[] {
  return [
    `  ! admin    grant role "${g.roleName}" to OAuth client ${g.clientId} (one-time; needs a Genesys admin)`,
    `      provision stops here until it is done; then run it again, or pass --grant-with to let the kit do it`,
  ];
}

export function formatPlan(report: PlanReport, options: { title?: string } = {}): string[] {
  const c = report.counts;
  const lines = [
    `${options.title ?? 'Plan'} for deployment ${report.deploymentId}${report.newDeployment ? ' (new)' : ''}` +
      `${report.organizationId ? ` in organization ${report.organizationId}` : ''}:`,
  ];
  const grant = report.adminGrant;
  for (const s of report.steps) {
    if (grant && s.name === grant.blocks) lines.push(...grantStepLines(grant));
    const id = s.id ? ` (${s.id})` : '';
    lines.push(`  ${SYMBOL[s.action] ?? '?'} ${s.action.padEnd(8)} ${s.kind} "${s.name}"${id}`);
    if (s.reason && s.action !== 'noop') lines.push(`      ${s.reason}`);
    if ('spec' in s && s.spec) {
      for (const [k, v] of Object.entries(s.spec)) lines.push(`      ${k}: ${specValue(v)}`);
    }
    for (const ch of s.changes ?? []) lines.push(...changeLines(ch));
  }
  lines.push(
    `${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.noop} unchanged, ${c.conflict} conflict${c.conflict === 1 ? '' : 's'}.`,
  );
  for (const b of report.blockers) {
    if (b.code === 'provision.role_not_held' && grant) continue;
    lines.push(`blocked: ${b.message} (fix: ${b.hint})`);
  }
  if (grant) lines.push(...grantNextLines(grant, 'then'));
  for (const n of report.notes) lines.push(`note: ${n}`);
  return lines;
}

/** How to do the admin grant: the Admin UI, the single API call, or the kit itself. */
export function grantNextLines(g: AdminGrant, lead: 'then' | 'next'): string[] {
  const how = grantInstructions(g);
  return [
    lead === 'then'
      ? `admin grant: the provisioning client ${g.clientId} must hold "${g.roleName}" before provision can create "${g.blocks}". Either:`
      : `Next: give the provisioning client ${g.clientId} the role "${g.roleName}", either`,
    `  - ${how.ui}`,
    `  - or the Platform API: ${how.api}`,
    `  - or ${how.kit}`,
    lead === 'then'
      ? `then provision finishes.`
      : `then run daspeak-genesys provision again: it creates "${g.blocks}" and finishes.`,
  ];
}

/** What a first provision did before it stopped at the admin grant, and what to do next. */
export function formatGrantStop(stop: AdminGrantNeeded): string[] {
  const applied = stop.applied;
  const lines = [
    `Stopped at the admin grant after ${applied.length} change${applied.length === 1 ? '' : 's'}:`,
    ...applied.map((a) => `  ${a.action} ${a.kind} "${a.name}" (${a.id})`),
    `Not done yet: ${[stop.failure.failed, ...stop.failure.notAttempted].map((s) => `${s.kind} "${s.name}"`).join(', ')}.`,
    ...grantNextLines(stop.grant, 'next'),
  ];
  return lines;
}

export function applySummary(out: ProvisionOutcome): string {
  const r = out.result;
  return `Applied: ${r.created} created, ${r.updated} updated, ${r.deleted} deleted, ${r.unchanged} unchanged.`;
}

export function formatProvision(out: ProvisionOutcome): string[] {
  const lines: string[] = [];
  if (out.granted) {
    lines.push(`Granted "${out.granted.roleName}" to OAuth client ${out.granted.clientId} (--grant-with).`);
  }
  if (out.newSecrets.length > 0) {
    lines.push(
      `New one-time secret${out.newSecrets.length > 1 ? 's' : ''} (${out.newSecrets.join(', ')}) written to ${out.secretsFile} (mode 0600); ` +
        'they are not shown anywhere else.',
    );
  }
  return lines;
}

export function formatDestroy(out: DestroyOutcome): string[] {
  const lines = [
    `Destroyed deployment ${out.deploymentId}: ${out.deleted.length} removed, ${out.failed.length} failed.`,
  ];
  for (const d of out.deleted) lines.push(`  - ${d.kind} "${d.name}" (${d.id})`);
  for (const f of out.failed) lines.push(`  ! ${f.kind} "${f.name}"${f.id ? ` (${f.id})` : ''}: ${f.error}`);
  if (out.failed.length > 0)
    lines.push('Fix what is said above and run destroy again; it removes only what is left.');
  return lines;
}
