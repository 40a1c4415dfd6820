import { describe, expect, it } from 'vitest';
import { customerOf, ivrResultOf, type GenesysConversation } from '../../widget/src/genesys/platform-api.js';

describe('the IVR result in participant data (contract F)', () => {
  it('reads the daspeak.* attributes of the customer participant', () => {
    const conversation: GenesysConversation = {
      id: 'c',
      participants: [
        { purpose: 'ivr', attributes: { 'daspeak.result': 'error' } },
        {
          purpose: 'customer',
          ani: 'tel:+34600000001',
          attributes: {
            'daspeak.operation': 'verify',
            'daspeak.result': 'verified',
            'daspeak.score': '0.8512',
            'daspeak.authenticity': '0.97',
            'daspeak.reason': '',
            'daspeak.at': '2026-05-01T10:32:00Z',
          },
        },
      ],
    };
    const customer = customerOf(conversation);
    expect(customer?.ani).toBe('tel:+34600000001');
    expect(ivrResultOf(customer)).toEqual({
      operation: 'verify',
      result: 'verified',
      score: 0.8512,
      authenticity: 0.97,
      at: '2026-05-01T10:32:00Z',
    });
  });

  it('is absent when the call did not come through the kit flows, and tolerates empty or odd values', () => {
    expect(ivrResultOf({ purpose: 'customer', attributes: {} })).toBeUndefined();
    expect(ivrResultOf(undefined)).toBeUndefined();
    expect(
      ivrResultOf({
        attributes: { 'daspeak.result': 'no-audio', 'daspeak.score': '', 'daspeak.operation': 'x' },
      }),
    ).toEqual({
      result: 'no-audio',
    });
  });

  it('takes an external participant when there is no customer (outbound)', () => {
    expect(
      customerOf({ id: 'c', participants: [{ purpose: 'agent' }, { purpose: 'external', ani: '+1' }] })?.ani,
    ).toBe('+1');
  });
});
