import type { DataActionErrorCode } from './errors.js';
import { headerUsesSecrets, redact, REDACTED_VALUE } from './redact.js';
import { renderVelocity } from './velocity.js';

export type Resolved<T> =
  | { ok: true; value: T; shown: unknown }
  | { ok: false; code: DataActionErrorCode; message: string };

/** Characters a URI may hold (RFC 3986), and `%` only as the start of an escape. */
const URI_CHARACTER = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]/;
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/g;

/**
 * Renders requestUrlTemplate and checks the result is an absolute http(s) URL a Java HTTP client
 * would accept: an unescaped space, quote, brace or non-ASCII letter is refused (Genesys does not
 * escape inputs for you), where fetch would quietly escape it.
 */
export function resolveRequestUrl(
  actionName: string,
  template: string,
  data: Record<string, unknown>,
  secrets: readonly string[],
): Resolved<string> {
  const rendered = renderVelocity(template, data);
  if (!rendered.ok) {
    return {
      ok: false,
      code: 'data_action.template_error',
      message: `The requestUrlTemplate of action '${actionName}' failed: ${rendered.problem}`,
    };
  }
  const url = rendered.text.trim();
  const shown = redact(url, secrets);
  const bad = [...new Set([...url.replace(PERCENT_ESCAPE, '')].filter((c) => !URI_CHARACTER.test(c)))];
  if (bad.length > 0) {
    const unresolved = /\$!?\{/.test(url) ? '; it still holds an unresolved ${...} reference (a missing or null input?)' : '';
    return {
      ok: false,
      code: 'data_action.invalid_url',
      message: `The resolved request URL '${shown}' of action '${actionName}' contains characters that must be escaped (${bad
        .slice(0, 5)
        .map((c) => JSON.stringify(c))
        .join(' ')})${unresolved}; wrap inputs in $esc.url() or $esc.uriEncode()`,
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      ok: false,
      code: 'data_action.invalid_url',
      message: `The resolved request URL '${shown}' of action '${actionName}' is not an absolute URL`,
    };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return {
      ok: false,
      code: 'data_action.invalid_url',
      message: `The resolved request URL '${shown}' of action '${actionName}' must use http or https`,
    };
  }
  return { ok: true, value: url, shown };
}

export interface HeaderOptions {
  /** For a `basicAuth` credential: the Basic header Genesys adds unless the action sets Authorization. */
  basicAuth?: { userName: string; password: string };
  /** Set when a body is sent and the action names no Content-Type. */
  defaultContentType?: string;
  secrets: readonly string[];
}

/** Renders each header value. The record shows a header drawn from credentials as `[redacted]`. */
export function resolveHeaders(
  actionName: string,
  templates: Readonly<Record<string, string>>,
  data: Record<string, unknown>,
  options: HeaderOptions,
): Resolved<Headers> {
  const headers = new Headers();
  const shown: Record<string, string> = {};
  for (const [name, template] of Object.entries(templates)) {
    const rendered = renderVelocity(template, data);
    if (!rendered.ok) {
      return {
        ok: false,
        code: 'data_action.template_error',
        message: `The header '${name}' of action '${actionName}' failed: ${rendered.problem}`,
      };
    }
    try {
      headers.set(name, rendered.text);
    } catch {
      return {
        ok: false,
        code: 'data_action.invalid_header',
        message: `The header '${name}' of action '${actionName}' is not a valid HTTP header (a line break or a non-Latin-1 character in its name or value?)`,
      };
    }
    shown[name] = headerUsesSecrets(template) ? REDACTED_VALUE : redact(rendered.text, options.secrets);
  }
  if (options.basicAuth && !headers.has('authorization')) {
    const { userName, password } = options.basicAuth;
    headers.set('Authorization', `Basic ${Buffer.from(`${userName}:${password}`, 'utf8').toString('base64')}`);
    shown.Authorization = REDACTED_VALUE;
  }
  if (options.defaultContentType && !headers.has('content-type')) {
    headers.set('Content-Type', options.defaultContentType);
    shown['Content-Type'] = options.defaultContentType;
  }
  return { ok: true, value: headers, shown };
}

/**
 * Renders requestTemplate. A GET carries no body (fetch could not send one, and Genesys' default
 * template `${input.rawRequest}` is not sent for GET); an empty rendering sends no body either.
 */
export function resolveBody(
  actionName: string,
  method: string,
  template: string,
  data: Record<string, unknown>,
  secrets: readonly string[],
): Resolved<string | undefined> {
  if (method === 'GET') return { ok: true, value: undefined, shown: 'no body: GET requests carry none' };
  const rendered = renderVelocity(template, data);
  if (!rendered.ok) {
    return {
      ok: false,
      code: 'data_action.template_error',
      message: `The requestTemplate of action '${actionName}' failed: ${rendered.problem}`,
    };
  }
  if (rendered.text.trim() === '') return { ok: true, value: undefined, shown: 'no body: the template rendered empty' };
  return { ok: true, value: rendered.text, shown: redact(rendered.text, secrets) };
}
