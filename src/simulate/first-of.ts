/** Resolves after `ms`, or when `signal` aborts, or when one of `also` settles, whichever comes first. */
export async function firstOf(
  ms: number,
  signal: AbortSignal | undefined,
  also: Promise<unknown>[],
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const stop = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
    onAbort = () => resolve();
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([stop, ...also]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
