import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  API_KEY_HEADER,
  AudioSettingsRequestSchema,
  formatRfc1123,
  type AudioSettingsResponse,
  type ErrorBody,
  type Operation,
} from '../../daspeak/contract.js';
import { check } from '../../daspeak/validate.js';
import type { Logger } from '../../log.js';
import { normaliseAudioSettings, type AudioSettings } from './audio-settings.js';
import { BodyError, mediaType, readBody, sameSecret, sendJson } from './http-util.js';
import type { ResolvedOptions, SandboxFaults } from './options.js';
import type { SessionRegistry } from './registry.js';
import { paramsFromRest, type ParamsContext } from './session-params.js';
import { delay } from './timing.js';

/**
 * The REST signalling channel below `paths.rest`: the documented `POST v1/audio_settings` and
 * `POST v1/register_session`, and the DESIGN `POST v1/verify_session`, `GET`/`DELETE v1/*_session/{id}`
 * and `GET v1/alive`. Every request but `alive` needs the `apikey` header. Errors are
 * `{code, message}` (DESIGN): 400 `error-parameters`, 401/403 `unauthorized`, 404 `not-found`,
 * 405, 409 `duplicate-session`, 413, 415, 503 `error-das-Peak`.
 */

export interface RestDeps {
  options: ResolvedOptions;
  registry: SessionRegistry;
  params: ParamsContext;
  faults: () => SandboxFaults;
  logger: Logger;
}

interface StoredSettings {
  settings: AudioSettings;
}

export class RestChannel {
  /** Audio settings by id; insertion order = creation order, the oldest go first beyond the limit. */
  private readonly audioSettings = new Map<string, StoredSettings>();

  constructor(private readonly deps: RestDeps) {}

  get audioSettingsCount(): number {
    return this.audioSettings.size;
  }

  /** Handles a request whose path starts with `paths.rest`; `subpath` is the rest of the path. */
  async handle(req: IncomingMessage, res: ServerResponse, subpath: string): Promise<void> {
    const latency = this.deps.faults().restLatencyMs ?? 0;
    if (latency > 0) await delay(this.deps.options.timers, latency);
    const method = req.method ?? 'GET';
    if (subpath === '/v1/alive') {
      if (method !== 'GET') return this.methodNotAllowed(res, 'GET');
      return sendJson(res, 200, { status: 'alive' });
    }
    const key = req.headers[API_KEY_HEADER];
    if (key === undefined)
      return this.error(res, 401, 'unauthorized', `the ${API_KEY_HEADER} header is missing`);
    if (typeof key !== 'string' || !sameSecret(key, this.deps.options.credentials.apiKey)) {
      return this.error(res, 403, 'unauthorized', `the ${API_KEY_HEADER} is not valid`);
    }
    const paths = this.deps.options.paths.restPaths;
    if (subpath === paths.audioSettings) {
      if (method !== 'POST') return this.methodNotAllowed(res, 'POST');
      return this.createAudioSettings(req, res);
    }
    for (const operation of ['register', 'verify'] as const) {
      const createPath = operation === 'register' ? paths.registerSession : paths.verifySession;
      if (subpath === createPath) {
        if (method !== 'POST') return this.methodNotAllowed(res, 'POST');
        return this.createSession(req, res, operation);
      }
      const id = matchItem(
        operation === 'register' ? paths.registerSessionItem : paths.verifySessionItem,
        subpath,
      );
      if (id !== undefined) {
        if (method === 'GET') return this.getSession(res, operation, id);
        if (method === 'DELETE') return this.cancelSession(res, operation, id);
        return this.methodNotAllowed(res, 'GET, DELETE');
      }
    }
    this.error(res, 404, 'not-found', `no resource at ${method} ${subpath}`);
  }

  // ---- routes -------------------------------------------------------------------------------------

  private async createAudioSettings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readJson(req, res);
    if (body === undefined) return;
    const valid = check(AudioSettingsRequestSchema, body.value);
    if (!valid.ok) return this.error(res, 400, 'error-parameters', `the request ${valid.problem}`);
    const normalised = normaliseAudioSettings(valid.value);
    if (!normalised.ok) return this.error(res, 400, 'error-parameters', normalised.problem);
    const id = randomUUID();
    this.audioSettings.set(id, { settings: normalised.settings });
    while (this.audioSettings.size > this.deps.options.limits.maxAudioSettings) {
      const oldest = this.audioSettings.keys().next().value;
      if (oldest === undefined) break;
      this.audioSettings.delete(oldest);
    }
    const answer: AudioSettingsResponse = {
      ...valid.value,
      id,
      created_at: formatRfc1123(new Date(this.deps.options.clock.now())),
    };
    sendJson(res, 201, answer);
  }

  private async createSession(
    req: IncomingMessage,
    res: ServerResponse,
    operation: Operation,
  ): Promise<void> {
    const body = await this.readJson(req, res);
    if (body === undefined) return;
    const forcedStatus = this.deps.faults().restCreateStatus;
    if (forcedStatus !== undefined) {
      return this.error(res, forcedStatus, 'error-das-Peak', `fault injected: status ${forcedStatus}`);
    }
    const checked = paramsFromRest(
      operation,
      body.value,
      (id) => this.audioSettings.get(id)?.settings,
      this.deps.params,
    );
    if (!checked.ok) return this.error(res, 400, 'error-parameters', checked.problem);
    const created = this.deps.registry.create(checked.params);
    if ('code' in created) {
      const status = created.code === 'duplicate-session' ? 409 : 503;
      return this.error(
        res,
        status,
        created.code === 'duplicate-session' ? created.code : 'error-das-Peak',
        created.message,
      );
    }
    // Answer before joining the call's audio, so a session that early audio finishes at once is still
    // created `waiting-consumer` in the answer, as the contract says.
    sendJson(res, 201, created.createdBody());
    this.deps.registry.activate(created);
  }

  private getSession(res: ServerResponse, operation: Operation, id: string): void {
    const session = this.deps.registry.get(id);
    if (!session || session.params.operation !== operation) {
      return this.error(res, 404, 'not-found', `no ${operation} session ${id}`);
    }
    sendJson(res, 200, session.statusBody());
  }

  private cancelSession(res: ServerResponse, operation: Operation, id: string): void {
    const session = this.deps.registry.get(id);
    if (!session || session.params.operation !== operation) {
      return this.error(res, 404, 'not-found', `no ${operation} session ${id}`);
    }
    session.cancel('cancelled');
    sendJson(res, 204, undefined);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /** The JSON body, or undefined once an error was answered. */
  private async readJson(req: IncomingMessage, res: ServerResponse): Promise<{ value: unknown } | undefined> {
    if (mediaType(req) !== 'application/json') {
      this.error(res, 415, 'error-parameters', 'the body must be application/json');
      return undefined;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, this.deps.options.limits.maxBodyBytes);
    } catch (err) {
      const status = err instanceof BodyError ? err.status : 400;
      this.error(res, status, 'error-parameters', err instanceof Error ? err.message : 'unreadable body');
      return undefined;
    }
    try {
      return { value: JSON.parse(raw.toString('utf8')) as unknown };
    } catch {
      this.error(res, 400, 'error-parameters', 'the body is not JSON');
      return undefined;
    }
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    const body: ErrorBody = { code, message };
    if (status >= 500) this.deps.logger.warn({ status, code }, `das-Peak sandbox REST: ${message}`);
    sendJson(res, status, body, status === 413 ? { Connection: 'close' } : {});
  }

  private methodNotAllowed(res: ServerResponse, allow: string): void {
    sendJson(res, 405, { code: 'method-not-allowed', message: `use ${allow}` }, { Allow: allow });
  }
}

/** The `{id}` of `template` (e.g. `/v1/register_session/{id}`) in `path`, decoded; undefined if no match. */
function matchItem(template: string, path: string): string | undefined {
  const at = template.indexOf('{id}');
  if (at < 0) return undefined;
  const prefix = template.slice(0, at);
  const suffix = template.slice(at + '{id}'.length);
  if (!path.startsWith(prefix) || !path.endsWith(suffix)) return undefined;
  const raw = path.slice(prefix.length, path.length - suffix.length);
  if (raw.length === 0 || raw.includes('/')) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
