import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';
import type { StoreConfig } from '../../src/store/index.js';
import { AGENT, callerHash, describeEachStore, KEY_1, KEY_2 } from './harness.js';

/** Writes a sandbox config whose backend uses the given database and keys. */
async function writeConfig(
  dir: string,
  databaseUrl: string,
  keys: StoreConfig['encryptionKeys'],
): Promise<void> {
  const init = await runCli(['init', '--sandbox', '--database-url', databaseUrl], { cwd: dir });
  expect(init.code, init.stderr).toBe(0);
  const file = join(dir, 'daspeak-genesys.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['backend', 'encryptionKeys'], keys);
  doc.setIn(['backend', 'retention'], { credentialDays: 30, auditDays: 90 });
  writeFileSync(file, doc.toString(), { mode: 0o600 });
}

describeEachStore('daspeak-genesys store', (h) => {
  const tmp = useTmpDir();

  it('rotate re-encrypts every credential under the first key, then purge applies retention', async () => {
    // The command runs on the real clock; so do these rows, or retention would rightly purge them.
    const old = await h.open({ encryptionKeys: [KEY_1] }, { clock: () => new Date() });
    for (let i = 0; i < 3; i++)
      await old.putCredential(AGENT, `+3460000000${i}`, { credential: `c${i}`, modelHash: 'm' });
    await old.close();

    const dir = tmp();
    await writeConfig(dir, h.databaseUrl(), [KEY_2, KEY_1]);
    const rotate = await runCli(['store', 'rotate', '--batch-size', '2', '--json'], { cwd: dir });
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(JSON.parse(rotate.stdout)).toEqual({
      ok: true,
      action: 'rotate',
      keyId: 'k2',
      rotated: 3,
      alreadyCurrent: 0,
      corrupt: 0,
      unknownKey: 0,
      callers: { rekeyed: 3, alreadyCurrent: 0, corrupt: 0, unknownKey: 0, conflicts: 0, remaining: 0 },
      unlinked: 0,
      remaining: 0,
    });
    const again = await runCli(['store', 'rotate'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      're-encrypted 0 credential(s) under key "k2"; 3 already were; moved 0 caller(s) to its hash; 3 already were',
    );
    expect(again.stdout).toContain('older keys can now be removed');

    const purge = await runCli(['store', 'purge', '--json'], { cwd: dir });
    expect(purge.code, purge.stderr).toBe(0);
    expect(JSON.parse(purge.stdout)).toEqual({
      ok: true,
      action: 'purge',
      credentials: 0,
      audit: 0,
      callers: 0,
      credentialDays: 30,
      auditDays: 90,
    });
    for (const out of [rotate, again, purge]) expect(out.stdout + out.stderr).not.toContain(KEY_1.key);

    // The old key can go.
    const onlyNew = await h.open({ encryptionKeys: [KEY_2] });
    expect((await onlyNew.getCredential(AGENT, '+34600000001'))!.credential).toBe('c1');
  });

  it('rotate exits 1 and says to keep the old keys while rows remain under them', async () => {
    const old = await h.open({ encryptionKeys: [KEY_1] });
    await old.putCredential(AGENT, '+34600000001', { credential: 'c', modelHash: 'm' });
    await old.putCredential(AGENT, '+34600000002', { credential: 'c', modelHash: 'm' });
    await old.close();
    await h.sql('update credentials set ciphertext = ? where ani_hash = ?', [
      Buffer.from([1, 2, 3]),
      callerHash('+34600000001'),
    ]);
    const dir = tmp();
    await writeConfig(dir, h.databaseUrl(), [KEY_2, KEY_1]);
    const r = await runCli(['store', 'rotate', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, rotated: 1, corrupt: 1, remaining: 1 });
    expect(r.stderr).toContain('credentials: 1 do not decrypt');
    expect(r.stderr).toContain('keep the older keys');
  });

  it('refuses to run with rows under a key the config no longer lists, naming it', async () => {
    const old = await h.open({ encryptionKeys: [KEY_1] });
    await old.putCredential(AGENT, '+34600000001', { credential: 'c', modelHash: 'm' });
    await old.close();
    const dir = tmp();
    await writeConfig(dir, h.databaseUrl(), [KEY_2]);
    for (const action of ['rotate', 'purge']) {
      const r = await runCli(['store', action, '--json'], { cwd: dir });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'store.unknown_key' } });
      expect(r.stderr).toContain('add the key(s) "k1" back');
      expect(r.stdout + r.stderr).not.toContain(KEY_1.key);
    }
  });
});

describe('daspeak-genesys store (errors)', () => {
  const tmp = useTmpDir();

  it('an unknown action is a usage error', async () => {
    const r = await runCli(['store', 'shred'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/value 'shred' is invalid for argument 'action'.*rotate, purge/);
  });

  it('an unreachable database is one line, exit 1, without the password', async () => {
    const dir = tmp();
    await writeConfig(dir, 'postgres://kit:s3cret-pw@127.0.0.1:1/none', [KEY_1]);
    const r = await runCli(['store', 'purge', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'store.unavailable' } });
    expect(r.stderr).toMatch(/^error: the credential database cannot be reached/m);
    expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
  });
});
