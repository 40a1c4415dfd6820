import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { KitError } from '../../../errors.js';
import { checkAgainst } from '../body.js';
import type { OrgState } from './model.js';

const Records = Type.Array(Type.Object({ id: Type.String({ minLength: 1 }) }));

/**
 * The outline of a state file: enough to refuse a file that is not one (or another version) before
 * trusting its records, which only this module writes.
 */
export const StateFileSchema = Type.Object({
  version: Type.Literal(1),
  organization: Type.Object({ id: Type.String({ minLength: 1 }), name: Type.String() }),
  divisions: Records,
  roles: Records,
  users: Records,
  groups: Records,
  queues: Records,
  oauthClients: Records,
  tokens: Type.Array(Type.Object({ hash: Type.String(), expiresAt: Type.Number() })),
  credentials: Records,
  integrations: Records,
  actions: Records,
  flows: Records,
  flowJobs: Records,
  conversations: Records,
});

export function loadStateFile(file: string): OrgState | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KitError('sandbox.state_unreadable', `cannot read the sandbox state file ${file}`, {
      cause: err,
      hint: 'delete it to start from a fresh org, or point --state-file elsewhere',
    });
  }
  const issues = checkAgainst(StateFileSchema, parsed);
  if (issues.length > 0) {
    throw new KitError(
      'sandbox.state_invalid',
      `${file} is not a Genesys sandbox state file: ${issues[0]?.text}`,
      {
        hint: 'delete it to start from a fresh org, or point --state-file elsewhere',
      },
    );
  }
  return parsed as OrgState;
}

/** Writes atomically (temp file + rename) with mode 0600: the file holds integration credentials. */
export function saveStateFile(file: string, state: OrgState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
