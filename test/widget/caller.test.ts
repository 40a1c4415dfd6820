import { describe, expect, it } from 'vitest';
import { normaliseAni } from '../../src/identity/ani.js';
import { callerNumber } from '../../widget/src/core/caller.js';

describe('callerNumber (the widget half of normaliseAni)', () => {
  it.each([
    ['tel:+34600000001', '+34600000001'],
    ['tel:+34 600-000-001', '+34600000001'],
    ['sip:+34600000001@host;user=phone', '+34600000001'],
    ['0034 600 000 001', '+34600000001'],
    ['<tel:+14155550100>', '+14155550100'],
  ])('%s → %s, as the backend normalises it', (raw, e164) => {
    expect(callerNumber(raw)).toEqual({ ok: true, ani: e164 });
    expect(normaliseAni(raw)).toBe(e164);
  });

  it('leaves a national number to the backend (backend.defaultCountry)', () => {
    expect(callerNumber('600 000 001')).toEqual({ ok: true, ani: '600000001' });
    expect(normaliseAni('600000001', { defaultCountry: 'ES' })).toBe('+34600000001');
  });

  it.each([['tel:anonymous'], [''], [null], ['Private']])('%s is a withheld caller', (raw) => {
    expect(callerNumber(raw)).toMatchObject({ ok: false, problem: 'withheld' });
  });

  it.each([['tel:+0123'], ['sip:alice@example.com'], ['+1234567890123456']])('%s is not usable', (raw) => {
    expect(callerNumber(raw)).toMatchObject({ ok: false, problem: 'invalid' });
  });
});
