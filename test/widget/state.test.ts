import { describe, expect, it } from 'vitest';
import { checkHooks } from '../../widget/src/core/hooks.js';
import { mainAction, registerBlock, type CallState } from '../../widget/src/core/state.js';

const call = (over: Partial<CallState> = {}): CallState => ({
  callId: 'c',
  ani: '+34600000001',
  displayAni: '+34600000001',
  registered: false,
  consent: { status: 'none' },
  consentSupported: true,
  ...over,
});

describe('what the widget offers', () => {
  it('Register, then Authenticate, then Re-Authenticate after a verification', () => {
    expect(mainAction(call())).toBe('register');
    expect(mainAction(call({ registered: true }))).toBe('authenticate');
    expect(mainAction(call({ registered: true, verification: { outcome: 'verified', score: 0.9 } }))).toBe(
      'reauthenticate',
    );
    expect(mainAction(call({ registered: true, verification: { outcome: 'failed', kind: 'spoof' } }))).toBe(
      'reauthenticate',
    );
  });

  it('blocks Register after a refusal always, and without a granted consent when it is required', () => {
    expect(registerBlock(call(), false)).toBeNull();
    expect(registerBlock(call({ consent: { status: 'refused' } }), false)).toBe('consentRefusedBlock');
    expect(registerBlock(call(), true)).toBe('consentRequired');
    expect(registerBlock(call({ consent: { status: 'withdrawn' } }), true)).toBe('consentRequired');
    expect(registerBlock(call({ consent: { status: 'granted' } }), true)).toBeNull();
    expect(registerBlock(call({ consent: null, consentSupported: false }), true)).toBe('consentUnavailable');
  });

  it('checks utils.js for the functions each mode needs', () => {
    const seed = {
      storeCredential() {},
      deleteCredential() {},
      getCredential() {},
      onResponse() {},
      getTemporaryToken() {},
    };
    expect(checkHooks(seed, 'direct')).toBe(seed);
    expect(() => checkHooks(seed, 'relay')).toThrow(
      'utils.js lacks getCredentialStatus, needed in relay signalling mode',
    );
    expect(() => checkHooks({ onResponse() {} }, 'direct')).toThrow(
      'utils.js lacks getTemporaryToken, getCredential, storeCredential, deleteCredential',
    );
    expect(() => checkHooks(undefined, 'direct')).toThrow(/must export the hook functions/);
  });
});
