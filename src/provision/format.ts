import type { FieldChange } from '../genesys/engine/resource.js';
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

function changeLine(c: FieldChange): string {
  return `      ${c.path}: ${shortValue(c.from)} → ${shortValue(c.to)}`;
}

export function formatPlan(report: PlanReport, options: { title?: string } = {}): string[] {
  const c = report.counts;
  const lines = [
    `${options.title ?? 'Plan'} for deployment ${report.deploymentId}${report.newDeployment ? ' (new)' : ''}` +
      `${report.organizationId ? ` in organization ${report.organizationId}` : ''}:`,
  ];
  for (const s of report.steps) {
    const id = s.id ? ` (${s.id})` : '';
    lines.push(`  ${SYMBOL[s.action] ?? '?'} ${s.action.padEnd(8)} ${s.kind} "${s.name}"${id}`);
    if (s.reason && s.action !== 'noop') lines.push(`      ${s.reason}`);
    if ('spec' in s && s.spec) {
      for (const [k, v] of Object.entries(s.spec)) lines.push(`      ${k}: ${shortValue(v)}`);
    }
    for (const ch of s.changes ?? []) lines.push(changeLine(ch));
  }
  lines.push(
    `${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.noop} unchanged, ${c.conflict} conflict${c.conflict === 1 ? '' : 's'}.`,
  );
  for (const b of report.blockers) lines.push(`blocked: ${b.message} (fix: ${b.hint})`);
  for (const n of report.notes) lines.push(`note: ${n}`);
  return lines;
}

export function formatProvision(out: ProvisionOutcome): string[] {
  const r = out.result;
  const lines = [
    `Applied: ${r.created} created, ${r.updated} updated, ${r.deleted} deleted, ${r.unchanged} unchanged.`,
  ];
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
