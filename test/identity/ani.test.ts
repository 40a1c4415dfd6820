import { describe, expect, it } from 'vitest';
import { KitError } from '../../src/errors.js';
import { aniDigest, E164_PATTERN, isE164, normaliseAni } from '../../src/identity/index.js';

function failure(fn: () => unknown): KitError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KitError) return err;
    throw err;
  }
  throw new Error('expected a KitError');
}

describe('normaliseAni', () => {
  it.each([
    ['tel:+34 600-000-000', undefined, '+34600000000'],
    ['tel:+34600000000', undefined, '+34600000000'],
    ['TEL:+34600000000', undefined, '+34600000000'],
    ['sip:+34600000000@host;user=phone', undefined, '+34600000000'],
    ['sips:+34600000000@sbc.example.com:5061;transport=tls', undefined, '+34600000000'],
    ['"Ana" <sip:+34600000000@host>', undefined, '+34600000000'],
    ['sip:%2B34600000000@host', undefined, '+34600000000'],
    ['+34 600 000 000', undefined, '+34600000000'],
    ['+34.600.000.000', undefined, '+34600000000'],
    ['  +34 (600) 000-000  ', undefined, '+34600000000'],
    ['0034 600 000 000', undefined, '+34600000000'],
    ['00 1 212 555 0100', undefined, '+12125550100'],
    ['+1 (212) 555-0100', undefined, '+12125550100'],
    ['tel:+1-212-555-0100;ext=12', undefined, '+12125550100'],
    ['tel:600000000;phone-context=+34', undefined, '+34600000000'],
    ['600 000 000', 'ES', '+34600000000'],
    ['600-000-000', 'ES', '+34600000000'],
    ['34600000000', 'ES', '+34600000000'],
    ['(212) 555-0100', 'US', '+12125550100'],
    ['011 34 600 000 000', 'US', '+34600000000'],
    ['+442079460000', 'ES', '+442079460000'],
  ])('%j (default country %s) → %s', (input, defaultCountry, expected) => {
    expect(normaliseAni(input, { defaultCountry })).toBe(expected);
  });

  it('is idempotent: an E.164 number normalises to itself', () => {
    for (const n of ['+34600000000', '+12125550100', '+442079460000']) {
      expect(normaliseAni(normaliseAni(n))).toBe(n);
      expect(isE164(n)).toBe(true);
    }
  });

  it.each([
    'anonymous',
    'Anonymous',
    'tel:anonymous',
    'sip:anonymous@anonymous.invalid',
    'private',
    'withheld',
    'tel:',
    '',
    '   ',
    null,
    undefined,
  ])('%j is a withheld caller (ani.withheld)', (input) => {
    const err = failure(() => normaliseAni(input, { defaultCountry: 'ES' }));
    expect(err.code).toBe('ani.withheld');
    expect(err.status).toBe(400);
    expect(err.hint).toBeTruthy();
  });

  it.each([
    ['abc', 'ES'],
    ['+34 123', undefined],
    ['+34 600 000 0000', undefined],
    ['+99912345678', undefined],
    ['+34+600000000', undefined],
    ['tel:+34600000000x', undefined],
    ['sip:%E0%A4%A@host', undefined],
    ['1'.repeat(300), undefined],
    ['*67 600 000 000', 'ES'],
    ['600 000 000', undefined],
    [42, undefined],
    [{}, undefined],
  ])('%j is invalid (ani.invalid, 400, with a hint)', (input, defaultCountry) => {
    const err = failure(() => normaliseAni(input, { defaultCountry }));
    expect(err.code).toBe('ani.invalid');
    expect(err.status).toBe(400);
    expect(err.hint).toMatch(/E\.164|defaultCountry/);
  });

  it('points at backend.defaultCountry for a national number without one', () => {
    expect(failure(() => normaliseAni('600 000 000')).hint).toMatch(/backend\.defaultCountry/);
  });

  it('never echoes the caller number in its errors', () => {
    for (const input of ['+34 987654', '987 654 321', 'sip:+3498765@x']) {
      const err = failure(() => normaliseAni(input));
      expect(`${err.message} ${err.hint}`).not.toContain(input.replace(/\D/g, '').slice(0, 6));
    }
  });

  it('rejects a default country that is not a country', () => {
    expect(failure(() => normaliseAni('600000000', { defaultCountry: 'XX' })).code).toBe(
      'ani.bad_default_country',
    );
  });

  it('uses no Node-only module (it runs in the widget)', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../src/identity/ani.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['libphonenumber-js/min', '../errors.js']);
  });
});

describe('aniDigest', () => {
  it('is the SHA-256 hex of the E.164 number', () => {
    // printf '%s' '+34600000000' | sha256sum
    expect(aniDigest('+34600000000')).toBe(
      '32f67ab4e4312618b09cd23ed8ce41b13e095fe52b73b2e8da8ef49830e50dba',
    );
    expect(aniDigest('+34600000000')).not.toBe(aniDigest('+34600000001'));
  });

  it('refuses what is not E.164, so one caller never has two hashes', () => {
    expect(failure(() => aniDigest('600000000')).code).toBe('ani.invalid');
    expect(failure(() => aniDigest('tel:+34600000000')).code).toBe('ani.invalid');
    expect(E164_PATTERN.test('+34600000000')).toBe(true);
  });
});

describe('normaliseAni, remembered', () => {
  it('answers a repeated number the same, and each default country apart', () => {
    for (let i = 0; i < 3; i++) {
      expect(normaliseAni('600 000 000', { defaultCountry: 'ES' })).toBe('+34600000000');
      expect(normaliseAni('600 000 000', { defaultCountry: 'FR' })).not.toBe('+34600000000');
    }
  });

  it('refuses a bad number every time it is sent (a failure is not remembered)', () => {
    for (let i = 0; i < 3; i++) {
      expect(failure(() => normaliseAni('12', { defaultCountry: 'ES' })).code).toBe('ani.invalid');
      expect(failure(() => normaliseAni('anonymous')).code).toBe('ani.withheld');
      expect(failure(() => normaliseAni('600000000', { defaultCountry: 'XX' })).code).toBe(
        'ani.bad_default_country',
      );
    }
  });

  it('still refuses a bad default country for a number remembered without one', () => {
    expect(normaliseAni('+34600000004')).toBe('+34600000004');
    for (const defaultCountry of ['', 'XX']) {
      expect(failure(() => normaliseAni('+34600000004', { defaultCountry })).code).toBe(
        'ani.bad_default_country',
      );
    }
  });

  it('still refuses a national number without a default country after it was accepted with one', () => {
    expect(normaliseAni('600000001', { defaultCountry: 'ES' })).toBe('+34600000001');
    expect(failure(() => normaliseAni('600000001')).code).toBe('ani.invalid');
  });
});

describe('aniDigest, remembered', () => {
  it('hashes a repeated number the same and still refuses what is not E.164', () => {
    const first = aniDigest('+34600000002');
    expect(aniDigest('+34600000002')).toBe(first);
    expect(aniDigest('+34600000003')).not.toBe(first);
    for (let i = 0; i < 2; i++) expect(failure(() => aniDigest('600000002')).code).toBe('ani.invalid');
  });
});
