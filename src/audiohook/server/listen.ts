import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAudiohookServer, type AudiohookServer, type AudiohookServerOptions } from './server.js';

export interface ListenAudiohookOptions extends AudiohookServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Upgrade path (default `/audiohook/ws`); other paths get 404. */
  path?: string;
}

export interface ListeningAudiohookServer {
  audiohook: AudiohookServer;
  http: Server;
  port: number;
  /** ws:// URL of the Audiohook endpoint. */
  url: string;
  close(): Promise<void>;
}

function answer(status: number, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Upgrade Required'}\r\n` +
    `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** A standalone plain-HTTP Audiohook endpoint (tests, local sandboxes). */
export async function listenAudiohook(options: ListenAudiohookOptions): Promise<ListeningAudiohookServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/audiohook/ws';
  const audiohook = createAudiohookServer(options);
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'application/json', Upgrade: 'websocket', Connection: 'close' });
    res.end(
      JSON.stringify({ error: { code: 'audiohook.upgrade_required', message: 'connect with WebSocket' } }),
    );
  });
  http.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path) {
      socket.on('error', () => undefined);
      socket.end(answer(404, 'audiohook.not_found', `no Audiohook endpoint at ${pathname}`));
      return;
    }
    audiohook.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    audiohook,
    http,
    port,
    url: `ws://${urlHost}:${port}${path}`,
    async close() {
      await audiohook.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
