import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';

/** Fresh temporary directories, removed by the given vitest hook. */
function dirsRemovedBy(hook: (fn: () => void) => void): () => string {
  const dirs: string[] = [];
  hook(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), 'daspeak-test-'));
    dirs.push(d);
    return d;
  };
}

/** A fresh temporary directory per test, removed afterwards. */
export function useTmpDir(): () => string {
  return dirsRemovedBy(afterEach);
}

/**
 * Temporary directories kept for the whole file and removed after its last test: servers started
 * once in beforeAll keep using theirs (useTmpDir would remove them after the first test).
 */
export function useSuiteTmpDir(): () => string {
  return dirsRemovedBy(afterAll);
}
