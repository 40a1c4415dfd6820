/** What a test sends to the backend, and what comes back. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined. */
  body: T;
}

export interface RequestOptions {
  token?: string;
  conversationId?: string;
  apiKey?: string;
  form?: Record<string, string>;
  json?: unknown;
  /** Sent as is (with contentType). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export async function request<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  o: RequestOptions = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers.Authorization = `Bearer ${o.token}`;
  if (o.conversationId !== undefined) headers['X-Conversation-Id'] = o.conversationId;
  if (o.apiKey !== undefined) headers['X-API-Key'] = o.apiKey;
  let body: string | undefined;
  if (o.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(o.form).toString();
  } else if (o.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(o.json);
  } else if (o.raw !== undefined) {
    if (o.contentType) headers['Content-Type'] = o.contentType;
    body = o.raw;
  }
  const res = await fetch(new URL(path.replace(/^\//, ''), base), { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed as T };
}

/** The error code of an answer, for short assertions. */
export function codeOf(answer: Answer<unknown>): string | undefined {
  return (answer.body as { error?: { code?: string } } | undefined)?.error?.code;
}

/** Evaluates config.js the way a browser would import it. */
export async function importConfigJs(source: string): Promise<Record<string, unknown>> {
  const url = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  return ((await import(url)) as { default: Record<string, unknown> }).default;
}
