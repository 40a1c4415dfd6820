import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from './helpers/databases.js';
import { startEnv, type TestEnv } from './helpers/env.js';

/** The seed functions of widget/utils.js plus the kit's setSession. */
interface Utils {
  setSession(values: {
    accessToken?: string | null;
    conversationId?: string | null;
    baseUrl?: string | null;
  }): void;
  storeCredential(id: string, credential: string): Promise<boolean>;
  deleteCredential(id: string): Promise<boolean>;
  getCredential(id: string): Promise<string | null>;
  onResponse(result: unknown, collectedAudio: unknown): void;
  getTemporaryToken(authenticationServerUrl?: string): Promise<string>;
  getCredentialStatus(id: string): Promise<Record<string, unknown>>;
  getConsent(id: string): Promise<Record<string, unknown> | null>;
  recordConsent(
    id: string,
    answer: { decision: 'granted' | 'refused'; wordingVersion: string },
  ): Promise<Record<string, unknown>>;
  BackendError: new (...args: never[]) => Error & { code: string; status: number };
}

let loaded = 0;
/** A fresh instance of the browser module (its session is module state). */
async function loadUtils(): Promise<Utils> {
  const url = new URL(`../../widget/utils.js?instance=${++loaded}`, import.meta.url).href;
  return (await import(url)) as Utils;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string; status?: number };
  }
  throw new Error('expected a rejection');
}

describeEachDatabase('widget/utils.js against the backend', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv(kind);
  });
  afterAll(() => env?.close());

  it('implements the seed functions with the agent token and the conversation id', async () => {
    const utils = await loadUtils();
    const ani = '+34655000001';
    const conversationId = await env.conversation(ani);
    utils.setSession({ accessToken: await env.agentToken(), conversationId, baseUrl: env.base });

    expect(await utils.getCredential(ani)).toBeNull();
    expect(await utils.storeCredential(ani, 'utils-cred')).toBe(true);
    expect(await utils.getCredential('tel:+34 655 000 001')).toBe('utils-cred');
    expect(await utils.deleteCredential(ani)).toBe(true);
    expect(await utils.deleteCredential(ani)).toBe(false);
    expect(await utils.getCredential(ani)).toBeNull();

    const token = await utils.getTemporaryToken(`${env.base}token`);
    expect(token).toBe(env.tokens.issued()[0]);
    expect(await utils.getTemporaryToken()).toBe(token);
    expect(utils.onResponse({ status: 'ok' }, new Uint8Array(8))).toBeUndefined();
  });

  it('reads the credential status and records and reads consent (the kit’s additions)', async () => {
    const utils = await loadUtils();
    const ani = '+34655000003';
    const conversationId = await env.conversation(ani);
    utils.setSession({ accessToken: await env.agentToken(), conversationId, baseUrl: env.base });

    expect(await utils.getCredentialStatus(ani)).toEqual({ ani, registered: false });
    expect(await utils.getConsent(ani)).toBeNull();
    const refused = await utils.recordConsent(ani, { decision: 'refused', wordingVersion: '1' });
    expect(refused).toMatchObject({ ani, status: 'refused', refused: { wordingVersion: '1' } });
    expect(await utils.getConsent('tel:+34 655 000 003')).toEqual(refused);
    expect(await utils.recordConsent(ani, { decision: 'granted', wordingVersion: '1' })).toMatchObject({
      status: 'granted',
    });
    await utils.storeCredential(ani, 'status-cred');
    const status = await utils.getCredentialStatus(ani);
    expect(status).toMatchObject({ ani, registered: true, modelCurrent: true });
    expect(JSON.stringify(status)).not.toContain('status-cred');

    expect(await rejection(utils.getCredentialStatus('+34655000098'))).toMatchObject({
      code: 'ani.mismatch',
      status: 403,
    });
    expect(
      await rejection(utils.recordConsent(ani, { decision: 'granted', wordingVersion: 'bad version' })),
    ).toMatchObject({ code: 'request.invalid_field', status: 400 });
  });

  it('rejects with the backend’s code and status', async () => {
    const utils = await loadUtils();
    const conversationId = await env.conversation('+34655000002');
    utils.setSession({ accessToken: await env.agentToken(), conversationId, baseUrl: env.base });
    const mismatch = await rejection(utils.getCredential('+34655000099'));
    expect(mismatch).toBeInstanceOf(utils.BackendError);
    expect(mismatch).toMatchObject({ code: 'ani.mismatch', status: 403 });

    utils.setSession({ accessToken: 'expired-or-unknown' });
    expect(await rejection(utils.storeCredential('+34655000002', 'x'))).toMatchObject({
      code: 'auth.invalid_token',
      status: 401,
    });
  });

  it('refuses to call without a session, and refuses a bad setSession value', async () => {
    const utils = await loadUtils();
    expect(await rejection(utils.getTemporaryToken(`${env.base}token`))).toMatchObject({
      code: 'auth.missing_token',
      status: 0,
    });
    expect(() => utils.setSession({ accessToken: '' })).toThrow(TypeError);
  });
});
