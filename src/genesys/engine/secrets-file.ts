import { readFileSync } from 'node:fs';
import { KitError } from '../../errors.js';
import { writeFileAtomic } from './files.js';

export interface SecretsFile {
  deploymentId: string;
  /** `kind/name` → secret fields (e.g. clientId, clientSecret of a new OAuth client). */
  secrets: Record<string, Record<string, string>>;
}

export function readSecrets(file: string): SecretsFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KitError('secrets.unreadable', `cannot read the secrets file ${file}`, {
      hint: 'it must be the JSON file an earlier provision wrote with --secrets-out',
    });
  }
}

/** Merges secrets into the 0600 file the backend reads; written before state so none is lost. */
export function storeSecrets(
  file: string,
  deploymentId: string,
  key: string,
  values: Record<string, string>,
): void {
  const current = readSecrets(file) ?? { deploymentId, secrets: {} };
  current.secrets[key] = { ...current.secrets[key], ...values };
  writeFileAtomic(file, `${JSON.stringify(current, null, 2)}\n`, 0o600);
}

/** Removes the secrets of an object that no longer exists (a deleted OAuth client's secret is useless). */
export function dropSecrets(file: string, key: string): boolean {
  const current = readSecrets(file);
  if (!current?.secrets[key]) return false;
  delete current.secrets[key];
  writeFileAtomic(file, `${JSON.stringify(current, null, 2)}\n`, 0o600);
  return true;
}
