import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OAuth2 client-credentials server standing in for the das-Peak authentication server:
 * real HTTP on 127.0.0.1, counting requests, with switches for an outage, a refusal, and holding
 * answers back (so concurrent callers are provably waiting on one request).
 */
export interface TokenServer {
  /** The token endpoint URL (daspeak.auth.tokenUrl). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Token requests received. */
  requests(): number;
  /** Tokens issued. */
  issued(): string[];
  /** 'ok', 'down' (503), 'refuse' (401 invalid_client). */
  setMode(mode: 'ok' | 'down' | 'refuse'): void;
  setExpiresIn(seconds: number): void;
  /** Holds every answer until the returned function is called. */
  hold(): () => void;
  /** Resolves once `n` requests have arrived. */
  waitForRequests(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTokenServer(
  options: { clientId?: string; clientSecret?: string; expiresIn?: number } = {},
): Promise<TokenServer> {
  const clientId = options.clientId ?? 'test-sio-client';
  const clientSecret = options.clientSecret ?? 'test-sio-secret-0123456789';
  let mode: 'ok' | 'down' | 'refuse' = 'ok';
  let expiresIn = options.expiresIn ?? 3600;
  let count = 0;
  const tokens: string[] = [];
  let held: (() => void)[] | undefined;
  const waiters: { n: number; resolve: () => void }[] = [];

  const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const form = new URLSearchParams(body);
    res.setHeader('Content-Type', 'application/json');
    if (mode === 'down') {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: 'temporarily_unavailable' }));
      return;
    }
    if (
      mode === 'refuse' ||
      form.get('client_id') !== clientId ||
      form.get('client_secret') !== clientSecret ||
      form.get('grant_type') !== 'client_credentials'
    ) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client' }));
      return;
    }
    const token = `sio-token-${tokens.length + 1}-${req.socket.remotePort ?? 0}`;
    tokens.push(token);
    res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn }));
  };

  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      count++;
      for (const w of waiters.filter((x) => count >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      if (held) held.push(() => answer(req, res, body));
      else answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    tokenUrl: `http://127.0.0.1:${port}/socket.io/oauth2/token`,
    clientId,
    clientSecret,
    requests: () => count,
    issued: () => [...tokens],
    setMode: (m) => (mode = m),
    setExpiresIn: (s) => (expiresIn = s),
    hold() {
      held = [];
      return () => {
        const pending = held ?? [];
        held = undefined;
        for (const send of pending) send();
      };
    },
    waitForRequests: (n) =>
      count >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
