import { Type, type Static } from '@sinclair/typebox';

/**
 * Twilio Media Streams messages as the das-Peak Twilio consumer reads them (reference §5.2, §5.3):
 * the full Twilio set (`connected`, `start`, `media`, `stop`, `mark`, `dtmf`) and the documented
 * minimal subset for other platforms (`start` with `start.callSid`, then `media` with a base64
 * `media.payload`). Objects are open: Twilio adds fields, and the consumer ignores what it does not use.
 */

const sequenceNumber = Type.Optional(
  Type.Union([Type.String({ pattern: '^[0-9]{1,15}$' }), Type.Integer({ minimum: 0 })]),
);

export const TwilioMediaFormatSchema = Type.Object({
  encoding: Type.String(),
  sampleRate: Type.Integer({ minimum: 1 }),
  channels: Type.Integer({ minimum: 1 }),
});

export const TwilioStartSchema = Type.Object({
  event: Type.Literal('start'),
  sequenceNumber,
  streamSid: Type.Optional(Type.String()),
  start: Type.Object({
    callSid: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    streamSid: Type.Optional(Type.String()),
    accountSid: Type.Optional(Type.String()),
    tracks: Type.Optional(Type.Array(Type.String())),
    customParameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    mediaFormat: Type.Optional(TwilioMediaFormatSchema),
  }),
});
export type TwilioStart = Static<typeof TwilioStartSchema>;

export const TwilioMediaSchema = Type.Object({
  event: Type.Literal('media'),
  sequenceNumber,
  streamSid: Type.Optional(Type.String()),
  media: Type.Object({
    track: Type.Optional(Type.String()),
    chunk: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
    timestamp: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
    payload: Type.String(),
  }),
});
export type TwilioMedia = Static<typeof TwilioMediaSchema>;

/** Every message has an `event`; the other fields are checked per event. */
export const TwilioEnvelopeSchema = Type.Object({
  event: Type.String({ minLength: 1 }),
  sequenceNumber,
});
export type TwilioEnvelope = Static<typeof TwilioEnvelopeSchema>;

/** The encoding Twilio Media Streams always uses (8 kHz µ-law mono). */
export const TWILIO_MULAW = 'audio/x-mulaw';
