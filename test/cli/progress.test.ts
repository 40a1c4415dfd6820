import { afterEach, describe, expect, it } from 'vitest';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { spawnBin } from '../helpers/cli.js';
import { atTerminal } from '../helpers/terminal.js';
import { useTmpDir } from '../helpers/tmp.js';
import { templateKeys } from '../../src/genesys/resources/index.js';
import { startOrg, workspace } from '../provision/helpers.js';

/*
 * Progress and logs as a person sees them: the built CLI on a real pseudo-terminal (util-linux
 * `script`), and the same run with pipes, as CI sees it.
 */

const tmp = useTmpDir();
const running: GenesysSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** Role, 2 credentials, 3 integrations, the data actions, the queue setting, 2 OAuth clients, 3 flows. */
const OBJECTS = 1 + 2 + 3 + templateKeys().length + 1 + 2 + 3;

const ADMIN = { ADMIN_CLIENT_ID: 'sandbox-admin-client', ADMIN_CLIENT_SECRET: 'sandbox-admin-secret' };

async function setup() {
  const s = await startOrg();
  running.push(s);
  const ws = workspace(s, tmp());
  // One 429 on the first write, so the run has a wait to show.
  s.setFaults({ rateLimitNext: 1, retryAfterSeconds: 1, methods: ['POST'] });
  return { s, ws };
}

describe('progress of provision and destroy', () => {
  it('at a terminal: a line per step as it happens, the wait, a summary; logs as pretty single lines', async () => {
    const { ws } = await setup();
    const run = await atTerminal(
      ['--config', ws.configPath, '--verbose', 'provision', '--grant-with', 'env:ADMIN'],
      ws.dir,
      ADMIN,
    );
    expect(run.code).toBe(0);
    const lines = run.text.split('\n').filter(Boolean);
    const created = lines.filter((l) => /^ {2}created [a-z-]+ "daspeak [^"]+" \([^)]+\)$/.test(l));
    expect(created.length).toBeGreaterThanOrEqual(17);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}waiting 1 s: Genesys answered 429 \(rate limited\) to POST \/api\/v2\/[^ ]+; retrying$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}granted role "daspeak Integration" \([0-9a-f-]{36}\): to OAuth client sandbox-admin-client, as sandbox-admin-client$/,
      ),
    );
    // The backend's client comes after the grant, and the summary closes the run with time and waits.
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^ {2}granted role/)).toBeLessThan(at(/^ {2}created oauth-client "daspeak Backend"/));
    expect(lines.at(-2) ?? '').toMatch(
      new RegExp(
        `^Applied: ${OBJECTS} created, 0 updated, 0 deleted, 0 unchanged\\. \\([\\d.]+ s; waited 1 s in 1 retry\\)$`,
      ),
    );
    // No listing of the whole plan again at a terminal: the steps were shown as they happened.
    expect(run.text).not.toMatch(/^Changes for deployment/m);
    // Logs: pretty single lines, never JSON, never in the middle of another line.
    const logs = lines.filter((l) => /^\[\d\d:\d\d:\d\d(\.\d+)?\] (DEBUG|INFO|WARN|ERROR):/.test(l));
    expect(logs).toContainEqual(expect.stringMatching(/DEBUG: retrying Genesys request .*"status":429/));
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    for (const l of lines) expect(l.indexOf('DEBUG:')).toBeLessThanOrEqual(12);

    const destroy = await atTerminal(['--config', ws.configPath, 'destroy', '--yes'], ws.dir, {});
    expect(destroy.code).toBe(0);
    const gone = destroy.text.split('\n').filter((l) => /^ {2}deleted [a-z-]+ "/.test(l));
    expect(gone).toHaveLength(OBJECTS);
    expect(destroy.text).toMatch(
      new RegExp(
        `^Destroyed deployment daspeak-[0-9a-f]{8}: ${OBJECTS} removed, 0 failed\\. \\([\\d.]+ s\\)$`,
        'm',
      ),
    );
  }, 60_000);

  it('not at a terminal: nothing extra on stdout, the full record at the end, JSON logs on stderr', async () => {
    const { s, ws } = await setup();
    const run = await spawnBin(
      ['--config', ws.configPath, '--verbose', 'provision', '--grant-with', 'env:ADMIN'],
      {
        cwd: ws.dir,
        env: ADMIN,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/^ {2}(created|waiting|granted) /m);
    expect(run.stdout).toMatch(/^Changes for deployment daspeak-[0-9a-f]{8}/m);
    expect(run.stdout).toMatch(
      new RegExp(`^Applied: ${OBJECTS} created, 0 updated, 0 deleted, 0 unchanged\\.$`, 'm'),
    );
    const logLines = run.stderr.split('\n').filter(Boolean);
    expect(logLines.length).toBeGreaterThan(0);
    for (const l of logLines) expect(() => JSON.parse(l) as unknown).not.toThrow();
    expect(logLines.some((l) => (JSON.parse(l) as { msg: string }).msg === 'retrying Genesys request')).toBe(
      true,
    );

    // --log-format pretty asks for readable logs anywhere; --json keeps stdout to the JSON document.
    s.setFaults({ rateLimitNext: 1, retryAfterSeconds: 1 });
    const again = await spawnBin(
      ['--config', ws.configPath, '--verbose', '--json', '--log-format', 'pretty', 'provision'],
      {
        cwd: ws.dir,
      },
    );
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true });
    expect(again.stderr).toMatch(/^\[\d\d:\d\d:\d\d(\.\d+)?\] DEBUG: /m);
  }, 60_000);
});

describe('load simulate as a process', () => {
  it('twelve calls at once: real outcomes, no MaxListenersExceededWarning, a line per call at a terminal only', async () => {
    const dir = tmp();
    const args = ['simulate', '--voice', 'alice', '--calls', '12', '--concurrency', '12', '--speed', 'max'];
    const piped = await spawnBin([...args, '--json'], { cwd: dir });
    expect(piped.stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(piped.stderr).toBe('');
    const result = JSON.parse(piped.stdout) as { summary: { outcomes: Record<string, number> } };
    // The emulator keeps no memory of audio: the same voice registers twelve times.
    expect(result.summary.outcomes).toMatchObject({ registered: 12 });
    const tty = await atTerminal(args, dir, {});
    expect(tty.code).toBe(0);
    expect(tty.text).not.toMatch(/MaxListenersExceededWarning/);
    const calls = tty.text.split('\n').filter((l) => /^ {2}registered call "\d+\/12 [0-9a-f-]{36}"$/.test(l));
    expect(calls).toHaveLength(12);
  }, 90_000);
});
