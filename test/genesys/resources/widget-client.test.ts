/**
 * The widget's OAuth client as provisioning makes it (issue 10): authorization code with PKCE, the
 * widget page and its sign-in popup's page as redirect URIs, the widget's scopes. Against the sandbox
 * org over HTTP: a fresh org, an org provisioned by an earlier kit (implicit grant), and a run that
 * finds nothing to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatPlan, planDeployment } from '../../../src/provision/index.js';
import { WIDGET_SCOPES } from '../../../src/genesys/resources/oauth-client/kind.js';
import type { GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { adminApi, kitObjects, opts, provisionReady, startOrg, workspace } from '../../provision/helpers.js';
import { pkcePair, signInForCode, tokenRequest } from '../../sandbox/genesys/helpers.js';

const running: GenesysSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
const tmp = useTmpDir();

async function org() {
  const s = await startOrg();
  running.push(s);
  return s;
}

const PAGE = 'http://127.0.0.1:8080/';
const POPUP = 'http://127.0.0.1:8080/auth-popup.html';
const widgetClientOf = (s: GenesysSandbox) => kitObjects(s).clients.find((c) => c.name === 'daspeak Widget')!;

/** Provisions again and answers the number of writes that run made (the org counts them). */
async function writesOfAnotherRun(s: GenesysSandbox, ws: ReturnType<typeof workspace>): Promise<number> {
  s.resetRequestCounts();
  const again = await provisionReady(s, ws);
  expect(again.result).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  return s.requestCounts().writes;
}

/** An agent signs in with the provisioned client through the popup's redirect page, as the widget will. */
async function signInWith(s: GenesysSandbox, clientId: string): Promise<string> {
  const pair = pkcePair();
  const { code } = await signInForCode(
    s,
    {
      client_id: clientId,
      redirect_uri: POPUP,
      code_challenge: pair.challenge,
      code_challenge_method: 'S256',
    },
    s.agents[0]!.email,
  );
  const t = await tokenRequest(s, {
    grant_type: 'authorization_code',
    code,
    code_verifier: pair.verifier,
    client_id: clientId,
    redirect_uri: POPUP,
  });
  expect(t.status).toBe(200);
  return t.body.access_token as string;
}

describe("the widget's OAuth client", () => {
  it('is an authorization-code client with PKCE on a fresh org, usable at once; a second run writes nothing', async () => {
    const s = await org();
    const ws = workspace(s, tmp());
    await provisionReady(s, ws);
    const client = widgetClientOf(s);
    expect(client).toMatchObject({
      authorizedGrantType: 'PKCE',
      registeredRedirectUri: [PAGE, POPUP],
      scope: [...WIDGET_SCOPES].sort(),
      roleDivisions: [],
      state: 'active',
    });
    expect(client.description).toMatch(/authorization code with PKCE/);
    await signInWith(s, client.id);
    expect(await writesOfAnotherRun(s, ws)).toBe(0);
  });

  it("upgrades an earlier deployment's implicit-grant client in place: plan shows it, provision changes it, then nothing", async () => {
    const s = await org();
    const ws = workspace(s, tmp());
    await provisionReady(s, ws);
    const before = widgetClientOf(s);
    // What an earlier kit left in the org: the same client, implicit grant, the widget page only.
    const api = await adminApi(s);
    const put = await api('PUT', `/api/v2/oauth/clients/${before.id}`, {
      name: before.name,
      description: before.description.replace(
        /^.*?(?=\s*\[)/,
        'Agent login of the daspeak-genesys Interaction Widget (implicit grant).',
      ),
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: [PAGE],
      scope: before.scope,
      accessTokenValiditySeconds: before.accessTokenValiditySeconds,
      state: 'active',
    });
    expect(put.status).toBe(200);
    expect(widgetClientOf(s).authorizedGrantType).toBe('TOKEN');

    const planned = await planDeployment(opts(ws));
    const step = planned.report.steps.find(
      (st) => st.kind === 'oauth-client' && st.name === 'daspeak Widget',
    )!;
    expect(step.action).toBe('update');
    expect(step.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'authorizedGrantType', from: 'TOKEN', to: 'PKCE' }),
        expect.objectContaining({ path: 'registeredRedirectUri', from: [PAGE], to: [PAGE, POPUP] }),
      ]),
    );
    const text = formatPlan(planned.report).join('\n');
    expect(text).toMatch(/update\s+oauth-client "daspeak Widget"/);
    expect(text).toContain('authorizedGrantType');
    expect(planned.report.counts).toMatchObject({ create: 0, update: 1, delete: 0 });

    s.resetRequestCounts();
    const applied = await provisionReady(s, ws);
    expect(applied.result).toMatchObject({ created: 0, updated: 1, deleted: 0 });
    // One PUT, the same client: the id the backend serves in config.js does not change.
    expect(
      s.requestCounts().routes.filter((r) => r.route.startsWith('/api/v2/') && r.method !== 'GET'),
    ).toEqual([
      expect.objectContaining({ method: 'PUT', route: '/api/v2/oauth/clients/:clientId', count: 1 }),
    ]);
    const after = widgetClientOf(s);
    expect(after.id).toBe(before.id);
    expect(after).toMatchObject({ authorizedGrantType: 'PKCE', registeredRedirectUri: [PAGE, POPUP] });
    await signInWith(s, after.id);
    expect(await writesOfAnotherRun(s, ws)).toBe(0);
  });
});
