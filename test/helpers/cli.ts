import { PassThrough } from 'node:stream';
import { spawnSync } from 'node:child_process';
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
