import { spawn } from 'node:child_process';
import { BIN } from './cli.js';

const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');

/**
 * Runs the built CLI on a pseudo-terminal (util-linux `script`: stdin, stdout and stderr all on it)
 * and returns what it showed, colours and carriage returns removed.
 */
export function atTerminal(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; text: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd,
    env: { PATH: process.env.PATH, TERM: 'xterm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, text: text.replace(/\r/g, '').replace(ANSI, '') }));
  });
}
