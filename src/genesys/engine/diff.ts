import { createHash } from 'node:crypto';
import { isRef, type FieldChange, type Ref } from './resource.js';

/** Shown in plans for a value that exists only after an earlier step of the same run. */
export const KNOWN_AFTER_APPLY = '(known after apply)';
export const MASK = '(secret)';

/**
 * How the state file fingerprints secrets, to tell whether one changed since it was written. Keyed
 * (an HMAC under a key the state file does not hold; provisioning passes one derived from
 * backend.encryptionKeys), because a plain hash of a guessable secret can be reversed by guessing.
 */
export interface SecretFingerprinter {
  fingerprint(text: string): string;
  /** Whether `fingerprint` (as written by any fingerprinter this one recognises) is this text's. */
  matches(fingerprint: string, text: string): boolean;
}

/**
 * The unkeyed SHA-256 of earlier state files. Still recognised by `keyedFingerprints`, so an old
 * state file plans no change; the next apply writes keyed fingerprints over them.
 */
export const unkeyedFingerprints: SecretFingerprinter = {
  fingerprint: (text) => createHash('sha256').update(text).digest('hex'),
  matches: (fingerprint, text) => fingerprint === createHash('sha256').update(text).digest('hex'),
};

/** Keyed fingerprints that also recognise the unkeyed ones of earlier state files. */
export function keyedFingerprints(keyed: SecretFingerprinter): SecretFingerprinter {
  return {
    fingerprint: (text) => keyed.fingerprint(text),
    matches: (fingerprint, text) =>
      keyed.matches(fingerprint, text) || unkeyedFingerprints.matches(fingerprint, text),
  };
}

const fingerprintText = (kind: string, name: string, path: string, value: unknown) =>
  `${kind}\0${name}\0${path}\0${JSON.stringify(value)}`;

export function fingerprint(
  kind: string,
  name: string,
  path: string,
  value: unknown,
  fingerprinter: SecretFingerprinter = unkeyedFingerprints,
): string {
  return fingerprinter.fingerprint(fingerprintText(kind, name, path, value));
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[seg];
  return cur;
}

/** Replaces every Ref with its output; unresolved ones become KNOWN_AFTER_APPLY or throw. */
export function resolveRefs(
  value: unknown,
  lookup: (r: Ref['$ref']) => string | undefined,
  onMissing: 'placeholder' | 'throw',
): unknown {
  if (isRef(value)) {
    const found = lookup(value.$ref);
    if (found !== undefined) return found;
    if (onMissing === 'placeholder') return KNOWN_AFTER_APPLY;
    const r = value.$ref;
    throw new Error(`${r.kind} "${r.name}" has no ${r.output} yet`);
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, lookup, onMissing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, lookup, onMissing)]));
  }
  return value;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equal((a as never)[k], (b as never)[k]));
  }
  return false;
}

/**
 * Fields of `desired` that differ in `actual`. Only desired keys count (the org may hold more). Plain
 * objects are compared key by key so a plan names the exact field; lists and scalars as a whole.
 * Secrets are compared by fingerprint against what the last apply recorded.
 */
export function diffSpec(
  desired: Record<string, unknown>,
  actual: Record<string, unknown>,
  options: {
    kind: string;
    name: string;
    secretPaths?: string[];
    fingerprints?: Record<string, string>;
    fingerprinter?: SecretFingerprinter;
  },
): FieldChange[] {
  const secrets = new Set(options.secretPaths ?? []);
  const changes: FieldChange[] = [];
  const fingerprinter = options.fingerprinter ?? unkeyedFingerprints;
  for (const path of secrets) {
    const value = getPath(desired, path);
    if (value === undefined) continue;
    const recorded = options.fingerprints?.[path];
    const text = fingerprintText(options.kind, options.name, path, value);
    if (recorded === undefined || !fingerprinter.matches(recorded, text)) {
      changes.push({ path, from: MASK, to: MASK, secret: true });
    }
  }
  const walk = (d: unknown, a: unknown, prefix: string) => {
    if (secrets.has(prefix)) return;
    if (d && typeof d === 'object' && !Array.isArray(d)) {
      const aObj = a && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, unknown>) : {};
      for (const [k, v] of Object.entries(d)) {
        if (v === undefined) continue;
        walk(v, aObj[k], prefix ? `${prefix}.${k}` : k);
      }
      return;
    }
    if (!equal(d, a)) changes.push({ path: prefix, from: a, to: d });
  };
  walk(desired, actual, '');
  return changes;
}

/** Fingerprints of the secrets in a desired spec, recorded in state after a write. */
export function secretFingerprints(
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  secretPaths: string[] = [],
  fingerprinter: SecretFingerprinter = unkeyedFingerprints,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of secretPaths) {
    const value = getPath(spec, path);
    if (value !== undefined) out[path] = fingerprint(kind, name, path, value, fingerprinter);
  }
  return out;
}

/** A copy of `spec` with every secret path masked, for plans and logs. */
export function maskSecrets(
  spec: Record<string, unknown>,
  secretPaths: string[] = [],
): Record<string, unknown> {
  const copy = structuredClone(spec);
  for (const path of secretPaths) {
    const segs = path.split('.');
    let cur: Record<string, unknown> | undefined = copy;
    for (const s of segs.slice(0, -1)) cur = cur?.[s] as Record<string, unknown> | undefined;
    const last = segs[segs.length - 1]!;
    if (cur && cur[last] !== undefined) cur[last] = MASK;
  }
  return copy;
}
