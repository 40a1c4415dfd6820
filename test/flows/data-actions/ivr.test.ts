import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { useTmpDir } from '../../helpers/tmp.js';
import { output, pollStatus, run, speak, startServices, type Services } from './helpers.js';

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
  conversationId = randomUUID(),
): Promise<{ status: Record<string, unknown>; sessionId: string; conversationId: string }> {
  const settings = await output(s.config, 'daspeak-create-audio-settings', {});
  expect(settings.audioSettingsId).toEqual(expect.any(String));
  const created =
    operation === 'register'
      ? await output(s.config, 'daspeak-create-register-session', { audioSettingsId: settings.audioSettingsId, conversationId })
      : await output(s.config, 'backend-start-verification', { ani: ANI, conversationId, audioSettingsId: settings.audioSettingsId });
  expect(created).toMatchObject({ sessionId: expect.any(String) as string, status: 'waiting-consumer' });
  const line = await speak(s.config, conversationId, voice);
  try {
    return { status: await pollStatus(s.config, operation, created.sessionId as string), sessionId: created.sessionId as string, conversationId };
  } finally {
    await line.hangUp();
  }
}

describe('the IVR through the kit data actions', () => {
  it('registers a caller with the credential kept in the backend (never in an output), verifies the caller and refuses another voice', async () => {
    const s = await start();
    const conv = randomUUID();
    // Nothing stored yet: an ordinary outcome, not a failure, and no das-Peak session.
    expect(await output(s.config, 'backend-start-verification', { ani: ANI, conversationId: conv, audioSettingsId: 'unused' })).toEqual({
      found: false,
      modelCurrent: false,
      sessionId: '',
      status: '',
      ani: E164,
    });
    expect(await output(s.config, 'backend-get-consent', { ani: ANI, conversationId: conv })).toMatchObject({
      found: false,
      status: 'none',
      granted: false,
    });
    expect(
      await output(s.config, 'backend-store-consent', { ani: ANI, conversationId: conv, wordingVersion: 'v1' }),
    ).toMatchObject({ recorded: true, ani: E164, status: 'granted', granted: true, wordingVersion: 'v1' });

    const registered = await ivrSession(s, 'register', 'alice-register.wav');
    expect(registered.status).toEqual({
      status: 'success',
      netSpeechDuration: expect.any(Number) as number,
      audioTotalDuration: s.config.daspeak.audioTotalDuration.register,
      errorCode: '',
      errorMessage: '',
    });
    expect(registered.status.netSpeechDuration as number).toBeGreaterThanOrEqual(s.config.daspeak.audioTotalDuration.register);

    expect(
      await output(s.config, 'backend-store-registration', { ani: ANI, conversationId: registered.conversationId, sessionId: registered.sessionId }),
    ).toEqual({ stored: true, created: true, ani: E164, modelHash: 'sandbox-model-v1' });
    // das-Peak's credential is what the backend stored: the verification below matches with it.
    const verified = await ivrSession(s, 'verify', 'alice-verify-1.wav');
    expect(verified.status).toMatchObject({ status: 'success', errorCode: '' });
    expect(verified.status.score as number).toBeGreaterThanOrEqual(s.config.daspeak.verificationThreshold);
    expect(verified.status).not.toHaveProperty('credential');

    const impostor = await ivrSession(s, 'verify', 'bruno-verify-1.wav');
    expect(impostor.status.status).toBe('fail-score');
    expect(impostor.status.score as number).toBeLessThan(s.config.daspeak.verificationThreshold);

    const later = randomUUID();
    expect(await output(s.config, 'backend-delete-credential', { ani: ANI, conversationId: later })).toEqual({
      deleted: true,
      ani: E164,
    });
    expect(await output(s.config, 'backend-delete-credential', { ani: ANI, conversationId: later })).toEqual({
      deleted: false,
      ani: E164,
    });
    expect(await output(s.config, 'backend-delete-consent', { ani: ANI, conversationId: later })).toEqual({
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
    expect(await output(s.config, 'backend-get-registration-status', { sessionId: created.sessionId })).toEqual({
      status: 'waiting-consumer',
      netSpeechDuration: 0,
      audioTotalDuration: s.config.daspeak.audioTotalDuration.register,
      errorCode: '',
      errorMessage: '',
    });
    // Storing an unfinished registration is a failure the flow sees (409), not an empty credential.
    const early = await run(s.config, 'backend-store-registration', { ani: ANI, conversationId: randomUUID(), sessionId: created.sessionId });
    expect(early.outcome).toMatchObject({ ok: false, step: 'request', status: 409 });
  });

  it('fails the way a flow sees it: bad keys, unknown sessions, bad input, a caller number that is not one', async () => {
    const s = await start();
    const wrongKeys = { daspeakApiKey: 'not-the-key', backendApiKey: 'not-the-key-either-0000000000' };

    // The emulator answers 403 to an unknown apikey (docs/daspeak-contract.md: 401/403 are both auth failures).
    const refused = await run(s.config, 'daspeak-create-audio-settings', {}, wrongKeys);
    expect(refused.outcome).toMatchObject({ ok: false, step: 'request', code: 'data_action.http_error', status: 403 });
    // The key never appears in what the run reports.
    expect(JSON.stringify(refused.result)).not.toContain(s.config.daspeak.rest.apiKey);

    const unknown = await run(s.config, 'daspeak-get-session-status', { sessionId: 'no-such-session' });
    expect(unknown.outcome).toMatchObject({ ok: false, step: 'request', code: 'data_action.http_error', status: 404 });
    const unknownRegistration = await run(s.config, 'backend-get-registration-status', { sessionId: 'no-such-session' });
    expect(unknownRegistration.outcome).toMatchObject({ ok: false, step: 'request', status: 404 });

    const badSettings = await run(s.config, 'daspeak-create-register-session', {
      audioSettingsId: 'no-such-settings',
      conversationId: randomUUID(),
    });
    expect(badSettings.outcome).toMatchObject({ ok: false, step: 'request', code: 'data_action.http_error' });

    const missing = await run(s.config, 'backend-start-verification', { ani: ANI, conversationId: randomUUID() });
    expect(missing.outcome).toMatchObject({ ok: false, step: 'input', code: 'data_action.invalid_input' });

    const backendRefused = await run(s.config, 'backend-get-consent', { ani: ANI, conversationId: randomUUID() }, wrongKeys);
    expect(backendRefused.outcome).toMatchObject({ ok: false, step: 'request', status: 401 });
    expect(JSON.stringify(backendRefused.result)).not.toContain(s.config.backend.apiKeys[0]);

    const notANumber = await run(s.config, 'backend-store-registration', {
      ani: 'anonymous',
      conversationId: randomUUID(),
      sessionId: 'abc',
    });
    expect(notANumber.outcome).toMatchObject({ ok: false, step: 'request', status: 400 });
    const badConversation = await run(s.config, 'backend-get-consent', { ani: ANI, conversationId: 'has spaces' });
    expect(badConversation.outcome).toMatchObject({ ok: false, step: 'request', status: 400 });
  });
});
