import { describe, expect, it } from 'vitest';
import { createAjv } from '../../src/config/loader.js';
import { DaspeakSchema } from '../../src/config/schema.js';
import {
  AudioSettingsRequestSchema,
  AudioSettingsResponseSchema,
  DaspeakOutcomeSchema,
  ERROR_EVENTS,
  EVENT_FOR_STATUS,
  RegisterInitializeSchema,
  RegisterSessionRequestSchema,
  SERVER_EVENTS,
  SESSION_STATUSES,
  SessionStatusBodySchema,
  TERMINAL_STATUSES,
  TokenResponseSchema,
  VerifyInitializeSchema,
  check,
  formatRfc1123,
  parseRfc1123,
  statusForEvent,
} from '../../src/daspeak/index.js';
import { configFor, type ContractServer } from './contract-server.js';

// The documented examples (REST-EX, SIO-EX), verbatim apart from placeholders.
const REST_EX_AUDIO_SETTINGS = {
  audio_protocol: 'audiohook',
  audio_format: 'raw',
  audio_codec: 'mulaw',
  sample_format: '',
  sample_rate: 8000,
  channels: 1,
};
const SIO_EX_INITIALIZE = {
  metadata: {
    audio_protocol: 'audiohook',
    audio_format: 'raw',
    audio_codec: 'mulaw',
    sample_format: '',
    sample_rate: '8000',
    channels: '1',
    call_id: '888806c3-3391-4d73-bb86-e5874e6ed5b4',
  },
  register_request: { authenticity_threshold: 0.8, audio_total_duration: 5.0, model_hash: '<MODEL_HASH>' },
};

describe('das-Peak contract schemas', () => {
  it('accept the documented REST example and its 201 answer with an RFC-1123 created_at', () => {
    expect(check(AudioSettingsRequestSchema, REST_EX_AUDIO_SETTINGS).ok).toBe(true);
    const answer = {
      ...REST_EX_AUDIO_SETTINGS,
      id: '6ef34b58-e793-4126-b043-152edefed3a3',
      created_at: 'Wed, 17 May 2023 09:25:24 GMT',
    };
    expect(check(AudioSettingsResponseSchema, answer).ok).toBe(true);
    expect(check(AudioSettingsResponseSchema, { ...answer, created_at: '2023-05-17T09:25:24Z' }).ok).toBe(
      false,
    );
    expect(
      check(RegisterSessionRequestSchema, {
        audio_settings_id: answer.id,
        authenticity_threshold: 0.8,
        audio_total_duration: 5.0,
        call_id: '888806c3-3391-4d73-bb86-e5874e6ed5b4',
        model_hash: '<MODEL_HASH>',
      }).ok,
    ).toBe(true);
  });

  it('format and parse created_at the way the service writes it', () => {
    const date = new Date(Date.UTC(2023, 4, 17, 9, 25, 24));
    expect(formatRfc1123(date)).toBe('Wed, 17 May 2023 09:25:24 GMT');
    expect(parseRfc1123('Wed, 17 May 2023 09:25:24 GMT')?.getTime()).toBe(date.getTime());
    expect(parseRfc1123('2023-05-17T09:25:24Z')).toBeUndefined();
  });

  it('accept sample_rate and channels in initialize as strings (SIO-EX) or numbers (REST style)', () => {
    expect(check(RegisterInitializeSchema, SIO_EX_INITIALIZE).ok).toBe(true);
    const numeric = {
      ...SIO_EX_INITIALIZE,
      metadata: { ...SIO_EX_INITIALIZE.metadata, sample_rate: 8000, channels: 1 },
    };
    expect(check(RegisterInitializeSchema, numeric).ok).toBe(true);
    const wrong = { ...SIO_EX_INITIALIZE, metadata: { ...SIO_EX_INITIALIZE.metadata, sample_rate: 'eight' } };
    expect(check(RegisterInitializeSchema, wrong).ok).toBe(false);
  });

  it('describe the designed verify_request', () => {
    const verify = {
      metadata: SIO_EX_INITIALIZE.metadata,
      verify_request: {
        credential: 'Y3JlZA==',
        authenticity_threshold: 0.8,
        audio_total_duration: 3,
        model_hash: 'm',
        verification_threshold: 0.5,
      },
    };
    expect(check(VerifyInitializeSchema, verify).ok).toBe(true);
    expect(check(VerifyInitializeSchema, SIO_EX_INITIALIZE).ok).toBe(false);
  });

  it('reject wrong types and unknown statuses, but ignore unknown properties', () => {
    const body = { id: 's1', status: 'collecting', net_speech_duration: 1, audio_total_duration: 5 };
    expect(check(SessionStatusBodySchema, body).ok).toBe(true);
    expect(check(SessionStatusBodySchema, { ...body, added_in_v1_3: { anything: true } }).ok).toBe(true);
    expect(check(SessionStatusBodySchema, { ...body, id: 5 }).ok).toBe(false);
    expect(check(SessionStatusBodySchema, { ...body, status: 'queued' }).ok).toBe(false);
    expect(check(SessionStatusBodySchema, { ...body, net_speech_duration: '1' }).ok).toBe(false);
    expect(check(TokenResponseSchema, { access_token: 'a' }).ok).toBe(true);
    expect(check(TokenResponseSchema, { access_token: 'a', expires_in: '3600' }).ok).toBe(false);
  });

  it('name the events exactly, with the mixed-case error-das-Peak', () => {
    expect(SERVER_EVENTS.errorDasPeak).toBe('error-das-Peak');
    expect(ERROR_EVENTS).toEqual([
      'error-consumer-not-ready',
      'error-parameters',
      'error-audio',
      'error-das-Peak',
    ]);
    expect(SESSION_STATUSES).toHaveLength(11);
    for (const status of TERMINAL_STATUSES) expect(statusForEvent(EVENT_FOR_STATUS[status])).toBe(status);
  });

  it('have an outcome schema that accepts a registered outcome', () => {
    const outcome = {
      kind: 'registered',
      credential: 'Y3JlZA==',
      operation: 'register',
      channel: 'rest',
      callId: 'c1',
      timings: { startedAt: 1, resultAt: 2 },
    };
    expect(check(DaspeakOutcomeSchema, outcome).ok).toBe(true);
    expect(check(DaspeakOutcomeSchema, { ...outcome, kind: 'verified' }).ok).toBe(false);
  });

  it('test config is a valid daspeak config section', () => {
    const fakeServer = {
      origin: 'http://127.0.0.1:1',
      restBase: 'http://127.0.0.1:1/dpsrest',
      tokenUrl: 'http://127.0.0.1:1/socket.io/oauth2/token',
    };
    const validate = createAjv().compile(DaspeakSchema);
    const config = configFor(fakeServer as ContractServer);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });
});
