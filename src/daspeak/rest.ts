import type { TSchema } from '@sinclair/typebox';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import {
  API_KEY_HEADER,
  AudioSettingsRequestSchema,
  AudioSettingsResponseSchema,
  REST_PATHS,
  RegisterSessionRequestSchema,
  SessionCreatedSchema,
  SessionStatusBodySchema,
  VerifySessionRequestSchema,
  type AudioSettingsRequest,
  type AudioSettingsResponse,
  type Operation,
  type RegisterSessionRequest,
  type RestPaths,
  type SessionCreated,
  type SessionStatusBody,
  type VerifySessionRequest,
} from './contract.js';
import { DaspeakError } from './errors.js';
import { httpCall, joinUrl } from './http.js';
import { check, parseResponse } from './validate.js';

export interface RestClientOptions {
  /** e.g. `https://api.eu.veri-das.com/dpsrest` (config `daspeak.rest.baseUrl`). */
  baseUrl: string;
  apiKey: string;
  /** Overrides of the documented and designed paths (contract REST_PATHS). */
  paths?: Partial<RestPaths>;
  /** Per-request timeout. */
  timeoutMs?: number;
  logger?: Logger;
}

export interface RestCallOptions {
  signal?: AbortSignal;
  /** Overrides the client's per-request timeout (e.g. to stay inside a session deadline). */
  timeoutMs?: number;
}

/** The REST signalling channel: `apikey` header, JSON bodies. */
export interface RestClient {
  /** `POST /v1/audio_settings` → 201 (documented). */
  createAudioSettings(
    request: AudioSettingsRequest,
    options?: RestCallOptions,
  ): Promise<AudioSettingsResponse>;
  /** `POST /v1/register_session` (documented request; the answer is DESIGN). */
  createRegisterSession(request: RegisterSessionRequest, options?: RestCallOptions): Promise<SessionCreated>;
  /** `POST /v1/verify_session` (DESIGN). */
  createVerifySession(request: VerifySessionRequest, options?: RestCallOptions): Promise<SessionCreated>;
  /** `GET /v1/{register|verify}_session/{id}` (DESIGN). */
  getSession(operation: Operation, id: string, options?: RestCallOptions): Promise<SessionStatusBody>;
  /** `DELETE /v1/{register|verify}_session/{id}` (DESIGN). */
  cancelSession(operation: Operation, id: string, options?: RestCallOptions): Promise<void>;
}

export const REST_DEFAULT_TIMEOUT_MS = 10_000;

export function createRestClient(options: RestClientOptions): RestClient {
  const paths: RestPaths = { ...REST_PATHS, ...options.paths };
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? REST_DEFAULT_TIMEOUT_MS;

  async function call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    json: unknown,
    callOptions: RestCallOptions,
  ): Promise<unknown> {
    const operation = `${method} ${path}`;
    const answer = await httpCall({
      method,
      url: joinUrl(options.baseUrl, path),
      operation,
      headers: { [API_KEY_HEADER]: options.apiKey },
      json,
      timeoutMs: callOptions.timeoutMs ?? timeoutMs,
      signal: callOptions.signal,
      secrets: [options.apiKey],
      authHint: 'check daspeak.rest.apiKey (DASPEAK_API_KEY)',
    });
    logger.debug({ operation, status: answer.status }, 'das-Peak REST call');
    return answer.body;
  }

  function itemPath(operation: Operation, id: string): string {
    if (typeof id !== 'string' || id === '') {
      throw new DaspeakError('daspeak.invalid_request', 'a session id is required');
    }
    const template = operation === 'register' ? paths.registerSessionItem : paths.verifySessionItem;
    return template.replace('{id}', encodeURIComponent(id));
  }

  async function create<S extends TSchema>(
    path: string,
    requestSchema: S,
    request: unknown,
    callOptions: RestCallOptions,
  ): Promise<SessionCreated> {
    requireValid(requestSchema, request, `POST ${path}`);
    return parseResponse(
      SessionCreatedSchema,
      await call('POST', path, request, callOptions),
      `POST ${path}`,
    );
  }

  return {
    async createAudioSettings(request, callOptions = {}) {
      const path = paths.audioSettings;
      requireValid(AudioSettingsRequestSchema, request, `POST ${path}`);
      const body = await call('POST', path, request, callOptions);
      return parseResponse(AudioSettingsResponseSchema, body, `POST ${path}`);
    },
    createRegisterSession(request, callOptions = {}) {
      return create(paths.registerSession, RegisterSessionRequestSchema, request, callOptions);
    },
    createVerifySession(request, callOptions = {}) {
      return create(paths.verifySession, VerifySessionRequestSchema, request, callOptions);
    },
    async getSession(operation, id, callOptions = {}) {
      const path = itemPath(operation, id);
      return parseResponse(
        SessionStatusBodySchema,
        await call('GET', path, undefined, callOptions),
        `GET ${path}`,
      );
    },
    async cancelSession(operation, id, callOptions = {}) {
      await call('DELETE', itemPath(operation, id), undefined, callOptions);
    },
  };
}

/** Bad input is refused here, before anything reaches the service. */
function requireValid(schema: TSchema, value: unknown, operation: string): void {
  const result = check(schema, value);
  if (!result.ok) {
    throw new DaspeakError('daspeak.invalid_request', `${operation}: the request ${result.problem}`, {
      operation,
    });
  }
}
