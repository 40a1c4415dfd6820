import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ANI,
  DEFAULT_HOLD_SECONDS,
  DEFAULT_VOICE,
  isUsageError,
  parseAni,
  parseHold,
  parseSimulateOptions,
  parseSpeed,
  type RawSimulateOptions,
} from '../../src/simulate/index.js';

const UUID = '0b6d3f4e-8a2c-4f1e-9d7b-5c3a2e1f0d9c';

function problem(raw: RawSimulateOptions): string {
  try {
    parseSimulateOptions(raw);
  } catch (err) {
    expect(isUsageError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('simulate options', () => {
  it('defaults: one register call over REST, sandbox, real time, the synthetic voice, a sample ANI', () => {
    expect(parseSimulateOptions({})).toEqual({
      target: 'sandbox',
      operation: 'register',
      channel: 'rest',
      audio: { kind: 'voice', name: DEFAULT_VOICE },
      ani: DEFAULT_ANI,
      speed: 1,
      hold: 10,
      calls: 1,
      concurrency: 1,
      expect: 'any',
    });
  });

  it('takes every option of a verification', () => {
    const o = parseSimulateOptions({
      target: 'config',
      operation: 'verify',
      channel: 'socketio',
      wav: 'caller.wav',
      callId: UUID,
      ani: 'tel:+34 600-000-001',
      speed: '20',
      credential: 'AAEC/+8=',
      expect: 'no-match',
      organizationId: UUID,
    });
    expect(o).toMatchObject({
      target: 'config',
      operation: 'verify',
      channel: 'socketio',
      audio: { kind: 'wav', path: 'caller.wav' },
      callId: UUID,
      ani: '+34600000001',
      speed: 20,
      credential: { kind: 'inline', value: 'AAEC/+8=' },
      expect: 'no-match',
      organizationId: UUID,
    });
  });

  it('load mode: concurrency never exceeds the number of calls', () => {
    expect(parseSimulateOptions({ calls: '10', concurrency: '5' })).toMatchObject({
      calls: 10,
      concurrency: 5,
    });
    expect(parseSimulateOptions({ calls: '3', concurrency: '50' })).toMatchObject({
      calls: 3,
      concurrency: 3,
    });
  });

  it('speed: a number above 0, or max', () => {
    expect(parseSpeed(undefined)).toBe(1);
    expect(parseSpeed('2.5')).toBe(2.5);
    expect(parseSpeed('.5')).toBe(0.5);
    expect(parseSpeed('MAX')).toBe(Infinity);
    for (const bad of ['0', '-1', 'fast', '', '1e9', 'Infinity', 'NaN', '2x']) {
      expect(() => parseSpeed(bad), bad).toThrow(/--speed must be a number above 0/);
    }
  });

  it('hold: seconds from 0', () => {
    expect(parseHold(undefined)).toBe(DEFAULT_HOLD_SECONDS);
    expect(parseHold('0')).toBe(0);
    expect(parseHold('2.5')).toBe(2.5);
    for (const bad of ['-1', 'long', '601'])
      expect(() => parseHold(bad), bad).toThrow(/--hold must be a number/);
  });

  it('ANI: normalised to E.164; a bad number says what is wrong and how to write one', () => {
    expect(parseAni(undefined)).toBe(DEFAULT_ANI);
    expect(parseAni('0034 600 000 002')).toBe('+34600000002');
    expect(problem({ ani: 'call me' })).toMatch(/^--ani "call me": the caller number holds characters/);
    expect(problem({ ani: '+1' })).toMatch(/not a valid phone number/);
    expect(problem({ ani: 'anonymous' })).toMatch(/^--ani "anonymous"/);
  });

  it('a verification needs a credential, from exactly one place', () => {
    expect(problem({ operation: 'verify' })).toMatch(/needs the credential a registration returned/);
    expect(problem({ operation: 'verify', credential: 'AA==', credentialFile: 'c.txt' })).toMatch(/not both/);
    expect(problem({ operation: 'verify', credential: 'not base64!' })).toMatch(/must be the base64 text/);
    expect(parseSimulateOptions({ operation: 'verify', credentialFile: 'c.txt' }).credential).toEqual({
      kind: 'file',
      path: 'c.txt',
    });
  });

  it('register takes no credential; --credential-out is for one registration', () => {
    expect(problem({ credential: 'AA==' })).toMatch(/are for --operation verify/);
    expect(problem({ operation: 'verify', credential: 'AA==', credentialOut: 'c.txt' })).toMatch(
      /--credential-out is for --operation register/,
    );
    expect(problem({ credentialOut: 'c.txt', calls: '2' })).toMatch(/credential of one call/);
    expect(parseSimulateOptions({ credentialOut: 'c.txt' }).credentialOut).toBe('c.txt');
  });

  it('--expect must be possible for the operation', () => {
    expect(problem({ expect: 'verified' })).toMatch(
      /--expect verified cannot happen with --operation register/,
    );
    expect(problem({ operation: 'verify', credential: 'AA==', expect: 'registered' })).toMatch(
      /cannot happen/,
    );
    expect(parseSimulateOptions({ expect: 'spoof' }).expect).toBe('spoof');
    expect(problem({ expect: 'maybe' })).toMatch(
      /--expect must be one of any, registered, verified, no-match, spoof/,
    );
  });

  it('refuses bad choices, counts and ids with the option named', () => {
    expect(problem({ target: 'prod' })).toMatch(/^--target must be one of sandbox, config/);
    expect(problem({ operation: 'enrol' })).toMatch(/^--operation must be one of register, verify/);
    expect(problem({ channel: 'grpc' })).toMatch(/^--channel must be one of rest, socketio/);
    expect(problem({ calls: '0' })).toMatch(/^--calls must be a whole number from 1/);
    expect(problem({ calls: '2.5' })).toMatch(/^--calls/);
    expect(problem({ concurrency: 'lots' })).toMatch(/^--concurrency/);
    expect(problem({ callId: 'call-1' })).toMatch(/^--call-id must be a UUID/);
    expect(problem({ callId: UUID, calls: '2' })).toMatch(/names one call/);
    expect(problem({ organizationId: 'acme' })).toMatch(/^--organization-id must be a UUID/);
    expect(problem({ wav: 'a.wav', voice: 'alice' })).toMatch(/--wav or --voice, not both/);
    expect(problem({ wav: '' })).toMatch(/--wav needs a file name/);
  });

  it('--via-genesys: the config target, a queue, and no options the org decides itself', () => {
    const via = parseSimulateOptions({ viaGenesys: true, queue: ' Sales ' });
    expect(via).toMatchObject({ target: 'config', viaGenesys: true, queue: 'Sales' });
    expect(parseSimulateOptions({ viaGenesys: true, target: 'config' }).target).toBe('config');
    expect(parseSimulateOptions({}).viaGenesys).toBeUndefined();
    expect(problem({ viaGenesys: true, target: 'sandbox' })).toMatch(
      /^--via-genesys cannot be used with --target sandbox/,
    );
    expect(problem({ queue: 'Sales' })).toMatch(/^--queue is for --via-genesys/);
    expect(problem({ viaGenesys: true, queue: ' ' })).toMatch(/^--queue needs a queue name or id/);
    expect(problem({ viaGenesys: true, callId: UUID })).toMatch(
      /^--call-id cannot be used with --via-genesys/,
    );
    expect(problem({ viaGenesys: true, organizationId: UUID })).toMatch(
      /^--organization-id cannot be used with --via-genesys/,
    );
    expect(problem({ viaGenesys: 'yes' })).toMatch(/^--via-genesys takes no value/);
  });
});
