import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { useTmpDir } from '../../helpers/tmp.js';
import { output, pollStatus, run, speak, startServices, type Services } from './helpers.js';

// Genesys conversation ids are UUIDs; the backend refuses anything else.
const CONV_1 = '0c0e5a1e-0000-4000-8000-0000000c0001';
const CONV_2 = '0c0e5a1e-0000-4000-8000-0000000c0002';
const CONV_3 = '0c0e5a1e-0000-4000-8000-0000000c0003';

/*
 * The kit's data actions run the way Genesys runs them (src/flows/executor), against the das-Peak
 * emulator and the kit's backend on 127.0.0.1: what the IVR flow does, step by step, with a real
 * call's audio on Audiohook. Success and failure of every action.
 */

const tmp = useTmpDir();
let services: Services | undefined;
afterEach(async () => {
  await services?.stop();
  services = undefined;
});
const start = async () => (services = await startServices(tmp(), { url: 'http://127.0.0.1:9' }));

const ANI = 'tel:+34 600-000-001';
const E164 = '+34600000001';

/** One IVR session: audio settings, the session, the caller's speech, the status loop. */
async function ivrSession(
  s: Services,
  operation: 'register' | 'verify',
  voice: string,
  credential?: string,
): Promise<Record<string, unknown>> {
  const conversationId = randomUUID();
  const settings = await output(s.config, 'daspeak-create-audio-settings', {});
  expect(settings.audioSettingsId).toEqual(expect.any(String));
  const created = await output(s.config, `daspeak-create-${operation}-session`, {
    audioSettingsId: settings.audioSettingsId,
    conversationId,
    ...(credential === undefined ? {} : { credential }),
  });
  expect(created).toMatchObject({ sessionId: expect.any(String) as string, status: 'waiting-consumer' });
  const line = await speak(s.config, conversationId, voice);
  try {
    return await pollStatus(s.config, operation, created.sessionId as string);
  } finally {
    await line.hangUp();
  }
}

describe('the IVR through the kit data actions', () => {
  it('registers a caller, keeps the credential in the backend, verifies the caller and refuses another voice', async () => {
    const s = await start();
    // Nothing stored yet: an ordinary outcome, not a failure.
    expect(await output(s.config, 'backend-get-credential', { ani: ANI, conversationId: CONV_1 })).toEqual({
      found: false,
      ani: E164,
      credential: '',
      modelHash: '',
      modelCurrent: false,
    });
    expect(await output(s.config, 'backend-get-consent', { ani: ANI, conversationId: CONV_1 })).toMatchObject({
      found: false,
      status: 'none',
      granted: false,
    });
    expect(
      await output(s.config, 'backend-store-consent', { ani: ANI, conversationId: CONV_1, wordingVersion: 'v1' }),
    ).toMatchObject({ recorded: true, ani: E164, status: 'granted', granted: true, wordingVersion: 'v1' });

    const registered = await ivrSession(s, 'register', 'alice-register.wav');
    expect(registered).toMatchObject({ status: 'success', errorCode: '', modelHash: 'sandbox-model-v1' });
    expect(registered.credential).toMatch(/^[A-Za-z0-9+/=]{16,}$/);
    expect(registered.netSpeechDuration as number).toBeGreaterThanOrEqual(s.config.daspeak.audioTotalDuration.register);

    expect(
      await output(s.config, 'backend-store-credential', {
        ani: ANI,
        conversationId: CONV_1,
        credential: registered.credential,
      }),
    ).toEqual({ stored: true, created: true, ani: E164, modelHash: 'sandbox-model-v1' });
    const stored = await output(s.config, 'backend-get-credential', { ani: '+34600000001', conversationId: CONV_2 });
    expect(stored).toEqual({
      found: true,
      ani: E164,
      credential: registered.credential,
      modelHash: 'sandbox-model-v1',
      modelCurrent: true,
    });

    const verified = await ivrSession(s, 'verify', 'alice-verify-1.wav', stored.credential as string);
    expect(verified).toMatchObject({ status: 'success', credential: '', errorCode: '' });
    expect(verified.score as number).toBeGreaterThanOrEqual(s.config.daspeak.verificationThreshold);

    const impostor = await ivrSession(s, 'verify', 'bruno-verify-1.wav', stored.credential as string);
    expect(impostor.status).toBe('fail-score');
    expect(impostor.score as number).toBeLessThan(s.config.daspeak.verificationThreshold);

    expect(await output(s.config, 'backend-delete-credential', { ani: ANI, conversationId: CONV_3 })).toEqual({
      deleted: true,
      ani: E164,
    });
    expect(await output(s.config, 'backend-delete-credential', { ani: ANI, conversationId: CONV_3 })).toEqual({
      deleted: false,
      ani: E164,
    });
    expect(await output(s.config, 'backend-delete-consent', { ani: ANI, conversationId: CONV_3 })).toEqual({
      withdrawn: true,
      ani: E164,
      wasGranted: true,
      credentialDeleted: false,
    });
  });

  it('reports a session still waiting for audio with every output present (defaults for what is not there yet)', async () => {
    const s = await start();
    const settings = await output(s.config, 'daspeak-create-audio-settings', {});
    const created = await output(s.config, 'daspeak-create-register-session', {
      audioSettingsId: settings.audioSettingsId,
      conversationId: randomUUID(),
    });
    expect(
      await output(s.config, 'daspeak-get-session-status', { operation: 'register', sessionId: created.sessionId }),
    ).toEqual({
      status: 'waiting-consumer',
      netSpeechDuration: 0,
      audioTotalDuration: s.config.daspeak.audioTotalDuration.register,
      credential: '',
      modelHash: '',
      score: 0,
      authenticity: 0,
      errorCode: '',
      errorMessage: '',
    });
  });

  it('fails the way a flow sees it: bad keys, unknown sessions, bad input, a caller number that is not one', async () => {
    const s = await start();
    const wrongKeys = { daspeakApiKey: 'not-the-key', backendApiKey: 'not-the-key-either-0000000000' };

    // The emulator answers 403 to an unknown apikey (docs/daspeak-contract.md: 401/403 are both auth failures).
    const refused = await run(s.config, 'daspeak-create-audio-settings', {}, wrongKeys);
    expect(refused.outcome).toMatchObject({ ok: false, step: 'request', code: 'data_action.http_error', status: 403 });
    // The key never appears in what the run reports.
    expect(JSON.stringify(refused.result)).not.toContain(s.config.daspeak.rest.apiKey);

    const unknown = await run(s.config, 'daspeak-get-session-status', { operation: 'verify', sessionId: 'no-such-session' });
    expect(unknown.outcome).toMatchObject({ ok: false, step: 'request', code: 'data_action.http_error', status: 404 });

    const badSettings = await run(s.config, 'daspeak-create-register-session', {
      audioSettingsId: 'no-such-settings',
      conversationId: randomUUID(),
    });
    expect(badSettings.outcome).toMatchObject({ ok: false, step: 'request', code: 'data_action.http_error' });

    const missing = await run(s.config, 'daspeak-create-verify-session', { audioSettingsId: 'a', conversationId: 'c' });
    expect(missing.outcome).toMatchObject({ ok: false, step: 'input', code: 'data_action.invalid_input' });
    const operation = await run(s.config, 'daspeak-get-session-status', { operation: 'delete', sessionId: 'x' });
    expect(operation.outcome).toMatchObject({ ok: false, step: 'input', code: 'data_action.invalid_input' });

    const backendRefused = await run(s.config, 'backend-get-credential', { ani: ANI, conversationId: 'c' }, wrongKeys);
    expect(backendRefused.outcome).toMatchObject({ ok: false, step: 'request', status: 401 });
    expect(JSON.stringify(backendRefused.result)).not.toContain(s.config.backend.apiKeys[0]);

    const notANumber = await run(s.config, 'backend-store-credential', {
      ani: 'anonymous',
      conversationId: 'c',
      credential: 'Y3JlZA==',
    });
    expect(notANumber.outcome).toMatchObject({ ok: false, step: 'request', status: 400 });
    const badConversation = await run(s.config, 'backend-get-consent', { ani: ANI, conversationId: 'has spaces' });
    expect(badConversation.outcome).toMatchObject({ ok: false, step: 'request', status: 400 });
  });
});
