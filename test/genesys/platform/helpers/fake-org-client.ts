import { afterEach } from 'vitest';
import {
  createPlatformClient,
  type PlatformClient,
  type PlatformClientOptions,
} from '../../../../src/genesys/platform/index.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  recordingSleep,
  startFakeOrg,
  type FakeOrg,
  type Handler,
} from './scripted-server.js';

/**
 * Per test: a scripted fake org and a platform client pointed at it, both closed after the test.
 * Sleeps are recorded instead of waited (`delays`), so retry tests are exact and fast.
 */
export function useFakeOrgClient(defaults: PlatformClientOptions = {}) {
  let org: FakeOrg | undefined;
  let client: PlatformClient | undefined;
  afterEach(async () => {
    client?.close();
    await org?.close();
    client = undefined;
    org = undefined;
  });
  return async (handler: Handler, options: PlatformClientOptions = {}) => {
    const fakeOrg = await startFakeOrg(handler);
    org = fakeOrg;
    const recorder = recordingSleep();
    const platform = createPlatformClient(
      { baseUrl: fakeOrg.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { sleep: recorder.sleep, ...defaults, ...options },
    );
    client = platform;
    return { org: fakeOrg, client: platform, delays: recorder.delays };
  };
}
