import { afterEach, describe, expect, it } from 'vitest';
import { createDaspeakClient } from '../../../src/daspeak/index.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../../src/sandbox/daspeak/index.js';
import { sandboxKitConfig } from '../../../src/simulate/index.js';
import { control, helperClient, startStandIn, stopAll, waitFor } from './helpers.js';

/*
 * Calls through the stand-in to the das-Peak emulator's Twilio Media Streams consumer: the caller's
 * voice streams over a real WebSocket, and das-Peak sessions (audio_protocol twilio, call_id = call
 * SID) register and verify it over Socket.IO.
 */

let daspeak: DaspeakSandbox | undefined;
afterEach(async () => {
  await stopAll();
  await daspeak?.stop();
  daspeak = undefined;
});

async function stack() {
  daspeak = await startDaspeakSandbox({ host: '127.0.0.1', port: 0, analysisWorkers: 0 });
  const standIn = await startStandIn({ mediaStreamUrl: daspeak.urls.twilio });
  const client = createDaspeakClient(sandboxKitConfig({ host: daspeak.host, port: daspeak.port }).daspeak, {
    audioProtocol: 'twilio',
  });
  return { standIn, client, daspeak };
}

interface Placed {
  callSid: string;
}

describe('calls stream to das-Peak', () => {
  it('registers a caller, then verifies them on a second call; das-Peak closes each stream once it has enough', async () => {
    const { standIn, client } = await stack();
    const first = (
      await control<Placed>(standIn, 'POST', '/sandbox/calls', {
        from: '+34600000020',
        voice: 'alice-register',
        speed: 20,
      })
    ).body;
    const registered = await client.register({ callId: first.callSid, channel: 'socketio' });
    expect(registered.kind).toBe('registered');
    if (registered.kind !== 'registered') return;
    await waitFor(
      () => standIn.state.streams.size === 1 && [...standIn.state.streams.values()][0]!.status === 'stopped',
      'the stream to stop',
    );
    const stream = [...standIn.state.streams.values()][0]!;
    expect(stream.socket).toMatchObject({ connected: true, closedBy: 'server', closeCode: 1000 });
    // The call goes on without its stream, until someone hangs up.
    expect((await helperClient(standIn).calls(first.callSid).fetch()).status).toBe('in-progress');
    await helperClient(standIn).calls(first.callSid).update({ status: 'completed' });

    const second = (
      await control<Placed>(standIn, 'POST', '/sandbox/calls', {
        from: '+34600000020',
        voice: 'alice-verify-1',
        speed: 20,
      })
    ).body;
    const verified = await client.verify({
      callId: second.callSid,
      channel: 'socketio',
      credential: registered.credential,
    });
    expect(verified.kind).toBe('verified');
  });

  it('a caller who speaks again: the second utterance reaches a session started after the first one ended', async () => {
    const { standIn, client } = await stack();
    const placed = (
      await control<Placed>(standIn, 'POST', '/sandbox/calls', {
        from: '+34600000021',
        audio: { tone: { seconds: 0.3 } },
        speed: 'max',
      })
    ).body;
    await waitFor(
      () => [...standIn.state.streams.values()].some((s) => s.socket.mediaSent === 15),
      'the tone',
    );
    const outcome = client.register({ callId: placed.callSid, channel: 'socketio' });
    const spoke = await control(standIn, 'POST', `/sandbox/calls/${placed.callSid}/speak`, {
      voice: 'bruno-register',
    });
    expect(spoke.status).toBe(200);
    expect((await outcome).kind).toBe('registered');
  });

  it('a stream started by REST on a live call reaches das-Peak with the call SID', async () => {
    const { standIn, client, daspeak: d } = await stack();
    const placed = (
      await control<Placed>(standIn, 'POST', '/sandbox/calls', {
        from: '+34600000022',
        silent: true,
        speed: 20,
      })
    ).body;
    // The number's TwiML streamed already; stop that stream so only the REST-started one carries the voice.
    const twimlStream = [...standIn.state.streams.values()][0]!;
    await helperClient(standIn).calls(placed.callSid).streams(twimlStream.sid).update({ status: 'stopped' });
    const stream = await helperClient(standIn)
      .calls(placed.callSid)
      .streams.create({ url: d.urls.twilio, name: 'rest' });
    expect(stream.status).toBe('in-progress');
    const outcome = client.register({ callId: placed.callSid, channel: 'socketio' });
    await control(standIn, 'POST', `/sandbox/calls/${placed.callSid}/speak`, { voice: 'chen-register' });
    expect((await outcome).kind).toBe('registered');
    await waitFor(
      () => standIn.calls.streamsOf(placed.callSid).every((s) => s.status === 'stopped'),
      'both streams stopped',
    );
    expect(standIn.calls.streamsOf(placed.callSid).map((s) => [s.origin, s.socket.mediaSent > 0])).toEqual([
      ['twiml', false],
      ['rest', true],
    ]);
  });

  it("speaking on an ended call or an unknown one is refused in Twilio's shape", async () => {
    const { standIn } = await stack();
    const placed = (
      await control<Placed>(standIn, 'POST', '/sandbox/calls', { from: '+34600000023', silent: true })
    ).body;
    await control(standIn, 'POST', `/sandbox/calls/${placed.callSid}/hangup`);
    const ended = await control(standIn, 'POST', `/sandbox/calls/${placed.callSid}/speak`, {
      voice: 'alice-register',
    });
    expect(ended).toMatchObject({ status: 400, body: { code: 21220 } });
    const unknown = await control(standIn, 'POST', `/sandbox/calls/CA${'0'.repeat(32)}/speak`, {
      voice: 'alice-register',
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 20404 } });
    const badVoice = await control(standIn, 'POST', '/sandbox/calls', {
      from: '+34600000023',
      voice: 'nobody-register',
    });
    expect(badVoice).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(String((badVoice.body as { message: string }).message)).toMatch(/Voice nobody-register not found/);
    const badFrom = await control(standIn, 'POST', '/sandbox/calls', { from: '600000000' });
    expect(badFrom).toMatchObject({ status: 400, body: { code: 20001 } });
  });

  it('a Media Streams server that cannot be reached: the call goes on, the stream is stopped with the reason', async () => {
    const standIn = await startStandIn({ mediaStreamUrl: 'ws://127.0.0.1:1/twilio/ws' });
    const placed = (
      await control<Placed>(standIn, 'POST', '/sandbox/calls', {
        from: '+34600000024',
        voice: 'alice-register',
        speed: 'max',
      })
    ).body;
    await waitFor(() => [...standIn.state.streams.values()][0]?.status === 'stopped', 'the stream to fail');
    const report = await control<{ status: string; streams: { socket: { error?: string } }[] }>(
      standIn,
      'GET',
      `/sandbox/calls/${placed.callSid}`,
    );
    expect(report.body.status).toBe('in-progress');
    expect(report.body.streams[0]!.socket.error).toMatch(/ECONNREFUSED/);
  });
});
