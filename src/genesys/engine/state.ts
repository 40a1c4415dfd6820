import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { KitError } from '../../errors.js';
import { writeFileAtomic } from './files.js';

const StateObjectSchema = Type.Object({
  kind: Type.String(),
  name: Type.String(),
  id: Type.String(),
  outputs: Type.Record(Type.String(), Type.String()),
  fingerprints: Type.Record(Type.String(), Type.String()),
  updatedAt: Type.String(),
});

export const DeploymentStateSchema = Type.Object({
  version: Type.Literal(1),
  deploymentId: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{3,39}$' }),
  prefix: Type.String(),
  organizationId: Type.Optional(Type.String()),
  objects: Type.Record(Type.String(), StateObjectSchema),
  /** Values a kind keeps before a write (KindContext.remember), by `kind/name`. */
  notes: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.String()))),
});

export type DeploymentState = Static<typeof DeploymentStateSchema>;
export type StateObject = Static<typeof StateObjectSchema>;

const validate = new Ajv({ allErrors: true }).compile(DeploymentStateSchema);

export const stateKey = (kind: string, name: string) => `${kind}/${name}`;

export function emptyState(deploymentId: string, prefix: string): DeploymentState {
  return { version: 1, deploymentId, prefix, objects: {} };
}

/** Reads the state file; `undefined` when there is none yet. A damaged file is an error, never ignored. */
export function loadState(file: string): DeploymentState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KitError('state.unreadable', `cannot read the state file ${file}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new KitError('state.corrupt', `the state file ${file} is not valid JSON`, {
      hint: 'restore it from a backup; the objects in the org carry their deployment id, so `plan` still finds them',
    });
  }
  if (!validate(data)) {
    throw new KitError('state.corrupt', `the state file ${file} does not have the expected shape`, {
      hint: `${validate.errors?.[0]?.instancePath ?? ''} ${validate.errors?.[0]?.message ?? ''}`.trim(),
    });
  }
  return data;
}

export function saveState(file: string, state: DeploymentState): void {
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}
