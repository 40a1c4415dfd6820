/**
 * Ctrl-C in a real process: the first SIGINT hangs up the calls in flight (Audiohook `close`, das-Peak
 * session ended), starts no new one, prints what ran and exits 1.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source and sends SIGINT once stderr matches `when`. */
function runUntil(args: string[], when: RegExp): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/simulate/run-cli.ts', ...args], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('simulate: Ctrl-C', () => {
  it(
    'hangs up the calls in flight, starts no new one, reports what ran, exits 1',
    { timeout: 60_000 },
    async () => {
      const r = await runUntil(
        [
          '--verbose',
          '--log-format',
          'json',
          'simulate',
          '--json',
          '--voice',
          'alice',
          '--calls',
          '20',
          '--concurrency',
          '2',
          '--speed',
          '5',
        ],
        /"msg":"simulate: call ended"/,
      );
      expect(r.signal).toBeNull(); // it exited by itself, not killed by the signal
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/stopping: hanging up the calls in progress/);
      const result = JSON.parse(r.stdout) as {
        ok: boolean;
        interrupted: boolean;
        summary: { completed: number; requested: number };
        calls: {
          kind: string;
          error?: { code: string };
          audiohook: { closeReason: string | null; closedByServer: boolean };
        }[];
      };
      expect(result.ok).toBe(false);
      expect(result.interrupted).toBe(true);
      expect(result.summary.requested).toBe(20);
      expect(result.summary.completed).toBeLessThan(20);
      expect(result.calls).toHaveLength(result.summary.completed);
      // Every call ended its Audiohook session properly, including the ones hung up mid-speech.
      for (const call of result.calls) {
        expect(call.audiohook.closedByServer || call.audiohook.closeReason === 'disconnect').toBe(true);
      }
      expect(result.calls.some((c) => c.kind === 'error' && c.audiohook.closeReason === 'end')).toBe(true);
    },
  );
});
