/**
 * The databases the server suites run on: SQLite in a temporary file always, PostgreSQL
 * (TEST_DATABASE_URL) in a fresh schema per suite, dropped afterwards. Without TEST_DATABASE_URL
 * the PostgreSQL suites are skipped with the reason in their name, except under CI, where they fail.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';

export const PG_URL = process.env.TEST_DATABASE_URL;

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  /** backend.databaseUrl of this suite. */
  url: string;
  /** For PostgreSQL: the schema name (also the connections' application_name). */
  schema?: string;
  /** Runs SQL on a separate connection (PostgreSQL only). */
  sql?(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** URL of the test database with search_path set to one schema; application_name marks its connections. */
export function schemaUrl(base: string, schema: string, host?: { host: string; port: number }): string {
  const url = new URL(base);
  if (host) {
    url.hostname = host.host;
    url.port = String(host.port);
  }
  url.searchParams.set('options', `-c search_path=${schema}`);
  url.searchParams.set('application_name', schema);
  return url.toString();
}

export async function createDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'daspeak-server-'));
    return {
      kind,
      url: `sqlite:${join(dir, 'backend.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = PG_URL!;
  const schema = `t_server_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  return {
    kind,
    url: schemaUrl(base, schema),
    schema,
    async sql(text, params = []) {
      return (await admin.query(text, params)).rows as Record<string, unknown>[];
    },
    async drop() {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

/** Runs `body` once per database: `describe('… [sqlite]')` and `describe('… [postgres]')`. */
export function describeEachDatabase(title: string, body: (kind: 'sqlite' | 'postgres') => void): void {
  describe(`${title} [sqlite]`, () => body('sqlite'));
  describeOnPostgres(`${title} [postgres]`, () => body('postgres'));
}

/**
 * `describe(title, body)` when TEST_DATABASE_URL is set; under CI without it, a failing test; else a
 * skipped suite whose name gives the reason.
 */
export function describeOnPostgres(title: string, body: () => void): void {
  if (PG_URL) {
    describe(title, body);
  } else if (process.env.CI) {
    describe(title, () => {
      it('needs TEST_DATABASE_URL', () => {
        throw new Error('TEST_DATABASE_URL is not set: CI must run the PostgreSQL suites, never skip them');
      });
    });
  } else {
    // reason: no PostgreSQL configured on this machine (CI sets TEST_DATABASE_URL and fails instead of skipping)
    describe.skip(`${title} — skipped (reason: TEST_DATABASE_URL is not set) (e.g. postgres://postgres@127.0.0.1:5432/test)`, () => {
      it('runs the same suite against PostgreSQL', () => undefined);
    });
  }
}
