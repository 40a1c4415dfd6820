import { afterEach, describe, expect, it } from 'vitest';
import { control, helperClient, restError, startStandIn, stopAll, waitFor } from './helpers.js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

/*
 * The stand-in's Twilio REST subset, driven by the real `twilio` helper library (6.3.1): what the
 * library sends (form bodies, Basic auth, paths) the stand-in must take, and what it answers the
 * library must read, including Twilio's refusals.
 */

afterEach(stopAll);

/** A Media Streams server that records what the stand-in sends (das-Peak's part, minus biometrics). */
async function streamSink() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const messages: Record<string, unknown>[] = [];
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8')) as Record<string, unknown>));
  });
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/twilio/ws`;
  return {
    url,
    messages,
    sockets,
    events: () => messages.map((m) => m.event),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.terminate();
        wss.close(() => r());
      }),
  };
}

describe('Calls', () => {
  it('fetches, lists and hangs up a call placed by a caller, in Twilio shapes', async () => {
    const s = await startStandIn();
    const placed = await control<{ callSid: string; taskSid: string }>(s, 'POST', '/sandbox/calls', {
      from: '+34600000001',
      silent: true,
    });
    expect(placed.status).toBe(201);
    expect(placed.body.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    const client = helperClient(s);
    const call = await client.calls(placed.body.callSid).fetch();
    expect(call).toMatchObject({
      sid: placed.body.callSid,
      accountSid: s.accountSid,
      from: '+34600000001',
      to: s.phoneNumber,
      status: 'in-progress',
      direction: 'inbound',
      apiVersion: '2010-04-01',
    });
    expect(call.dateCreated).toBeInstanceOf(Date);
    const listed = await client.calls.list({ status: 'in-progress' });
    expect(listed.map((c) => c.sid)).toEqual([placed.body.callSid]);
    const ended = await client.calls(placed.body.callSid).update({ status: 'completed' });
    expect(ended.status).toBe('completed');
    expect(ended.endTime).toBeInstanceOf(Date);
    expect((await client.calls.list({ status: 'in-progress' })).length).toBe(0);
  });

  it('pages a list with next_page_uri the library follows', async () => {
    const s = await startStandIn();
    for (let i = 0; i < 5; i += 1)
      await control(s, 'POST', '/sandbox/calls', { from: `+3460000001${i}`, silent: true });
    const all = await helperClient(s).calls.list({ pageSize: 2 });
    expect(all.length).toBe(5);
    expect(new Set(all.map((c) => c.from)).size).toBe(5);
  });

  it('creates an outbound call from inline TwiML that starts a stream', async () => {
    const sink = await streamSink();
    try {
      const s = await startStandIn();
      const call = await helperClient(s).calls.create({
        to: '+34600000002',
        from: s.phoneNumber,
        twiml: `<Response><Start><Stream url="${sink.url}"><Parameter name="k" value="v &amp; w"/></Stream></Start><Pause length="60"/></Response>`,
      });
      expect(call.status).toBe('in-progress');
      expect(call.direction).toBe('outbound-api');
      await waitFor(() => sink.events().includes('start'), 'the start message');
      const start = sink.messages.find((m) => m.event === 'start') as { start: Record<string, unknown> };
      expect(start.start).toMatchObject({
        callSid: call.sid,
        accountSid: s.accountSid,
        customParameters: { k: 'v & w' },
      });
      expect(sink.messages[0]).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    } finally {
      await sink.close();
    }
  });

  it('refuses a call without To (21201), From (21213) or instructions (21205), and TwiML that is not TwiML (12100)', async () => {
    const s = await startStandIn();
    const client = helperClient(s);
    expect(await restError(client.calls.create({ to: '', from: '+1', twiml: '<Response/>' }))).toMatchObject({
      status: 400,
      code: 21201,
    });
    expect(
      await restError(client.calls.create({ to: '+34600000003', from: '', twiml: '<Response/>' })),
    ).toMatchObject({ status: 400, code: 21213 });
    expect(await restError(client.calls.create({ to: '+34600000003', from: '+1' }))).toMatchObject({
      status: 400,
      code: 21205,
    });
    expect(
      await restError(client.calls.create({ to: '+34600000003', from: '+1', twiml: '<Say>hi' })),
    ).toMatchObject({ status: 400, code: 12100 });
  });
});

describe('refusals', () => {
  it("unknown call SID: 20404 with Twilio's body", async () => {
    const s = await startStandIn();
    const sid = `CA${'0'.repeat(32)}`;
    const err = await restError(helperClient(s).calls(sid).fetch());
    expect(err).toEqual({
      status: 404,
      code: 20404,
      message: `The requested resource /2010-04-01/Accounts/${s.accountSid}/Calls/${sid}.json was not found`,
      moreInfo: 'https://www.twilio.com/docs/errors/20404',
    });
  });

  it('bad auth token or another account: 401 code 20003, with a Basic challenge', async () => {
    const s = await startStandIn();
    expect(await restError(helperClient(s, { authToken: 'wrong' }).calls.list())).toMatchObject({
      status: 401,
      code: 20003,
      message: 'Authenticate',
    });
    expect(
      await restError(helperClient(s, { accountSid: `AC${'1'.repeat(32)}` }).calls.list()),
    ).toMatchObject({ status: 401, code: 20003 });
    const res = await fetch(`${s.url}/2010-04-01/Accounts/${s.accountSid}/Calls.json`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await res.json()).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
  });

  it('a stream on a completed call: 21220 Invalid call state', async () => {
    const s = await startStandIn();
    const placed = await control<{ callSid: string }>(s, 'POST', '/sandbox/calls', {
      from: '+34600000004',
      silent: true,
    });
    const client = helperClient(s);
    await client.calls(placed.body.callSid).update({ status: 'completed' });
    const err = await restError(
      client.calls(placed.body.callSid).streams.create({ url: 'wss://127.0.0.1:1/x' }),
    );
    expect(err).toMatchObject({
      status: 400,
      code: 21220,
      moreInfo: 'https://www.twilio.com/docs/errors/21220',
    });
  });

  it('a stream without Url or with a non-WebSocket Url is refused (20001), naming the parameter', async () => {
    const s = await startStandIn();
    const placed = await control<{ callSid: string }>(s, 'POST', '/sandbox/calls', {
      from: '+34600000005',
      silent: true,
    });
    const client = helperClient(s);
    expect(
      await restError(client.calls(placed.body.callSid).streams.create({ url: 'https://example.com/x' })),
    ).toMatchObject({ status: 400, code: 20001, message: expect.stringContaining('Url') as string });
    const res = await fetch(
      `${s.url}/2010-04-01/Accounts/${s.accountSid}/Calls/${placed.body.callSid}/Streams.json`,
      {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'Name=x',
      },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 20001,
      message: 'Missing required parameter Url in the post body',
    });
  });

  it('an unknown path is 20404, never a crash', async () => {
    const s = await startStandIn();
    const res = await fetch(`${s.url}/2010-04-01/Accounts/${s.accountSid}/TwilioCalls.json`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 20404, status: 404 });
  });
});

describe('Streams', () => {
  it('starts a stream on a live call with parameters, then stops it by name: connected, start, stop', async () => {
    const sink = await streamSink();
    try {
      const s = await startStandIn();
      const placed = await control<{ callSid: string }>(s, 'POST', '/sandbox/calls', {
        from: '+34600000006',
        silent: true,
      });
      const client = helperClient(s);
      const stream = await client.calls(placed.body.callSid).streams.create({
        url: sink.url,
        name: 'daspeak',
        track: 'inbound_track',
        'parameter1.name': 'from',
        'parameter1.value': '+34600000006',
      } as never);
      expect(stream).toMatchObject({
        callSid: placed.body.callSid,
        accountSid: s.accountSid,
        name: 'daspeak',
        status: 'in-progress',
      });
      expect(stream.sid).toMatch(/^MZ[0-9a-f]{32}$/);
      await waitFor(() => sink.events().includes('start'), 'start');
      const start = sink.messages[1] as {
        sequenceNumber: string;
        streamSid: string;
        start: Record<string, unknown>;
      };
      expect(start).toMatchObject({ sequenceNumber: '1', streamSid: stream.sid });
      expect(start.start).toEqual({
        streamSid: stream.sid,
        accountSid: s.accountSid,
        callSid: placed.body.callSid,
        tracks: ['inbound'],
        customParameters: { from: '+34600000006' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      });
      const stopped = await client
        .calls(placed.body.callSid)
        .streams('daspeak')
        .update({ status: 'stopped' });
      expect(stopped.status).toBe('stopped');
      expect(sink.events()).toEqual(['connected', 'start', 'stop']);
      expect(sink.messages[2]).toMatchObject({
        sequenceNumber: '2',
        stop: { accountSid: s.accountSid, callSid: placed.body.callSid },
      });
      expect(
        await restError(
          client
            .calls(placed.body.callSid)
            .streams(`MZ${'0'.repeat(32)}`)
            .update({ status: 'stopped' }),
        ),
      ).toMatchObject({ status: 404, code: 20404 });
    } finally {
      await sink.close();
    }
  });

  it("the caller's voice goes out as 20 ms media frames (160 μ-law bytes, inbound, chunk and timestamp), and hang-up sends stop", async () => {
    const sink = await streamSink();
    try {
      const s = await startStandIn({ mediaStreamUrl: sink.url });
      const placed = await control<{ callSid: string }>(s, 'POST', '/sandbox/calls', {
        from: '+34600000007',
        audio: { tone: { seconds: 0.5 } },
        speed: 'max',
      });
      await waitFor(() => sink.events().filter((e) => e === 'media').length === 25, '25 frames');
      const media = sink.messages.filter((m) => m.event === 'media') as {
        sequenceNumber: string;
        media: { track: string; chunk: string; timestamp: string; payload: string };
      }[];
      expect(media[0]!.media).toMatchObject({ track: 'inbound', chunk: '1', timestamp: '20' });
      expect(media[24]!.media).toMatchObject({ chunk: '25', timestamp: '500' });
      expect(media.every((m) => Buffer.from(m.media.payload, 'base64').length === 160)).toBe(true);
      expect(media.map((m) => Number(m.sequenceNumber))).toEqual(Array.from({ length: 25 }, (_, i) => i + 2));
      const start = sink.messages[1] as { start: { customParameters: Record<string, string> } };
      expect(start.start.customParameters).toEqual({ from: '+34600000007' });
      await control(s, 'POST', `/sandbox/calls/${placed.body.callSid}/hangup`);
      expect(sink.events().at(-1)).toBe('stop');
      const report = await control<{
        status: string;
        streams: { status: string; socket: { mediaSent: number } }[];
      }>(s, 'GET', `/sandbox/calls/${placed.body.callSid}`);
      expect(report.body).toMatchObject({
        status: 'completed',
        streams: [{ status: 'stopped', socket: { mediaSent: 25 } }],
      });
    } finally {
      await sink.close();
    }
  });
});
