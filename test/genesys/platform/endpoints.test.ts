import { afterEach, describe, expect, it } from 'vitest';
import {
  createPlatformClient,
  resolveLocation,
  type PlatformClient,
} from '../../../src/genesys/platform/index.js';
import { CLIENT_ID, CLIENT_SECRET, startFakeOrg, type FakeOrg } from './helpers/scripted-server.js';

let org: FakeOrg | undefined;
let client: PlatformClient | undefined;
afterEach(async () => {
  client?.close();
  await org?.close();
  client = undefined;
  org = undefined;
});

const credentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };

describe('where the client sends requests', () => {
  it.each([
    ['mypurecloud.ie', 'https://api.mypurecloud.ie', 'https://login.mypurecloud.ie'],
    ['usw2.pure.cloud', 'https://api.usw2.pure.cloud', 'https://login.usw2.pure.cloud'],
    ['edee1.eusc-pure.cloud', 'https://api.edee1.eusc-pure.cloud', 'https://login.edee1.eusc-pure.cloud'],
  ])('region %s → %s and %s', (region, api, login) => {
    client = createPlatformClient({ region, ...credentials });
    expect(client.endpoints).toEqual({ api, login });
  });

  it.each([
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['http://127.0.0.1:4010/', 'http://127.0.0.1:4010'],
    ['https://gateway.example.com', 'https://gateway.example.com'],
    ['https://gateway.example.com:8443/genesys/', 'https://gateway.example.com:8443/genesys'],
    ['http://localhost:4010/a/b', 'http://localhost:4010/a/b'],
  ])('base URL %s → %s for both login and API', (baseUrl, base) => {
    client = createPlatformClient({ baseUrl, ...credentials });
    expect(client.endpoints).toEqual({ api: base, login: base });
  });

  it('serves login and API below a base URL path prefix', async () => {
    org = await startFakeOrg(() => ({ body: { organization: { id: 'o' } } }), { prefix: '/genesys' });
    client = createPlatformClient({ baseUrl: `${org.url}/genesys`, ...credentials });
    const me = await client.call(() => client!.api.tokens.getTokensMe());
    expect(me.organization?.id).toBe('o');
    expect(org.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /genesys/oauth/token',
      'GET /genesys/api/v2/tokens/me',
    ]);
  });

  it('keeps two clients for two orgs apart', async () => {
    org = await startFakeOrg(() => ({ body: { organization: { id: 'one' } } }));
    const other = await startFakeOrg(() => ({ body: { organization: { id: 'two' } } }));
    try {
      client = createPlatformClient({ baseUrl: org.url, ...credentials });
      const second = createPlatformClient({ baseUrl: other.url, ...credentials });
      const [a, b] = await Promise.all([
        client.call(() => client!.api.tokens.getTokensMe()),
        second.call(() => second.api.tokens.getTokensMe()),
      ]);
      second.close();
      expect([a.organization?.id, b.organization?.id]).toEqual(['one', 'two']);
      expect(org.requests).toHaveLength(2);
      expect(other.requests).toHaveLength(2);
    } finally {
      await other.close();
    }
  });
});

describe('resolveLocation', () => {
  it('parses a base URL into a gateway', () => {
    expect(resolveLocation({ baseUrl: 'http://[::1]:4010/p/' })).toEqual({
      kind: 'gateway',
      gateway: { protocol: 'http', host: '[::1]', port: 4010, pathPrefix: 'p' },
    });
  });

  it.each([
    [{}, 'genesys.location_missing'],
    [{ region: 'mypurecloud.ie', baseUrl: 'http://127.0.0.1:1' }, 'genesys.location_ambiguous'],
    [{ region: 'https://api.mypurecloud.ie/' }, 'genesys.region_invalid'],
    [{ baseUrl: 'not a url' }, 'genesys.base_url_invalid'],
    [{ baseUrl: 'ftp://host' }, 'genesys.base_url_invalid'],
    [{ baseUrl: 'http://user:pw@host' }, 'genesys.base_url_invalid'],
    [{ baseUrl: 'http://host/?x=1' }, 'genesys.base_url_invalid'],
  ])('refuses %j with %s', (config, code) => {
    expect(() => resolveLocation(config)).toThrow(expect.objectContaining({ code }));
  });
});
