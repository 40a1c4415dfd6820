import type { Server } from 'node:http';
import { KitError } from '../errors.js';

/**
 * Starts a sandbox's server on host:port. A port in use is a `sandbox.listen_failed` that names the
 * option which moves it (`portHint`), since that is what the user can change.
 */
export function listenOn(
  server: Server,
  { host, port, what, portHint }: { host: string; port: number; what: string; portHint: string },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new KitError('sandbox.listen_failed', `${what} cannot listen on ${host}:${port}: ${err.message}`, {
          cause: err,
          hint: err.code === 'EADDRINUSE' ? `another process uses that port; ${portHint}` : undefined,
        }),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
