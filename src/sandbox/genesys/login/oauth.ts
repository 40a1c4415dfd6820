import type { Request, Response } from 'express';

/**
 * The login service's error body: RFC 6749 §5.2 `error` and `error_description` plus Genesys'
 * `description` (observed: `{"error":"invalid_client","description":"client not found",
 * "error_description":"client not found"}`, gildas/go-gcloudcx client_test.go).
 */
export function oauthError(res: Response, status: number, error: string, description: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json({ error, description, error_description: description });
}

export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/**
 * Sends the user agent back to the client. The implicit grant answers in the fragment, the code
 * grant in the query (RFC 6749 §4.1.2, §4.2.2). A redirect URI may itself carry a query.
 */
export function redirectBack(
  res: Response,
  redirectUri: string,
  where: 'query' | 'fragment',
  values: Record<string, string | undefined>,
): void {
  const url = new URL(redirectUri);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) params.set(k, v);
  if (where === 'query') {
    for (const [k, v] of params) url.searchParams.set(k, v);
    res.redirect(302, url.href);
  } else {
    url.hash = params.toString();
    res.redirect(302, url.href);
  }
}

/** Browsers get a page, programs (fetch, the SDK) get JSON: the same error either way. */
export function wantsHtml(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html';
}

/** One value of a form or query field (the first when repeated). */
export function field(source: unknown, name: string): string | undefined {
  const v = (source as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The value of one cookie of the request. */
export function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
