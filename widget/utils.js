// @ts-check
/**
 * utils.js of <daspeak-streaming-web-agent-genesys>: the seed's hook functions, implemented against
 * the kit's backend (`daspeak-genesys serve`). The element gets them as `component.utils = utils`
 * (`import * as utils from './utils.js'`).
 *
 * Every call carries the agent's Genesys token and the conversation id, which the page hands over
 * once it has them: `setSession({ accessToken, conversationId })`. The backend lets an agent read,
 * store or delete only the credential of the caller on that agent's current conversation, and it
 * keeps the das-Peak client secret: the browser only ever gets short-lived access tokens.
 */

/**
 * @typedef {object} Session
 * @property {string | undefined} accessToken  Genesys Cloud token of the agent (implicit grant).
 * @property {string | undefined} conversationId  Genesys conversation id ({{gcConversationId}}).
 * @property {string | undefined} baseUrl  Backend base URL; defaults to where this file was loaded from.
 */

/** @type {Session} */
const session = { accessToken: undefined, conversationId: undefined, baseUrl: undefined };

/** A refusal or failure of the backend, with its stable code and HTTP status (0: no answer). */
export class BackendError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {number} status
   */
  constructor(code, message, status) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
    this.status = status;
  }
}

/**
 * Hands over the agent's token and the conversation; call again when either changes (token
 * refreshed, next interaction). Fields left out keep their value; `null` clears one.
 * @param {{ accessToken?: string | null, conversationId?: string | null, baseUrl?: string | null }} values
 */
export function setSession(values) {
  for (const key of /** @type {const} */ (['accessToken', 'conversationId', 'baseUrl'])) {
    const value = values[key];
    if (value === undefined) continue;
    if (value !== null && (typeof value !== 'string' || value === '')) {
      throw new TypeError(`setSession: ${key} must be a non-empty string or null`);
    }
    session[key] = value ?? undefined;
  }
}

/** The backend's base URL, ending in a slash. */
function backendBase() {
  const base = session.baseUrl ?? new URL('./', import.meta.url).href;
  return base.endsWith('/') ? base : `${base}/`;
}

/**
 * One request to the backend with the agent's token and the conversation id.
 * @param {'GET' | 'POST' | 'PUT' | 'DELETE'} method
 * @param {string} url absolute, or relative to the backend base
 * @param {Record<string, string>} [form] sent form-encoded, as the seed's utils.js does
 * @param {unknown} [json] sent as JSON (the resource routes)
 * @returns {Promise<{ status: number, body: any }>}
 */
async function call(method, url, form, json) {
  if (!session.accessToken) {
    throw new BackendError(
      'auth.missing_token',
      "no agent token yet: call setSession({ accessToken, conversationId }) after the agent's login",
      0,
    );
  }
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', Authorization: `Bearer ${session.accessToken}` };
  if (session.conversationId) headers['X-Conversation-Id'] = session.conversationId;
  if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(new URL(url, backendBase()), {
      method,
      headers,
      body: form ? new URLSearchParams(form) : json !== undefined ? JSON.stringify(json) : undefined,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (err) {
    throw new BackendError('backend.unreachable', `the backend could not be reached: ${String(err)}`, 0);
  }
  /** @type {any} */
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/**
 * @param {{ status: number, body: any }} answer
 * @returns {never}
 */
function fail(answer) {
  const error = answer.body && typeof answer.body === 'object' ? answer.body.error : undefined;
  const code = error && typeof error.code === 'string' ? error.code : 'backend.failed';
  const message =
    error && typeof error.message === 'string' ? error.message : `the backend answered ${answer.status}`;
  throw new BackendError(code, message, answer.status);
}

/**
 * Stores the credential das-Peak returned after a registration, for caller `id` (the ANI).
 * @param {string} id
 * @param {string} credential
 * @returns {Promise<boolean>} true once stored
 */
export async function storeCredential(id, credential) {
  const answer = await call('POST', 'database/storeCredential', { id, credential });
  if (answer.status !== 200 && answer.status !== 201) fail(answer);
  return true;
}

/**
 * Deletes the caller's credential.
 * @param {string} id
 * @returns {Promise<boolean>} whether there was one
 */
export async function deleteCredential(id) {
  const answer = await call('DELETE', 'database/deleteCredential', { id });
  if (answer.status !== 200) fail(answer);
  return answer.body?.deleted === true;
}

/**
 * The caller's stored credential, or null when none is stored (the caller is not registered).
 * @param {string} id
 * @returns {Promise<string | null>}
 */
export async function getCredential(id) {
  const answer = await call('GET', `database/getCredential?${new URLSearchParams({ id })}`);
  if (answer.status === 404 && answer.body?.error?.code === 'credential.not_found') return null;
  if (answer.status !== 200 || typeof answer.body?.credential !== 'string') fail(answer);
  return answer.body.credential;
}

/**
 * Called with each das-Peak result and the audio collected for it. The kit keeps nothing here:
 * credentials are stored through storeCredential, and call audio never leaves for anywhere else.
 * Replace the body to add your own handling (for example, your CRM).
 * @param {unknown} _result
 * @param {unknown} _collectedAudio
 * @returns {void}
 */
export function onResponse(_result, _collectedAudio) {}

/**
 * A short-lived das-Peak access token for the Socket.IO channel, from the backend's token proxy.
 * @param {string} [authenticationServerUrl] config.authUrl; defaults to the backend's /token
 * @returns {Promise<string>} the access token
 */
export async function getTemporaryToken(authenticationServerUrl) {
  const answer = await call('GET', authenticationServerUrl || 'token');
  if (answer.status !== 200 || typeof answer.body?.access_token !== 'string') fail(answer);
  return answer.body.access_token;
}

// --- The kit's additions: the element calls these only when they exist, so the seed's sample
// utils.js (without them) keeps working.

/** The path segment of a caller number (`+` and every other reserved character encoded). */
function aniSegment(/** @type {string} */ id) {
  return encodeURIComponent(id);
}

/**
 * @typedef {object} CredentialStatus
 * @property {boolean} registered  whether a voice credential is stored for the caller
 * @property {string} [ani]  the caller number in E.164
 * @property {string} [createdAt]  ISO time of the registration
 * @property {string} [updatedAt]  ISO time of the last registration that replaced it
 * @property {string | null} [lastUsedAt]  ISO time of the last verification that read it (hourly precision)
 * @property {string} [modelHash]  the das-Peak model the credential was made with
 * @property {boolean} [modelCurrent]  whether that is the model the backend uses now
 */

/**
 * Whether the caller is registered, and since when; never the credential itself (works in relay and
 * direct mode alike).
 * @param {string} id the caller number
 * @returns {Promise<CredentialStatus>}
 */
export async function getCredentialStatus(id) {
  const answer = await call('GET', `api/v1/credentials/${aniSegment(id)}/status`);
  if (answer.status !== 200 || typeof answer.body?.registered !== 'boolean') fail(answer);
  return answer.body;
}

/**
 * @typedef {object} ConsentEvent
 * @property {string} at  ISO time
 * @property {{ type: string, id: string }} actor  who recorded it (the agent's user id, or the IVR)
 * @property {string | null} conversationId
 * @property {string} [wordingVersion]  the wording the caller answered to (granted and refused)
 */

/**
 * @typedef {object} ConsentState
 * @property {string} ani
 * @property {'granted' | 'refused' | 'withdrawn'} status  the caller's latest decision
 * @property {ConsentEvent | null} granted
 * @property {ConsentEvent | null} refused
 * @property {ConsentEvent | null} withdrawn
 */

/**
 * The caller's recorded consent, or null when none has been recorded.
 * @param {string} id the caller number
 * @returns {Promise<ConsentState | null>}
 */
export async function getConsent(id) {
  const answer = await call('GET', `api/v1/consent/${aniSegment(id)}`);
  if (answer.status === 404 && answer.body?.error?.code === 'consent.not_found') return null;
  if (answer.status !== 200 || typeof answer.body?.status !== 'string') fail(answer);
  return answer.body;
}

/**
 * Records the caller's answer to the consent question, with the version of the wording read to them
 * (config.js `consentWordingVersion`).
 * @param {string} id the caller number
 * @param {{ decision: 'granted' | 'refused', wordingVersion: string }} answer
 * @returns {Promise<ConsentState>} the consent as now recorded
 */
export async function recordConsent(id, { decision, wordingVersion }) {
  const answer = await call('PUT', `api/v1/consent/${aniSegment(id)}`, undefined, {
    decision,
    wordingVersion,
  });
  if (answer.status !== 200 || typeof answer.body?.status !== 'string') fail(answer);
  return answer.body;
}
