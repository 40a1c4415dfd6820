import { chmodSync, chownSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KitError } from '../../src/errors.js';
import { describeDatabaseUrl, openStore, parseDatabaseUrl } from '../../src/store/index.js';
import { useTmpDir } from '../helpers/tmp.js';
import { AGENT, KEY_1 } from './harness.js';

const config = (databaseUrl: string) => ({
  databaseUrl,
  encryptionKeys: [KEY_1],
  retention: { credentialDays: 30, auditDays: 90 },
});

async function failure(promise: Promise<unknown>): Promise<KitError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof KitError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('openStore', () => {
  const tmp = useTmpDir();

  it('reads sqlite: and postgres: URLs; relative paths resolve against baseDir', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.db', '/srv/kit')).toEqual({
      kind: 'sqlite',
      file: '/srv/kit/data/x.db',
    });
    expect(parseDatabaseUrl('sqlite:/var/lib/x.db', '/srv')).toEqual({
      kind: 'sqlite',
      file: '/var/lib/x.db',
    });
    expect(parseDatabaseUrl('sqlite:///var/lib/x.db')).toEqual({ kind: 'sqlite', file: '/var/lib/x.db' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', file: ':memory:' });
    expect(parseDatabaseUrl('postgresql://u@h/db')).toEqual({ kind: 'postgres', url: 'postgresql://u@h/db' });
    expect(() => parseDatabaseUrl('mysql://u@h/db')).toThrow(/neither sqlite/);
    expect(describeDatabaseUrl('postgres://kit:pw@db.example:5432/vb?sslmode=require')).toBe(
      'postgres://kit@db.example:5432/vb',
    );
  });

  it('creates the SQLite file (and its folder) on first start, private, in WAL mode', async () => {
    const dir = tmp();
    const file = join(dir, 'nested', 'kit.db');
    const store = await openStore(config('sqlite:./nested/kit.db'), { baseDir: dir });
    await store.putCredential(AGENT, '+34600000000', { credential: 'c', modelHash: 'm' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });

  it('tightens an existing SQLite file (and its WAL) that others may read to 0600, and says so', async () => {
    const dir = tmp();
    const file = join(dir, 'kit.db');
    const first = await openStore(config(`sqlite:${file}`));
    await first.putCredential(AGENT, '+34600000000', { credential: 'c', modelHash: 'm' });
    await first.close();
    // As a copy or a restore made with the default umask would leave them.
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '', { mode: 0o664 });
    chmodSync(`${file}-wal`, 0o664);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const store = await openStore(config(`sqlite:${file}`), { logger });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    expect(lines.filter((l) => l.includes('its mode is now 0600'))).toHaveLength(2);
    expect(lines.join('')).toContain('"was":"0644"');
    expect((await store.getCredential(AGENT, '+34600000000'))!.credential).toBe('c');
    await store.close();
  });

  // reason: only root can give a file to another account (chown); as another user the test has no such file to try
  it.skipIf(process.getuid?.() !== 0)(
    "refuses an existing SQLite file that others may read when it is another account's, with a hint",
    async () => {
      const dir = tmp();
      const file = join(dir, 'kit.db');
      writeFileSync(file, '', { mode: 0o644 });
      chmodSync(file, 0o644);
      chownSync(file, 65534, 65534);
      const err = await failure(openStore(config(`sqlite:${file}`)));
      expect(err.code).toBe('store.insecure_file');
      expect(err.message).toContain('0644');
      expect(err.message).toContain('uid 65534');
      expect(err.hint).toContain(`chmod 600 ${file}`);
      expect(statSync(file).mode & 0o777).toBe(0o644); // not touched
    },
  );

  it('works in memory', async () => {
    const store = await openStore(config('sqlite::memory:'));
    await store.putCredential(AGENT, '+34600000000', { credential: 'c', modelHash: 'm' });
    expect((await store.getCredential(AGENT, '+34600000000'))!.credential).toBe('c');
    await store.close();
  });

  it('answers store.unavailable (503) when the database cannot be reached or created', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a-file'), '');
    const sqlite = await failure(openStore(config(`sqlite:${join(dir, 'a-file', 'kit.db')}`)));
    expect(sqlite).toMatchObject({ code: 'store.unavailable', status: 503 });

    const pg = await failure(openStore(config('postgres://kit:pw-123@127.0.0.1:1/none')));
    expect(pg).toMatchObject({ code: 'store.unavailable', status: 503 });
    expect(`${pg.message} ${pg.hint}`).not.toContain('pw-123');

    const notADatabase = join(dir, 'text.db');
    writeFileSync(notADatabase, 'this is not a database file, it is a text file of some length'.repeat(20));
    expect((await failure(openStore(config(`sqlite:${notADatabase}`)))).code).toBe('store.unavailable');
  });

  it('rejects bad retention before opening anything', async () => {
    const err = await failure(
      openStore({ ...config('sqlite::memory:'), retention: { credentialDays: 0, auditDays: 1 } }),
    );
    expect(err.code).toBe('store.bad_config');
  });
});
