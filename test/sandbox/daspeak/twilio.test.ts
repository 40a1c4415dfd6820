import { afterEach, describe, expect, it } from 'vitest';
import {
  clientFor,
  expectError,
  framesOf,
  newCallId,
  startSandbox,
  stopAll,
  TwilioSender,
  waitFor,
} from './helpers.js';

/*
 * The Twilio Media Streams consumer, driven by a `ws` client speaking Twilio's messages: the full set
 * as Twilio sends it, the documented minimal subset, and everything a hostile sender might try.
 */

afterEach(stopAll);

async function twilioSandbox(options: Parameters<typeof startSandbox>[0] = {}) {
  const sandbox = await startSandbox(options);
  const client = clientFor(sandbox, {}, { audioProtocol: 'twilio' });
  return { sandbox, client };
}

describe('Twilio Media Streams', () => {
  it('full message set: connected, start, media, mark; closes with 1000 once it has enough audio', async () => {
    const { sandbox, client } = await twilioSandbox();
    const callSid = `CA${newCallId().replace(/-/g, '')}`;
    const outcome = client.register({ callId: callSid, channel: 'socketio' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.full.connected();
    twilio.full.start(callSid);
    twilio.full.mark('greeting');
    twilio.streamVoice('alice-register', 'full');
    expect((await outcome).kind).toBe('registered');
    expect(await twilio.closed).toEqual({ code: 1000, reason: 'enough audio' });
  });

  it('minimal subset (start.callSid, media.payload), sent before the session exists', async () => {
    const { sandbox, client } = await twilioSandbox();
    const callId = newCallId();
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.minimal.start(callId);
    twilio.streamVoice('bruno-register', 'minimal');
    await waitFor(() => sandbox.stats().earlyAudioSeconds > 6, 'the early audio');
    const outcome = await client.register({ callId, channel: 'rest' });
    expect(outcome.kind).toBe('registered');
    expect((await twilio.closed).code).toBe(1000);
  });

  it('takes customParameters.call_id when start has no callSid, and ignores the outbound track', async () => {
    const { sandbox, client } = await twilioSandbox();
    const callId = newCallId();
    const outcome = client.register({ callId, channel: 'socketio' });
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.send({ event: 'start', start: { customParameters: { call_id: callId } } });
    // The agent side (outbound) must not count: only dora's inbound voice reaches the session.
    for (const chunk of framesOf('alice-register', 20)) twilio.full.media(chunk, 'outbound');
    twilio.streamVoice('dora-register', 'full');
    expect((await outcome).kind).toBe('registered');
    expect((await twilio.closed).code).toBe(1000);
  });

  it('stop ends the stream: too little audio so far is error-audio', async () => {
    const { sandbox, client } = await twilioSandbox();
    const callSid = newCallId();
    const outcome = client.register({ callId: callSid, channel: 'socketio' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.full.start(callSid);
    for (const chunk of framesOf('chen-register', 20).slice(0, 100)) twilio.full.media(chunk);
    twilio.full.stop(callSid);
    expect(await outcome).toMatchObject({ kind: 'error', code: 'audio' });
    expect((await twilio.closed).code).toBe(1000);
  });
});

describe('Twilio: hostile senders', () => {
  const cases: { name: string; send: (t: TwilioSender, callId: string) => void; code: number }[] = [
    { name: 'binary message', send: (t) => t.sendRaw(Buffer.from([1, 2, 3])), code: 1003 },
    { name: 'garbage JSON', send: (t) => t.sendRaw('{"event": "start", '), code: 1007 },
    { name: 'JSON without an event', send: (t) => t.send({ hello: 'world' }), code: 1008 },
    { name: 'media before start', send: (t) => t.minimal.media(new Uint8Array(160)), code: 1008 },
    { name: 'start without callSid', send: (t) => t.send({ event: 'start', start: {} }), code: 1008 },
    {
      name: 'a second start',
      send: (t, callId) => {
        t.minimal.start(callId);
        t.minimal.start(callId);
      },
      code: 1008,
    },
    {
      name: 'sequenceNumber going backwards',
      send: (t, callId) => {
        t.send({ event: 'start', sequenceNumber: '5', start: { callSid: callId } });
        t.send({ event: 'media', sequenceNumber: '4', media: { payload: '' } });
      },
      code: 1008,
    },
    {
      name: 'media whose payload is not base64',
      send: (t, callId) => {
        t.minimal.start(callId);
        t.send({ event: 'media', media: { payload: '%%%not base64%%%' } });
      },
      code: 1007,
    },
  ];

  it.each(cases)('$name: closed with $code, the emulator keeps serving', async ({ send, code }) => {
    const { sandbox } = await twilioSandbox();
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    send(twilio, newCallId());
    expect((await twilio.closed).code).toBe(code);
    await waitFor(
      () => sandbox.stats().twilioConnections === 0 && sandbox.stats().audioStreams === 0,
      'cleanup',
    );
    // Still serving: a well-behaved stream works afterwards.
    const next = await TwilioSender.connect(sandbox.urls.twilio);
    next.minimal.start(newCallId());
    next.ws.close();
    expect((await next.closed).code).toBe(1005);
  });

  it('an undecodable payload fails the session with error-audio', async () => {
    const { sandbox, client } = await twilioSandbox();
    const callId = newCallId();
    const outcome = client.register({ callId, channel: 'socketio' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.minimal.start(callId);
    twilio.send({ event: 'media', media: { payload: 'not base64!' } });
    expectError(await outcome, 'audio', 'base64');
  });

  it('an encoding other than µ-law (mediaFormat) is error-audio', async () => {
    const { sandbox, client } = await twilioSandbox();
    const callId = newCallId();
    const outcome = client.register({ callId, channel: 'rest' });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.full.start(callId, { mediaFormat: { encoding: 'audio/x-alaw', sampleRate: 8000, channels: 1 } });
    twilio.streamVoice('alice-register');
    expectError(await outcome, 'audio', 'alaw');
  });

  it('a message over the size limit closes the socket (1009)', async () => {
    const { sandbox } = await twilioSandbox({ limits: { maxTwilioMessageBytes: 1024 } });
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.minimal.start(newCallId());
    twilio.minimal.media(new Uint8Array(4096));
    expect((await twilio.closed).code).toBe(1009);
  });

  it('no start in time closes the socket (1008)', async () => {
    const { sandbox } = await twilioSandbox({ timeouts: { twilioStartMs: 100 } });
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    expect(await twilio.closed).toMatchObject({ code: 1008, reason: 'no start message in time' });
    await waitFor(() => sandbox.stats().twilioConnections === 0, 'the socket to go');
  });

  it('a second stream for a call that already has one is refused (1008)', async () => {
    const { sandbox } = await twilioSandbox();
    const callId = newCallId();
    const first = await TwilioSender.connect(sandbox.urls.twilio);
    first.minimal.start(callId);
    await waitFor(() => sandbox.stats().audioStreams === 1, 'the first stream');
    const second = await TwilioSender.connect(sandbox.urls.twilio);
    second.minimal.start(callId);
    expect((await second.closed).code).toBe(1008);
    expect(sandbox.stats().audioStreams).toBe(1);
    first.ws.close();
  });

  it('more streams than the limit are refused at the upgrade (503)', async () => {
    const { sandbox } = await twilioSandbox({ limits: { maxAudioStreams: 1 } });
    const first = await TwilioSender.connect(sandbox.urls.twilio);
    await expect(TwilioSender.connect(sandbox.urls.twilio)).rejects.toThrow(/503/);
    first.ws.close();
  });
});
