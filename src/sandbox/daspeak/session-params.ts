import { randomUUID } from 'node:crypto';
import {
  RegisterInitializeSchema,
  RegisterSessionRequestSchema,
  VerifyInitializeSchema,
  VerifySessionRequestSchema,
  type Operation,
  type VerifyRequest,
  type VerifySessionRequest,
} from '../../daspeak/contract.js';
import { check } from '../../daspeak/validate.js';
import { normaliseAudioSettings, type AudioSettings } from './audio-settings.js';
import type { BiometricEngine } from './biometrics.js';
import type { SessionParams } from './session.js';

/** The longest `audio_total_duration` served (seconds of net speech). */
export const MAX_AUDIO_TOTAL_DURATION = 60;

export type ParamsCheck = { ok: true; params: SessionParams } | { ok: false; problem: string };

export interface ParamsContext {
  modelHash: string;
  defaultVerificationThreshold: number;
  biometrics: BiometricEngine;
}

interface CommonFields {
  call_id: string;
  authenticity_threshold: number;
  audio_total_duration: number;
  model_hash: string;
  credential?: string;
  verification_threshold?: number;
}

function build(
  operation: Operation,
  channel: SessionParams['channel'],
  audio: AudioSettings,
  audioSettingsId: string,
  fields: CommonFields,
  context: ParamsContext,
): ParamsCheck {
  if (fields.audio_total_duration <= 0 || fields.audio_total_duration > MAX_AUDIO_TOTAL_DURATION) {
    return {
      ok: false,
      problem: `audio_total_duration must be above 0 and at most ${MAX_AUDIO_TOTAL_DURATION} s`,
    };
  }
  if (fields.model_hash !== context.modelHash) {
    return { ok: false, problem: `model_hash "${fields.model_hash}" is not a model this service runs` };
  }
  const params: SessionParams = {
    operation,
    channel,
    callId: fields.call_id,
    audio,
    audioSettingsId,
    authenticityThreshold: fields.authenticity_threshold,
    audioTotalDuration: fields.audio_total_duration,
    modelHash: fields.model_hash,
  };
  if (operation === 'verify') {
    const credential = fields.credential ?? '';
    const problem = context.biometrics.credentialProblem(credential, fields.model_hash);
    if (problem) return { ok: false, problem: `credential: ${problem}` };
    params.credential = credential;
    params.verificationThreshold = fields.verification_threshold ?? context.defaultVerificationThreshold;
  }
  return { ok: true, params };
}

/** A REST `register_session` / `verify_session` body, with the audio settings it names. */
export function paramsFromRest(
  operation: Operation,
  body: unknown,
  lookupSettings: (id: string) => AudioSettings | undefined,
  context: ParamsContext,
): ParamsCheck {
  const valid = check(
    operation === 'register' ? RegisterSessionRequestSchema : VerifySessionRequestSchema,
    body,
  );
  if (!valid.ok) return { ok: false, problem: `the request ${valid.problem}` };
  const request = valid.value as VerifySessionRequest;
  const audio = lookupSettings(request.audio_settings_id);
  if (!audio) return { ok: false, problem: `audio_settings_id ${request.audio_settings_id} is unknown` };
  return build(operation, 'rest', audio, request.audio_settings_id, request, context);
}

/** A Socket.IO `initialize` payload (the audio settings travel in `metadata`). */
export function paramsFromInitialize(
  operation: Operation,
  payload: unknown,
  context: ParamsContext,
): ParamsCheck {
  const schema = operation === 'register' ? RegisterInitializeSchema : VerifyInitializeSchema;
  const valid = check(schema, typeof payload === 'string' ? parseJson(payload) : payload);
  if (!valid.ok) return { ok: false, problem: `initialize ${valid.problem}` };
  const { metadata } = valid.value;
  const settings = normaliseAudioSettings(metadata);
  if (!settings.ok) return { ok: false, problem: settings.problem };
  const request: Omit<VerifyRequest, 'credential' | 'verification_threshold'> &
    Partial<Pick<VerifyRequest, 'credential' | 'verification_threshold'>> =
    'register_request' in valid.value ? valid.value.register_request : valid.value.verify_request;
  return build(
    operation,
    'socketio',
    settings.settings,
    randomUUID(),
    { ...request, call_id: metadata.call_id },
    context,
  );
}

/** Some Socket.IO clients send the payload as a JSON string. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
