import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { KitError } from '../../../../src/errors.js';
import {
  isCredentialError,
  VOICEPRINT_ERROR_CODES,
  type Voiceprint,
  type VoiceprintEngine,
} from '../../../../src/sandbox/daspeak/voiceprint/index.js';
import {
  CREDENTIAL_KEY,
  expectKitError,
  MODEL_HASH,
  NOW,
  testEngine,
  voice,
  voiceprintOfSamples,
} from './fixtures.js';

let engine: VoiceprintEngine;
let registration: Voiceprint;
let probe: Voiceprint;
let credential: string;

beforeAll(() => {
  engine = testEngine();
  registration = voiceprintOfSamples(engine, voice('bruno-register').samples);
  probe = voiceprintOfSamples(engine, voice('bruno-verify-1').samples);
  credential = engine.register(registration).credential;
});

const bytesOf = (text: string): Buffer => Buffer.from(text, 'base64');
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Verifying `bad` must end in a typed credential error, never in a score or another exception. */
function expectRejected(bad: unknown, code?: string): KitError {
  let thrown: unknown;
  try {
    engine.verify(bad as string, probe);
  } catch (error) {
    thrown = error;
  }
  expect(isCredentialError(thrown), `verify(${String(bad).slice(0, 40)}…) threw ${String(thrown)}`).toBe(
    true,
  );
  const error = thrown as KitError;
  if (code) expect(error.code).toBe(code);
  expect(error.status).toBe(400);
  return error;
}

describe('sandbox credentials', () => {
  it('is base64 of an authenticated record that names the model and the issue time', () => {
    expect(credential).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(bytesOf(credential).subarray(0, 4).toString('ascii')).toBe('DPSB');
    expect(engine.readCredential(credential)).toEqual({
      formatVersion: 2,
      featureVersion: 1,
      modelHash: MODEL_HASH,
      issuedAt: Math.floor(NOW / 1000) * 1000,
    });
    expect(engine.verify(credential, probe).score).toBeGreaterThan(0.5);
  });

  it('is deterministic for an injected clock, and stamped with it', () => {
    expect(testEngine().register(registration).credential).toBe(credential);
    const later = testEngine({ now: () => NOW + 86_400_000 }).register(registration).credential;
    expect(later).not.toBe(credential);
    expect(engine.readCredential(later).issuedAt).toBe(Math.floor(NOW / 1000) * 1000 + 86_400_000);
  });

  it('rejects a credential with any single byte altered', () => {
    const bytes = bytesOf(credential);
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const tampered = Buffer.from(bytes);
        tampered[i]! ^= flip;
        expectRejected(base64(tampered));
      }
    }
    const inVector = Buffer.from(bytes);
    inVector[bytes.length - 40]! ^= 0x01; // a quantised vector value: only the HMAC notices
    expectRejected(base64(inVector), 'voiceprint.credential_unauthentic');
  });

  it('rejects a credential cut short (or padded) anywhere', () => {
    const bytes = bytesOf(credential);
    for (let length = 0; length < bytes.length; length++) {
      expectRejected(base64(bytes.subarray(0, length)), 'voiceprint.credential_malformed');
    }
    expectRejected(base64(Buffer.concat([bytes, Buffer.from([0])])), 'voiceprint.credential_malformed');
    expectRejected(credential.slice(0, -1), 'voiceprint.credential_malformed'); // not base64 any more
    expectRejected(credential.slice(0, -4), 'voiceprint.credential_malformed');
  });

  it('rejects a credential made with another key', () => {
    const other = testEngine({ credentialKey: 'another-sandbox-credential-key' });
    expectRejected(other.register(registration).credential, 'voiceprint.credential_unauthentic');
    const error = expectKitError(() => other.readCredential(credential), 'voiceprint.credential_unauthentic');
    expect(error.message).not.toContain(CREDENTIAL_KEY);
  });

  it('rejects an authentic credential made for another model hash', () => {
    const otherModel = testEngine({ modelHash: 'sandbox-model-v2' });
    const foreign = otherModel.register(registration).credential;
    const error = expectRejected(foreign, 'voiceprint.credential_model_mismatch');
    expect(error.details).toMatchObject({ credentialModelHash: 'sandbox-model-v2', modelHash: MODEL_HASH });
    expectKitError(() => engine.readCredential(foreign), 'voiceprint.credential_model_mismatch');
    expect(otherModel.verify(foreign, probe).score).toBeGreaterThan(0.5);
  });

  it('rejects an authentic credential of a layout it does not read', () => {
    const body = Buffer.from(bytesOf(credential).subarray(0, -32));
    body[4] = 3; // format version
    const mac = createHmac('sha256', CREDENTIAL_KEY).update(body).digest();
    expectRejected(base64(Buffer.concat([body, mac])), 'voiceprint.credential_version_unsupported');
  });

  it('rejects foreign and nonsense input as malformed', () => {
    const foreign = base64(Buffer.from(Array.from({ length: 180 }, (_, i) => (i * 37 + 11) & 0xff)));
    for (const bad of [
      '',
      'not base64!',
      'a'.repeat(5000),
      credential.replace(/\+/g, '-').replace(/\//g, '_') + '-_', // base64url is not accepted
      ` ${credential}`,
      foreign,
      'RFBTQg==', // just the marker
      null,
      42,
      { credential },
    ]) {
      expectRejected(bad, 'voiceprint.credential_malformed');
    }
  });

  it('refuses a bad credential before judging the audio', () => {
    expect(() => engine.verify('garbage', probe)).toThrow(KitError);
    expectRejected('garbage', 'voiceprint.credential_malformed');
  });

  it('still reads a format 1 credential (no replay print: nothing is a replay of it)', () => {
    // Format 1 is format 2 without the print: cut the print, set the version, sign again.
    const bytes = bytesOf(credential);
    const hashLength = bytes.readUInt8(6);
    const vectorAt = 7 + hashLength + 4;
    const n = bytes.readUInt8(vectorAt);
    const body = Buffer.from(bytes.subarray(0, vectorAt + 5 + 2 * n));
    body[4] = 1;
    const v1 = base64(Buffer.concat([body, createHmac('sha256', CREDENTIAL_KEY).update(body).digest()]));
    expect(engine.readCredential(v1).formatVersion).toBe(1);
    expect(engine.verify(v1, probe).score).toBeCloseTo(engine.verify(credential, probe).score, 10);
    expect(engine.verify(v1, registration).authenticity).toBeGreaterThan(0.95);
    expect(engine.verify(credential, registration).authenticity).toBeLessThan(0.1);
  });

  it('classifies only credential errors as credential errors', () => {
    const credentialCodes = VOICEPRINT_ERROR_CODES.filter((code) =>
      code.startsWith('voiceprint.credential_'),
    );
    expect(credentialCodes).toHaveLength(4);
    expect(isCredentialError(new KitError('voiceprint.not_enough_speech', 'x'))).toBe(false);
    expect(isCredentialError(new Error('voiceprint.credential_malformed'))).toBe(false);
  });
});

describe('engine options and voiceprints', () => {
  it('refuses unusable options with a typed error', () => {
    expectKitError(() => testEngine({ modelHash: '' }), 'voiceprint.options_invalid');
    expectKitError(() => testEngine({ modelHash: 'x'.repeat(256) }), 'voiceprint.options_invalid');
    expectKitError(() => testEngine({ credentialKey: 'short' }), 'voiceprint.options_invalid');
    expectKitError(() => testEngine({ credentialKey: new Uint8Array(8) }), 'voiceprint.options_invalid');
    expect(testEngine({ credentialKey: new Uint8Array(32).fill(7) }).modelHash).toBe(MODEL_HASH);
    expectKitError(
      () => testEngine({ now: () => -5000 }).register(registration),
      'voiceprint.options_invalid',
    );
  });

  it('refuses a voiceprint it did not make', () => {
    const broken: Voiceprint = { ...registration, vector: new Float64Array(3) };
    expectKitError(() => engine.register(broken), 'voiceprint.voiceprint_invalid');
    expectKitError(() => engine.verify(credential, broken), 'voiceprint.voiceprint_invalid');
    const notFinite = new Float64Array(registration.vector);
    notFinite[0] = Number.NaN;
    expectKitError(
      () => engine.assess(credential, { ...registration, vector: notFinite }),
      'voiceprint.voiceprint_invalid',
    );
    expectKitError(
      () => engine.assess(credential, { ...registration, featureVersion: 99 }),
      'voiceprint.voiceprint_invalid',
    );
  });
});
