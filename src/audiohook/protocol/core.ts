import { Type, type Static } from '@sinclair/typebox';

/** Audiohook protocol version carried in every message. */
export const PROTOCOL_VERSION = '2';

/** Longest text frame either side accepts (characters), as in Genesys' reference code. */
export const MAX_TEXT_MESSAGE_LENGTH = 65535;

/** Used by connection probes for the conversation and participant ids. */
export const NULL_UUID = '00000000-0000-0000-0000-000000000000';

/** UUID versions 1–5 and the null UUID, the set Genesys' reference validator accepts. */
export const UUID_PATTERN =
  '^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000)$';

/** ISO-8601 duration restricted to seconds, e.g. `PT0S`, `PT1.2S`, `PT12.345S`. */
export const DURATION_PATTERN = '^PT(?:\\d*\\.)?\\d+S$';

export const LANGUAGE_PATTERN = '^[a-z]{2,3}-[A-Za-z]{2,3}$';

export const UuidSchema = Type.String({ pattern: UUID_PATTERN });
export type Uuid = Static<typeof UuidSchema>;

export const DurationSchema = Type.String({ pattern: DURATION_PATTERN });
export type Duration = Static<typeof DurationSchema>;

export const LanguageCodeSchema = Type.String({ pattern: LANGUAGE_PATTERN });
export type LanguageCode = Static<typeof LanguageCodeSchema>;

/** Per-direction message counter; starts at 1, audio frames do not consume one. */
export const SeqSchema = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
/** The last seq seen from the other side; 0 before anything was received. */
export const AckSeqSchema = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const MediaChannelSchema = Type.Union([Type.Literal('external'), Type.Literal('internal')]);
/** `external` is the party outside Genesys (the caller), `internal` the agent or IVR side. */
export type MediaChannel = Static<typeof MediaChannelSchema>;

export const MediaFormatSchema = Type.Union([Type.Literal('PCMU'), Type.Literal('L16')]);
export type MediaFormat = Static<typeof MediaFormatSchema>;

export const MediaParameterSchema = Type.Object({
  type: Type.Literal('audio'),
  format: MediaFormatSchema,
  channels: Type.Array(MediaChannelSchema, { minItems: 1, maxItems: 2, uniqueItems: true }),
  // Genesys offers 8000 Hz; other rates are accepted so position arithmetic stays general.
  rate: Type.Integer({ minimum: 1, maximum: 192000 }),
});
export type MediaParameter = Static<typeof MediaParameterSchema>;

export const JsonObjectSchema = Type.Record(Type.String(), Type.Unknown());
export type JsonObject = Static<typeof JsonObjectSchema>;

export const StringMapSchema = Type.Record(Type.String(), Type.String());
