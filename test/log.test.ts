import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, read: () => text };
}

describe('logger', () => {
  it('redacts secret keys at any depth and extra configured paths', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, redact: ['config.daspeak.modelHash'] });
    log.info(
      {
        clientSecret: 'top-secret',
        config: { genesys: { clientSecret: 'nested-secret' }, daspeak: { modelHash: 'm1' } },
        headers: { authorization: 'Bearer abc', 'x-api-key': 'k-123' },
        ok: 'visible',
      },
      'hello',
    );
    const line = out.read();
    expect(line).toContain('visible');
    for (const secret of ['top-secret', 'nested-secret', 'm1', 'Bearer abc', 'k-123'])
      expect(line).not.toContain(secret);
  });

  it('respects the level', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, level: 'warn' });
    log.info('quiet');
    log.warn('loud');
    expect(out.read()).not.toContain('quiet');
    expect(out.read()).toContain('loud');
  });
});
