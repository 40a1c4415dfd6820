import { isKitError } from '../errors.js';
import type { CredentialStore } from '../store/index.js';
import type { ServerMetrics } from './metrics.js';

type Operation =
  | 'putCredential'
  | 'getCredential'
  | 'credentialStatus'
  | 'deleteCredential'
  | 'recordConsent'
  | 'getConsent'
  | 'withdrawConsent'
  | 'recordDenied'
  | 'recordEvent'
  | 'ping';

/** The store operations the routes use, each counted and timed. */
export type RouteStore = Pick<CredentialStore, Operation>;

function outcomeOf(operation: Operation, value: unknown): string {
  if (
    (operation === 'getCredential' || operation === 'credentialStatus' || operation === 'getConsent') &&
    value === null
  )
    return 'not_found';
  if (operation === 'deleteCredential' && value === false) return 'not_found';
  return 'ok';
}

export function measuredStore(store: CredentialStore, metrics: ServerMetrics): RouteStore {
  const wrap = <K extends Operation>(operation: K): CredentialStore[K] => {
    const fn = store[operation] as (...args: unknown[]) => Promise<unknown>;
    return (async (...args: unknown[]) => {
      const end = metrics.storeDuration.startTimer({ operation });
      try {
        const value = await fn.apply(store, args);
        metrics.storeOperations.inc({ operation, outcome: outcomeOf(operation, value) });
        return value;
      } catch (err) {
        metrics.storeOperations.inc({ operation, outcome: isKitError(err) ? err.code : 'error' });
        throw err;
      } finally {
        end();
      }
    }) as CredentialStore[K];
  };
  return {
    putCredential: wrap('putCredential'),
    getCredential: wrap('getCredential'),
    credentialStatus: wrap('credentialStatus'),
    deleteCredential: wrap('deleteCredential'),
    recordConsent: wrap('recordConsent'),
    getConsent: wrap('getConsent'),
    withdrawConsent: wrap('withdrawConsent'),
    recordDenied: wrap('recordDenied'),
    recordEvent: wrap('recordEvent'),
    ping: wrap('ping'),
  };
}
