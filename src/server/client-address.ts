import type { IncomingMessage } from 'node:http';

/**
 * The client's address as the limits on refusals count it: the TCP peer, or, behind `trustedProxies`
 * reverse proxies (backend.trustProxy), the address the outermost trusted one saw, read from the
 * right of X-Forwarded-For (as Express' `trust proxy` with a hop count). Entries further left are
 * written by the client and never believed.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  // [peer, the hop before it, …]: the peer is the last proxy, each trusted proxy vouches for one more.
  const chain = [peer, ...forwarded.reverse()];
  return chain[Math.min(trustedProxies, chain.length - 1)]!;
}
