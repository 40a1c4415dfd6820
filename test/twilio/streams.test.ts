import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { startStream, stopStream } from '../../src/twilio/streams.js';
import { TwilioError } from '../../src/twilio/errors.js';
import { clientOn, control, placeCall, rejectionOf, useStandIn } from './helpers.js';

const standIn = useStandIn();

/** A Media Streams consumer on 127.0.0.1 that keeps every message it gets. */
const consumer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
const received: Record<string, unknown>[] = [];
consumer.on('connection', (ws) =>
  ws.on('message', (m: Buffer) => received.push(JSON.parse(m.toString()) as Record<string, unknown>)),
);
afterAll(
  () =>
    new Promise<void>((r) => {
      for (const ws of consumer.clients) ws.terminate();
      consumer.close(() => r());
    }),
);
const consumerUrl = () => `ws://127.0.0.1:${(consumer.address() as AddressInfo).port}/twilio/ws`;

async function until<T>(get: () => T | undefined, what: string): Promise<T> {
  const end = Date.now() + 5000;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startStream / stopStream on a live call', () => {
  it('starts a stream with parameters that reach the consumer in start.customParameters', async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const call = await placeCall(s, '+34600000002');
    const info = await startStream(client, call.callSid, {
      url: consumerUrl(),
      name: 'daspeak',
      parameters: { from: '+34600000002', purpose: 'verify' },
    });
    expect(info).toMatchObject({ callSid: call.callSid, name: 'daspeak', status: 'in-progress' });
    expect(info.sid).toMatch(/^MZ[0-9a-f]{32}$/);
    const start = await until(
      () =>
        received.find((m) => m.event === 'start' && m.streamSid === info.sid) as
          { start: Record<string, unknown> } | undefined,
      'the start message',
    );
    expect(start.start).toMatchObject({
      callSid: call.callSid,
      accountSid: s.accountSid,
      tracks: ['inbound'],
      customParameters: { from: '+34600000002', purpose: 'verify' },
    });
    expect(s.state.streams.get(info.sid)).toMatchObject({ track: 'inbound_track', origin: 'rest' });
  });

  it('stops a stream by name, and another by SID', async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const call = await placeCall(s);
    const a = await startStream(client, call.callSid, { url: consumerUrl(), name: 'one' });
    const b = await startStream(client, call.callSid, { url: consumerUrl() });
    expect(await stopStream(client, call.callSid, 'one')).toMatchObject({ sid: a.sid, status: 'stopped' });
    expect(await stopStream(client, call.callSid, b.sid)).toMatchObject({ sid: b.sid, status: 'stopped' });
  });

  it("a stream on a call that has ended is refused with Twilio's code", async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const call = await placeCall(s);
    await control(s, 'POST', `/sandbox/calls/${call.callSid}/hangup`);
    const e = (await rejectionOf(startStream(client, call.callSid, { url: consumerUrl() }))) as TwilioError;
    expect(e).toBeInstanceOf(TwilioError);
    expect(e.code).toBe('twilio.refused');
    expect(e.twilioCode).toBeGreaterThan(0);
    expect(e.httpStatus).toBe(400);
  });

  it('an unknown call: twilio.not_found (20404); a malformed SID is refused before any request', async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const e = (await rejectionOf(
      startStream(client, `CA${'9'.repeat(32)}`, { url: consumerUrl() }),
    )) as TwilioError;
    expect(e).toMatchObject({ code: 'twilio.not_found', twilioCode: 20404 });
    const bad = (await rejectionOf(startStream(client, 'CA123', { url: consumerUrl() }))) as TwilioError;
    expect(bad.code).toBe('twilio.bad_sid');
    expect(bad.message).toBe('"CA123" is not a call SID');
    expect(bad.hint).toBe('a call SID is CA followed by 32 hexadecimal digits');
  });

  it('more than 99 parameters is refused locally (Twilio numbers them 1 to 99)', async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const parameters = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, 'v']));
    const e = (await rejectionOf(
      startStream(client, `CA${'1'.repeat(32)}`, { url: consumerUrl(), parameters }),
    )) as TwilioError;
    expect(e.message).toBe('a stream takes at most 99 parameters, not 100');
  });
});
