import { PassThrough } from 'node:stream';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured streams (fast; same code path as the binary). */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string } = { cwd: process.cwd() },
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  stdin.end(options.stdin ?? '');
  const previous = process.cwd();
  process.chdir(options.cwd);
  try {
    const code = await main(['node', 'daspeak-genesys', ...args], {
      stdout,
      stderr,
      stdin,
      env: { PATH: process.env.PATH, ...(options.env ?? {}) },
      cwd: options.cwd,
    });
    return { code, stdout: out, stderr: err };
  } finally {
    process.chdir(previous);
  }
}

export const BIN = fileURLToPath(new URL('../../bin/daspeak-genesys.js', import.meta.url));

/** Runs the real launcher (needs `npm run build`). */
export function runBin(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...(options.env ?? {}) },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the real launcher without blocking this process (needs `npm run build`), so servers started by
 * the test in this process keep answering. Killed after `timeoutMs` (the result then says so).
 */
export function spawnBin(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; stdin?: string },
): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...(options.env ?? {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(options.stdin ?? '');
  const timer = setTimeout(() => {
    stderr += `\n[test: killed after ${options.timeoutMs ?? 60_000} ms]`;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr, ms: Date.now() - started });
    });
  });
}
