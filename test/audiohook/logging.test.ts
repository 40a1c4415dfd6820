import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connectAudiohook } from '../../src/audiohook/client/index.js';
import { createLogger } from '../../src/log.js';
import { API_KEY, SECRET, clientOptions, frames, startServer } from './helpers.js';

describe('audiohook logging', () => {
  it('debug logs of a signed session and of a refused one hold neither the secret nor the API key', async () => {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ level: 'trace', destination: sink });
    const server = await startServer({ logger });
    try {
      const session = await connectAudiohook(clientOptions(server.url, { logger }));
      await session.stream(frames(2));
      await session.close();
      const wrong = Buffer.from('wrong secret').toString('base64');
      await connectAudiohook(clientOptions(server.url, { logger, clientSecret: wrong })).catch(
        () => undefined,
      );
    } finally {
      await server.close();
    }
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(API_KEY);
  });
});
