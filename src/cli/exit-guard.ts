/**
 * The exit code of the CLI process is the command's, and only once the command has settled.
 *
 * Node exits 0 when its event loop runs dry, even if a promise is still waiting: a command whose
 * work hangs on something that cannot wake it (an unreferenced timer, a promise nobody resolves)
 * would end "successfully" in the middle of a run, and CI would trust it. `beforeExit` fires exactly
 * then; the guard turns it into a one-line error and exit 1.
 */
export interface GuardedProcess {
  exitCode?: number | string | null | undefined;
  once(event: 'beforeExit', listener: () => void): unknown;
  off(event: 'beforeExit', listener: () => void): unknown;
}

export const UNSETTLED_MESSAGE =
  'error: the command ended before its work finished (nothing was left to wait for); ' +
  'treat this run as failed (hint: run it again with --verbose and report it)';

export function exitWhenSettled(
  work: Promise<number>,
  stderr: NodeJS.WritableStream = process.stderr,
  proc: GuardedProcess = process,
): Promise<void> {
  let settled = false;
  const unsettled = () => {
    if (settled) return;
    stderr.write(`${UNSETTLED_MESSAGE}\n`);
    proc.exitCode = 1;
  };
  proc.once('beforeExit', unsettled);
  return work.then(
    (code) => {
      settled = true;
      proc.off('beforeExit', unsettled);
      proc.exitCode = code;
    },
    (err: unknown) => {
      settled = true;
      proc.off('beforeExit', unsettled);
      stderr.write(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
      proc.exitCode = 1;
    },
  );
}
