import { describe, expect, it } from 'vitest';
import {
  MAX_TEXT_MESSAGE_LENGTH,
  NULL_UUID,
  checkAck,
  checkSeq,
  formatDuration,
  frameSampleCount,
  parseClientMessage,
  parseDuration,
  parseServerMessage,
  sameMedia,
  serializeMessage,
  type ClientMessage,
} from '../../src/audiohook/protocol/index.js';
import { isAudiohookError } from '../../src/audiohook/errors.js';

const SESSION = '30b0e395-84d3-4570-ac13-9a62d8f514c0';
const ORG = 'd7934305-0972-4844-938e-9060eef73d05';

const open = {
  version: '2',
  id: SESSION,
  type: 'open',
  seq: 1,
  serverseq: 0,
  position: 'PT0S',
  parameters: {
    organizationId: ORG,
    conversationId: '090eaa2f-72fa-480a-83e0-8667ff89c0ec',
    participant: {
      id: '883efee8-3d6c-4537-b500-6d7ca4b92fa0',
      ani: '+1-555-555-1234',
      aniName: 'John Doe',
      dnis: '+1-800-555-6789',
    },
    media: [
      { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
      { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
    ],
    language: 'en-US',
    customConfig: { threshold: 0.8 },
  },
};

const with_ = (patch: Record<string, unknown>, base: Record<string, unknown> = open) =>
  JSON.stringify({ ...base, ...patch });

describe('protocol: parse client messages', () => {
  it('accepts the open message the reference client sends', () => {
    const r = parseClientMessage(JSON.stringify(open), { expectedId: SESSION });
    expect(r.ok).toBe(true);
    if (r.ok && r.message.type === 'open') expect(r.message.parameters.media).toHaveLength(2);
  });

  it('accepts each client message type', () => {
    const envelope = { version: '2', id: SESSION, seq: 2, serverseq: 1, position: 'PT1.2S' };
    const messages: Array<[string, unknown]> = [
      ['close', { reason: 'end' }],
      ['ping', {}],
      ['ping', { rtt: 'PT0.012S' }],
      ['paused', {}],
      ['resumed', { start: 'PT1S', discarded: 'PT0.2S' }],
      ['discarded', { start: 'PT0S', discarded: 'PT3S' }],
      ['update', { language: 'es-ES' }],
      ['error', { code: 408, message: 'timeout', retryAfter: 'PT5S' }],
    ];
    for (const [type, parameters] of messages) {
      const r = parseClientMessage(JSON.stringify({ ...envelope, type, parameters }));
      expect(r.ok, type).toBe(true);
    }
  });

  it('accepts a probe open (null UUIDs, empty strings)', () => {
    const probe = {
      ...open,
      parameters: {
        ...open.parameters,
        conversationId: NULL_UUID,
        participant: { id: NULL_UUID, ani: '', aniName: '', dnis: '' },
      },
    };
    expect(parseClientMessage(JSON.stringify(probe)).ok).toBe(true);
  });

  it.each([
    ['bad JSON', '{"version":"2",', 'audiohook.bad_json'],
    ['a JSON array', '[1,2]', 'audiohook.not_a_message'],
    ['a JSON string', '"open"', 'audiohook.not_a_message'],
    ['wrong version', with_({ version: '1' }), 'audiohook.bad_version'],
    ['numeric version', with_({ version: 2 }), 'audiohook.bad_version'],
    ['missing seq', with_({ seq: undefined }), 'audiohook.bad_envelope'],
    ['string seq', with_({ seq: '1' }), 'audiohook.bad_envelope'],
    ['seq 0', with_({ seq: 0 }), 'audiohook.bad_envelope'],
    ['fractional seq', with_({ seq: 1.5 }), 'audiohook.bad_envelope'],
    ['negative serverseq', with_({ serverseq: -1 }), 'audiohook.bad_envelope'],
    ['bad position', with_({ position: '12s' }), 'audiohook.bad_envelope'],
    ['bad id', with_({ id: 'not-a-uuid' }), 'audiohook.bad_envelope'],
    ['parameters not an object', with_({ parameters: [] }), 'audiohook.bad_envelope'],
    ['server-only type', with_({ type: 'opened' }), 'audiohook.unknown_type'],
    ['unknown type', with_({ type: 'dance' }), 'audiohook.unknown_type'],
    [
      'bad org id',
      with_({ parameters: { ...open.parameters, organizationId: 'x' } }),
      'audiohook.bad_parameters',
    ],
    [
      'bad media',
      with_({
        parameters: {
          ...open.parameters,
          media: [{ type: 'audio', format: 'OPUS', channels: ['external'], rate: 8000 }],
        },
      }),
      'audiohook.bad_parameters',
    ],
    [
      'three channels',
      with_({
        parameters: {
          ...open.parameters,
          media: [
            { type: 'audio', format: 'PCMU', channels: ['external', 'internal', 'external'], rate: 8000 },
          ],
        },
      }),
      'audiohook.bad_parameters',
    ],
    [
      'bad language',
      with_({ parameters: { ...open.parameters, language: 'english' } }),
      'audiohook.bad_parameters',
    ],
    [
      'customConfig not an object',
      with_({ parameters: { ...open.parameters, customConfig: 'x' } }),
      'audiohook.bad_parameters',
    ],
    [
      'missing participant',
      with_({ parameters: { ...open.parameters, participant: undefined } }),
      'audiohook.bad_parameters',
    ],
    ['bad close reason', with_({ type: 'close', parameters: { reason: 'bye' } }), 'audiohook.bad_parameters'],
    [
      'error code below 400',
      with_({ type: 'error', parameters: { code: 200, message: 'x' } }),
      'audiohook.bad_parameters',
    ],
  ])('rejects %s with a typed error', (_name, text, code) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(isAudiohookError(r.error)).toBe(true);
      expect(r.error.protocolCode).toBe(400);
    }
  });

  it('rejects an id that is not the session id', () => {
    const r = parseClientMessage(JSON.stringify(open), {
      expectedId: '11111111-1111-4111-8111-111111111111',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('audiohook.id_mismatch');
      expect(r.envelope).toMatchObject({ type: 'open', seq: 1, id: SESSION });
    }
  });

  it('rejects a text message over 65535 characters with 413', () => {
    const text = JSON.stringify({
      ...open,
      parameters: { ...open.parameters, customConfig: { pad: 'x'.repeat(MAX_TEXT_MESSAGE_LENGTH) } },
    });
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('audiohook.message_too_large');
      expect(r.error.protocolCode).toBe(413);
    }
  });

  it('keeps the readable envelope of a rejected message', () => {
    const r = parseClientMessage(with_({ type: 'close', seq: 7, parameters: { reason: 'nope' } }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.envelope).toEqual({ type: 'close', seq: 7, id: SESSION });
  });

  it('ignores unknown extra properties (forward compatibility)', () => {
    expect(parseClientMessage(with_({ extra: true, parameters: { ...open.parameters, future: 1 } })).ok).toBe(
      true,
    );
  });
});

describe('protocol: parse server messages', () => {
  const envelope = { version: '2', id: SESSION, seq: 1, clientseq: 1 };
  it('accepts each server message type', () => {
    const messages: Array<[string, unknown]> = [
      [
        'opened',
        {
          media: [{ type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 }],
          startPaused: false,
        },
      ],
      ['opened', { media: [], discardTo: 'PT2S', supportedLanguages: ['en-US'] }],
      ['closed', {}],
      ['pong', {}],
      ['pause', {}],
      ['resume', {}],
      ['updated', {}],
      ['event', { entities: [{ type: 'transcript', data: { text: 'hi' } }] }],
      ['disconnect', { reason: 'completed', info: 'enough audio' }],
      ['reconnect', {}],
    ];
    for (const [type, parameters] of messages) {
      expect(parseServerMessage(JSON.stringify({ ...envelope, type, parameters })).ok, type).toBe(true);
    }
  });

  it.each([
    [
      'missing clientseq',
      { ...envelope, clientseq: undefined, type: 'pong', parameters: {} },
      'audiohook.bad_envelope',
    ],
    ['client-only type', { ...envelope, type: 'open', parameters: {} }, 'audiohook.unknown_type'],
    [
      'bad disconnect reason',
      { ...envelope, type: 'disconnect', parameters: { reason: 'bored' } },
      'audiohook.bad_parameters',
    ],
    ['opened without media', { ...envelope, type: 'opened', parameters: {} }, 'audiohook.bad_parameters'],
    [
      'bad discardTo',
      { ...envelope, type: 'opened', parameters: { media: [], discardTo: '2s' } },
      'audiohook.bad_parameters',
    ],
  ])('rejects %s', (_name, msg, code) => {
    const r = parseServerMessage(JSON.stringify(msg));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});

describe('protocol: sequence rules', () => {
  it('accepts exactly last+1 and nothing else', () => {
    expect(checkSeq(0, 1)).toBeNull();
    expect(checkSeq(4, 5)).toBeNull();
    expect(checkSeq(4, 4)?.code).toBe('audiohook.bad_seq');
    expect(checkSeq(4, 6)?.code).toBe('audiohook.bad_seq');
    expect(checkSeq(4, 3)?.details).toEqual({ expected: 5, received: 3 });
  });

  it('refuses an acknowledgement ahead of what was sent', () => {
    expect(checkAck(3, 3, 'serverseq')).toBeNull();
    expect(checkAck(3, 0, 'serverseq')).toBeNull();
    expect(checkAck(3, 4, 'serverseq')?.code).toBe('audiohook.bad_ack');
  });
});

describe('protocol: durations', () => {
  it('formats seconds as PT…S without exponents', () => {
    expect(formatDuration(0)).toBe('PT0S');
    expect(formatDuration(0.2)).toBe('PT0.2S');
    expect(formatDuration(12)).toBe('PT12S');
    expect(formatDuration(12.345)).toBe('PT12.345S');
    expect(formatDuration(1600 / 8000)).toBe('PT0.2S');
    expect(formatDuration(1e-7)).toBe('PT0S');
    expect(formatDuration(3 * 0.1)).toBe('PT0.3S');
  });

  it('parses what the reference regex accepts', () => {
    expect(parseDuration('PT0S')).toBe(0);
    expect(parseDuration('PT1.25S')).toBe(1.25);
    expect(parseDuration('PT.5S')).toBe(0.5);
  });

  it.each(['P1S', 'PT1M', 'PT-1S', 'PT1.S', 'PTS', '1.5', ''])('rejects %j with a typed error', (text) => {
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({ code: 'audiohook.bad_duration' }));
  });

  it('refuses to format negative or non-finite values', () => {
    expect(() => formatDuration(-1)).toThrow(expect.objectContaining({ code: 'audiohook.bad_duration' }));
    expect(() => formatDuration(Number.NaN)).toThrow(
      expect.objectContaining({ code: 'audiohook.bad_duration' }),
    );
  });
});

describe('protocol: media and serialisation', () => {
  const stereo = {
    type: 'audio' as const,
    format: 'PCMU' as const,
    channels: ['external' as const, 'internal' as const],
    rate: 8000,
  };
  it('counts samples per channel and refuses misaligned frames', () => {
    expect(frameSampleCount(3200, stereo)).toBe(1600);
    expect(frameSampleCount(3201, stereo)).toBeNull();
    expect(frameSampleCount(3200, { ...stereo, format: 'L16' })).toBe(800);
  });

  it('compares media including channel order', () => {
    expect(sameMedia(stereo, { ...stereo })).toBe(true);
    expect(sameMedia(stereo, { ...stereo, channels: ['internal', 'external'] })).toBe(false);
  });

  it('refuses to serialise a message over the limit', () => {
    const msg = JSON.parse(JSON.stringify(open)) as ClientMessage;
    if (msg.type === 'open') msg.parameters.customConfig = { pad: 'x'.repeat(70000) };
    expect(() => serializeMessage(msg)).toThrow(
      expect.objectContaining({ code: 'audiohook.message_too_large' }),
    );
  });
});
