/**
 * The one interface every Genesys object kind implements (one folder per kind under
 * src/genesys/resources/). The engine knows nothing of a kind's details: it asks for the desired
 * objects, reads what exists, compares, and calls create/update/remove in dependency order.
 */
import type { OnProgress } from '../../progress.js';

/** A value known only once another object exists: the engine resolves it before a write. */
export interface Ref {
  $ref: { kind: string; name: string; output: string };
}

export function ref(kind: string, name: string, output = 'id'): Ref {
  return { $ref: { kind, name, output } };
}

export function isRef(value: unknown): value is Ref {
  return (
    typeof value === 'object' &&
    value !== null &&
    '$ref' in value &&
    typeof (value as Ref).$ref === 'object' &&
    typeof (value as Ref).$ref.kind === 'string'
  );
}

/** What the config says should exist. `spec` holds only the fields the kit manages. */
export interface DesiredObject {
  kind: string;
  /** Full name (prefix included); the identity of the object within its kind. */
  name: string;
  spec: Record<string, unknown>;
  /** Dotted paths in `spec` holding secrets: masked in output, compared by fingerprint. */
  secretPaths?: string[];
}

/** What exists in the org under one of the kit's names. */
export interface ActualObject {
  kind: string;
  name: string;
  id: string;
  /** The managed fields as the org reports them (the kind normalises them to the desired shape). */
  spec: Record<string, unknown>;
  /**
   * The deployment id recorded in the object itself (description/notes), `null` when the object
   * carries no marker, or `undefined` when the kind has nowhere to record one (the state file decides).
   */
  owner: string | null | undefined;
}

/** What a write returns; `secrets` go to the secrets file only, never to state or output. */
export interface WriteResult {
  id: string;
  outputs?: Record<string, string>;
  secrets?: Record<string, string>;
}

export interface KindContext<Org> {
  org: Org;
  deploymentId: string;
  /** The marker a kind writes into descriptions/notes so ownership survives a lost state file. */
  marker: string;
  /** Outputs of objects already applied in this run or recorded in state. */
  outputOf(kind: string, name: string, output?: string): string | undefined;
  /** Objects of a kind recorded in state (for kinds that change objects they do not create). */
  recorded(kind: string): { name: string; id: string; outputs: Record<string, string> }[];
  /**
   * Keeps values on disk (in the state file) before a write, e.g. a setting's previous value, so a
   * run killed between the write and its record can still restore it. Dropped with the record.
   */
  remember(kind: string, name: string, values: Record<string, string>): void;
  recall(kind: string, name: string): Record<string, string> | undefined;
  /**
   * Steps inside one long write (a flow's publish job), before the engine reports the write itself.
   * Optional so kinds and tests that build a context by hand need not give one.
   */
  progress?: OnProgress;
}

export interface ResourceKind<Config, Org> {
  kind: string;
  /** Kinds whose objects must exist before this kind's objects are written. */
  dependsOn: string[];
  desired(config: Config): DesiredObject[];
  /** Every object of this kind whose name starts with the prefix (owned by anyone). */
  read(ctx: KindContext<Org>, prefix: string): Promise<ActualObject[]>;
  create(ctx: KindContext<Org>, desired: DesiredObject): Promise<WriteResult>;
  update(ctx: KindContext<Org>, desired: DesiredObject, actual: ActualObject): Promise<WriteResult>;
  remove(ctx: KindContext<Org>, actual: ActualObject): Promise<void>;
  /**
   * Fields a kind cannot read back (write-only secrets) are compared through fingerprints kept in
   * state; everything else is compared by value. Kinds may override to normalise.
   */
  compare?(desired: Record<string, unknown>, actual: ActualObject): FieldChange[];
}

export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
  secret?: boolean;
}
