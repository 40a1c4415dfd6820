import { describe, expect, it } from 'vitest';
import { readCoreConfig } from '../../widget/src/core/config.js';
import { WidgetError } from '../../widget/src/core/errors.js';

const direct = {
  authUrl: 'http://127.0.0.1:8080/token',
  sioUrl: 'https://api.eu.veri-das.com',
  sioPath: '/socket.io',
  registerNamespace: '/socket.io/register',
  verifyNamespace: '/socket.io/verify',
  tokenTransport: 'auth',
  audioTotalDuration: { register: 5, verify: 3 },
  authenticityThreshold: 0.8,
  verificationThreshold: 0.5,
  modelHash: 'model-v1',
};

function problemsOf(raw: unknown): string[] {
  try {
    readCoreConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(WidgetError);
    expect((err as WidgetError).kind).toBe('configuration');
    return (err as WidgetError).details as string[];
  }
  return [];
}

describe('readCoreConfig', () => {
  it("reads the seed's config.js (no signalling field) as direct mode", () => {
    const c = readCoreConfig(direct);
    expect(c.signalling).toBe('direct');
    expect(c.direct).toEqual({
      url: 'https://api.eu.veri-das.com',
      path: '/socket.io',
      registerNamespace: '/socket.io/register',
      verifyNamespace: '/socket.io/verify',
      tokenTransport: 'auth',
      authUrl: 'http://127.0.0.1:8080/token',
    });
    expect(c.requireConsent).toBe(false);
    expect(c.consentWordingVersion).toBe('1');
  });

  it('reads relay mode without das-Peak session parameters (the backend sends its own)', () => {
    const relay = {
      url: 'http://127.0.0.1:8080/',
      path: '/socket.io',
      registerNamespace: '/register',
      verifyNamespace: '/verify',
    };
    const c = readCoreConfig({
      signalling: 'relay',
      relay,
      requireConsent: true,
      consentWordingVersion: '2',
    });
    expect(c.signalling).toBe('relay');
    expect(c.relay).toEqual(relay);
    expect(c.direct).toBeNull();
    expect(c.requireConsent).toBe(true);
    expect(c.consentWordingVersion).toBe('2');
  });

  it('names every wrong field at once', () => {
    expect(
      problemsOf({
        ...direct,
        sioUrl: 'ftp://x',
        registerNamespace: 'register',
        modelHash: '',
        verificationThreshold: 2,
      }),
    ).toEqual([
      'sioUrl must be an http(s) URL (got "ftp://x")',
      'registerNamespace must start with /',
      'verificationThreshold must be a number from 0 to 1',
      'modelHash must be a non-empty string',
    ]);
  });

  it('refuses what a browser cannot do and relay mode without a relay', () => {
    expect(problemsOf({ ...direct, tokenTransport: 'header' })[0]).toMatch(
      /tokenTransport must be "auth" or "query"/,
    );
    expect(problemsOf({ signalling: 'relay', relay: null })[0]).toMatch(
      /relay must describe the backend Socket.IO/,
    );
    expect(problemsOf({ ...direct, signalling: 'smoke' })[0]).toBe('signalling must be "relay" or "direct"');
    expect(() => readCoreConfig(undefined)).toThrow(/config.js must export an object/);
  });
});
