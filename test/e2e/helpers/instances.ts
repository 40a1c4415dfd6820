/**
 * Several backend instances as an operator runs them: separate processes of the built CLI
 * (`bin/daspeak-genesys.js serve`), one config file, one PostgreSQL database. Used by the
 * multi-instance test and by bench/instances.bench.ts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const BIN = fileURLToPath(new URL('../../../bin/daspeak-genesys.js', import.meta.url));
const BUILT_MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

export interface Instance {
  name: string;
  /** The instance's bound URL, ending in a slash. */
  url: string;
  pid: number;
  child: ChildProcessWithoutNullStreams;
  /** What the process wrote on stderr so far (its log). */
  stderr(): string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | string>;
}

export interface Fleet {
  dir: string;
  configFile: string;
  instances: Instance[];
  /** Starts one more instance on the same config. */
  start(name: string): Promise<Instance>;
  /** SIGTERM to every live instance (SIGKILL after 10 s), then removes the folder. */
  stop(): Promise<void>;
}

/** Starts `count` instances of `serve` on the config object given (written to a 0600 YAML file). */
export async function startFleet(config: Record<string, unknown>, count: number): Promise<Fleet> {
  if (!existsSync(BUILT_MAIN)) {
    throw new Error(
      `${BUILT_MAIN} is missing: run \`npm run build\` first (the instances run the built CLI)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'daspeak-fleet-'));
  const configFile = join(dir, 'daspeak-genesys.yaml');
  writeFileSync(configFile, stringify(config), { mode: 0o600 });
  const instances: Instance[] = [];
  const start = async (name: string): Promise<Instance> => {
    const instance = await startInstance(name, configFile, dir);
    instances.push(instance);
    return instance;
  };
  try {
    // One after the other: the first applies the migrations, the others find them applied (they
    // would also wait on the migration lock if started together; a test of the store checks that).
    for (let i = 0; i < count; i++) await start(String.fromCharCode(65 + i));
  } catch (err) {
    await stopAll(instances);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    configFile,
    instances,
    start,
    async stop() {
      await stopAll(instances);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopAll(instances: Instance[]): Promise<void> {
  await Promise.all(
    instances.map(async (i) => {
      if (i.child.exitCode !== null || i.child.signalCode !== null) return;
      i.child.kill('SIGTERM');
      const timer = setTimeout(() => i.child.kill('SIGKILL'), 10_000);
      await i.exited;
      clearTimeout(timer);
    }),
  );
}

function startInstance(name: string, configFile: string, cwd: string): Promise<Instance> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile, '--port', '0', '--json'], {
    cwd,
    env: { PATH: process.env.PATH ?? '' },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`instance ${name} exited (${String(code)}) before listening: ${err}`));
    child.once('exit', onExit);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      let printed: { url?: string; pid?: number };
      try {
        printed = JSON.parse(out) as { url?: string; pid?: number };
      } catch {
        return; // not complete yet
      }
      child.off('exit', onExit);
      resolve({
        name,
        url: printed.url!,
        pid: printed.pid ?? child.pid!,
        child,
        stderr: () => err,
        exited,
      });
    });
  });
}
