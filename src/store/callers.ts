/**
 * How the store names a caller. Rows never hold the number: they are keyed by the caller's keyed
 * hash (KeyRing.callerHash of the number's SHA-256 digest) with the id of the key it was made under
 * (`ani_key_id`). One `callers` row per caller holds that hash, its key id and the caller's
 * reference sealed under the same key — the number (`e164:+34600000000`), or, for a caller known
 * only from rows older than migration 3, the legacy digest (`sha256:<hex>`) — so that `store rotate`
 * can compute the hash under a new key without knowing the number.
 *
 * Every row of one caller carries the hash of its callers row. While more than one key is
 * configured, a caller may still be under an older one; lookups therefore try the caller's hash
 * under every configured key (the current one first), and new rows of an existing caller take the
 * hash its callers row has, until `store rotate` moves the caller and all its rows together.
 */
import { BoundedMemo, normaliseAni } from '../identity/ani.js';
import { aniDigest } from '../identity/hash.js';
import type { KeyRing } from './envelope.js';
import type { SqlTx } from './sql.js';

export interface Caller {
  e164: string;
  /** SHA-256 hex of the number: the credential's AAD binding, never stored. */
  digest: string;
  /** Keyed hash under the current key, and that key's id: what a new caller is keyed by. */
  hash: string;
  keyId: string;
  /** Keyed hash under every configured key, the current one first. */
  hashes: readonly string[];
  /** The reference sealed for a new callers row (current key, bound to `hash`). */
  sealed: Buffer;
}

/** The hash and key id a caller's rows carry. */
export interface CallerKey {
  hash: string;
  keyId: string;
}

const E164_PREFIX = 'e164:';
const DIGEST_PREFIX = 'sha256:';

/** The digest a sealed caller reference stands for, or null when it is neither form. */
export function digestOfReference(reference: Buffer): string | null {
  const text = reference.toString('utf8');
  if (text.startsWith(DIGEST_PREFIX)) {
    const digest = text.slice(DIGEST_PREFIX.length);
    return /^[0-9a-f]{64}$/.test(digest) ? digest : null;
  }
  if (text.startsWith(E164_PREFIX)) {
    try {
      return aniDigest(text.slice(E164_PREFIX.length));
    } catch {
      return null;
    }
  }
  return null;
}

export function isLegacyReference(reference: Buffer): boolean {
  return reference.subarray(0, DIGEST_PREFIX.length).toString('utf8') === DIGEST_PREFIX;
}

export class Callers {
  readonly #keys: KeyRing;
  readonly #defaultCountry: string | undefined;
  /** A store hashes the same few callers over and over (an HMAC per configured key each time). */
  readonly #memo = new BoundedMemo<Caller>(1000);
  /** `ani_hash in (?, …)`, one placeholder per configured key. */
  readonly inHashes: string;

  constructor(keys: KeyRing, defaultCountry: string | undefined) {
    this.#keys = keys;
    this.#defaultCountry = defaultCountry;
    const n = keys.ids.length;
    this.inHashes =
      n === 1 ? 'ani_hash = ?' : `ani_hash in (${Array.from({ length: n }, () => '?').join(', ')})`;
  }

  /** The caller a number names, in any form normaliseAni accepts; throws ani.invalid / ani.withheld. */
  of(ani: string): Caller {
    const e164 = normaliseAni(ani, { defaultCountry: this.#defaultCountry });
    return this.#memo.get(e164, () => {
      const keys = this.#keys;
      const digest = aniDigest(e164);
      const keyId = keys.currentId;
      const hash = keys.callerHash(digest, keyId);
      const others = keys.ids.filter((id) => id !== keyId).map((id) => keys.callerHash(digest, id));
      return {
        e164,
        digest,
        hash,
        keyId,
        hashes: [hash, ...others],
        sealed: keys.sealCaller(Buffer.from(`${E164_PREFIX}${e164}`, 'utf8'), keyId, hash),
      };
    });
  }

  /** The caller's row (under any configured key, the current one preferred), or null. */
  async find(tx: SqlTx, caller: Caller, lock = ''): Promise<(CallerKey & { sealed: Buffer }) | null> {
    const rows = await tx.all<{ ani_hash: string; key_id: string; sealed: Buffer }>(
      `select ani_hash, key_id, sealed from callers where ${this.inHashes}${lock}`,
      caller.hashes,
    );
    if (rows.length === 0) return null;
    const row = rows.find((r) => r.key_id === caller.keyId) ?? rows[0]!;
    return { hash: row.ani_hash, keyId: row.key_id, sealed: Buffer.from(row.sealed) };
  }

  /**
   * The hash and key id the caller's rows carry, adding the caller's row when there is none.
   * `lock` (' FOR UPDATE' on PostgreSQL) serialises writers of one caller with a rotation that moves
   * it. With `learnNumber`, a caller known only by its legacy digest gets its number sealed instead.
   */
  async resolve(
    tx: SqlTx,
    caller: Caller,
    options: { lock?: string; learnNumber?: boolean; now: number },
  ): Promise<CallerKey> {
    const found = await this.find(tx, caller, options.lock ?? '');
    if (found) {
      if (options.learnNumber) await this.#learnNumber(tx, caller, found);
      return { hash: found.hash, keyId: found.keyId };
    }
    // A concurrent first operation of the same caller may insert it too: either row is the same.
    await tx.run(
      'insert into callers (ani_hash, key_id, sealed, created_at) values (?, ?, ?, ?) on conflict (ani_hash) do nothing',
      [caller.hash, caller.keyId, caller.sealed, options.now],
    );
    return { hash: caller.hash, keyId: caller.keyId };
  }

  async #learnNumber(tx: SqlTx, caller: Caller, row: CallerKey & { sealed: Buffer }): Promise<void> {
    let reference: Buffer;
    try {
      reference = this.#keys.openCaller(row.sealed, row.keyId, row.hash);
    } catch {
      return; // left as it is: store rotate reports a caller row that does not open
    }
    if (!isLegacyReference(reference)) return;
    const sealed = this.#keys.sealCaller(
      Buffer.from(`${E164_PREFIX}${caller.e164}`, 'utf8'),
      row.keyId,
      row.hash,
    );
    await tx.run('update callers set sealed = ? where ani_hash = ?', [sealed, row.hash]);
  }
}
