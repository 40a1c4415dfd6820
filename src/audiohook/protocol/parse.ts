import { AudiohookError } from '../errors.js';
import { MAX_TEXT_MESSAGE_LENGTH, PROTOCOL_VERSION } from './core.js';
import {
  CLIENT_MESSAGE_SCHEMAS,
  ClientEnvelopeSchema,
  SERVER_MESSAGE_SCHEMAS,
  ServerEnvelopeSchema,
  isClientMessageType,
  isServerMessageType,
  type ClientMessage,
  type ServerMessage,
} from './messages.js';
import { check } from './validate.js';

/** What could be read of a message that failed validation, so a session can still keep seq counts. */
export interface PartialEnvelope {
  type?: string;
  seq?: number;
  id?: string;
}

export type ParseResult<M> =
  { ok: true; message: M } | { ok: false; error: AudiohookError; envelope: PartialEnvelope };

export interface ParseOptions {
  /** The session id every message must carry; omit to accept any id. */
  expectedId?: string | undefined;
  /** Text frame limit in characters (default 65535). */
  maxLength?: number;
}

type Direction = 'client' | 'server';

/** Turns a text frame from Genesys (the client) into a typed message or a typed error. */
export function parseClientMessage(text: string, options: ParseOptions = {}): ParseResult<ClientMessage> {
  return parse('client', text, options) as ParseResult<ClientMessage>;
}

/** Turns a text frame from an Audiohook server into a typed message or a typed error. */
export function parseServerMessage(text: string, options: ParseOptions = {}): ParseResult<ServerMessage> {
  return parse('server', text, options) as ParseResult<ServerMessage>;
}

function parse(direction: Direction, text: string, options: ParseOptions): ParseResult<unknown> {
  const fail = (code: string, message: string, protocolCode: number, envelope: PartialEnvelope = {}) => ({
    ok: false as const,
    error: new AudiohookError(`audiohook.${code}`, message, { protocolCode }),
    envelope,
  });
  const maxLength = options.maxLength ?? MAX_TEXT_MESSAGE_LENGTH;
  if (typeof text !== 'string') return fail('not_a_message', 'text frame is not a string', 400);
  if (text.length > maxLength) {
    return fail('message_too_large', `text message of ${text.length} characters exceeds ${maxLength}`, 413);
  }

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail('bad_json', `text message is not JSON: ${(err as Error).message}`, 400);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('not_a_message', 'text message is not a JSON object', 400);
  }

  const fields = raw as Record<string, unknown>;
  const envelope: PartialEnvelope = {};
  if (typeof fields.type === 'string') envelope.type = fields.type;
  if (Number.isSafeInteger(fields.seq)) envelope.seq = fields.seq as number;
  if (typeof fields.id === 'string') envelope.id = fields.id;

  if (fields.version !== PROTOCOL_VERSION) {
    return fail(
      'bad_version',
      `unsupported protocol version ${JSON.stringify(fields.version)} (expected "${PROTOCOL_VERSION}")`,
      400,
      envelope,
    );
  }

  const base = check(direction === 'client' ? ClientEnvelopeSchema : ServerEnvelopeSchema, raw);
  if (!base.ok) {
    return fail(
      'bad_envelope',
      `not an Audiohook ${direction} message: ${base.problems.join('; ')}`,
      400,
      envelope,
    );
  }
  const type = base.value.type;
  const known = direction === 'client' ? isClientMessageType(type) : isServerMessageType(type);
  if (!known) {
    return fail('unknown_type', `'${type}' is not an Audiohook ${direction} message type`, 400, envelope);
  }
  if (options.expectedId !== undefined && base.value.id.toLowerCase() !== options.expectedId.toLowerCase()) {
    return fail(
      'id_mismatch',
      `message id ${base.value.id} is not the session id ${options.expectedId}`,
      400,
      envelope,
    );
  }

  const schema =
    direction === 'client'
      ? CLIENT_MESSAGE_SCHEMAS[type as keyof typeof CLIENT_MESSAGE_SCHEMAS]
      : SERVER_MESSAGE_SCHEMAS[type as keyof typeof SERVER_MESSAGE_SCHEMAS];
  const full = check(schema, raw);
  if (!full.ok) {
    return fail('bad_parameters', `invalid '${type}' message: ${full.problems.join('; ')}`, 400, envelope);
  }
  return { ok: true, message: full.value };
}

/** JSON text of an outgoing message, refusing one the other side would reject for its size. */
export function serializeMessage(
  message: ClientMessage | ServerMessage,
  maxLength = MAX_TEXT_MESSAGE_LENGTH,
): string {
  const text = JSON.stringify(message);
  if (text.length > maxLength) {
    throw new AudiohookError(
      'audiohook.message_too_large',
      `'${message.type}' message of ${text.length} characters exceeds the ${maxLength}-character limit`,
      { hint: 'shorten customConfig or other free-form parameters', protocolCode: 413 },
    );
  }
  return text;
}
