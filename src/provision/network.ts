/**
 * Why a request got no answer, in words a person can act on. `fetch` says only "fetch failed"; the
 * reason is in its cause's code.
 */
export interface NetworkProblem {
  /** e.g. `connection refused by 127.0.0.1:8080`. */
  what: string;
  /** e.g. `is it running?`. */
  likely: string;
}

const TLS_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|EPROTO$)/;

function codeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown[] };
    if (o.name === 'TimeoutError' || o.name === 'AbortError') return 'TIMEOUT';
    // System and undici codes only (ECONNREFUSED, UND_ERR_…), not the kit's own (`daspeak.connection`).
    if (typeof o.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(o.code) && o.code !== 'UND_ERR_SOCKET')
      return o.code;
    // AggregateError (IPv4 and IPv6 both refused).
    if (Array.isArray(o.errors) && o.errors.length > 0) e = o.errors[0];
    else e = o.cause;
  }
  return undefined;
}

function messages(err: unknown): string {
  const out: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string') out.push(m);
    e = (e as { cause?: unknown }).cause;
  }
  return out.join(' | ');
}

export function networkProblem(url: string, err: unknown, timeoutMs?: number): NetworkProblem | undefined {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the text as it is
  }
  const code = codeOf(err) ?? (/\bbad port\b/.test(messages(err)) ? 'BAD_PORT' : undefined);
  if (!code) return undefined;
  if (code === 'BAD_PORT')
    return {
      what: `${host} uses a port that fetch refuses (a "bad port")`,
      likely: 'serve it on another port',
    };
  if (code === 'ECONNREFUSED')
    return { what: `connection refused by ${host}`, likely: 'is it running, on that port?' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return {
      what: `DNS cannot resolve ${new URL(url).hostname}`,
      likely: 'check the host name and your DNS',
    };
  if (code === 'TIMEOUT' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return {
      what: `no answer from ${host}${timeoutMs ? ` within ${Math.round(timeoutMs / 100) / 10} s` : ''}`,
      likely: 'is it overloaded, or is a firewall dropping the traffic?',
    };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
    return {
      what: `${host} closed the connection`,
      likely: 'is it a TLS port spoken to over http, or a proxy in between?',
    };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return { what: `no route to ${host}`, likely: 'check the network path (VPN, firewall)' };
  if (TLS_CODES.test(code))
    return {
      what: `TLS failed with ${host} (${code})`,
      likely: 'is the certificate valid for that name and trusted (NODE_EXTRA_CA_CERTS)?',
    };
  return { what: `${host}: ${code}`, likely: 'check the URL and the network path to it' };
}

/** `GET <url> failed: connection refused by host:port (is it running?)`, or the error's own text. */
export function describeRequestFailure(url: string, err: unknown, timeoutMs?: number): string {
  const p = networkProblem(url, err, timeoutMs);
  if (p) return `${url}: ${p.what} (${p.likely})`;
  return `${url}: ${err instanceof Error ? err.message : String(err)}`;
}

/** An error-like object from a message that carries a system code (`connect ECONNREFUSED …`). */
export function codeInText(text: string | undefined): { code: string } | undefined {
  const m = text ? /\b(E[A-Z]{3,}|ERR_[A-Z_]+|CERT_[A-Z_]+)\b/.exec(text) : null;
  return m ? { code: m[1]! } : undefined;
}
