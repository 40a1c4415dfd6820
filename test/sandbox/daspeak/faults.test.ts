import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TwilioSender,
  audiohookCall,
  clientFor,
  newCallId,
  startSandbox,
  stopAll,
  waitFor,
} from './helpers.js';

/*
 * Deterministic outcomes and fault knobs (reference §8 DESIGN hooks and the emulator's options), so
 * tests of the rest of the kit can get every outcome without depending on what a voice scores.
 */

afterEach(stopAll);

/** Registers a real credential first (verify needs one). */
async function credentialOf(sandbox: Awaited<ReturnType<typeof startSandbox>>): Promise<string> {
  const callId = newCallId();
  const [outcome] = await Promise.all([
    clientFor(sandbox).register({ callId, channel: 'rest' }),
    audiohookCall(sandbox, callId, 'alice-register'),
  ]);
  if (outcome.kind !== 'registered') throw new Error(JSON.stringify(outcome));
  return outcome.credential;
}

/** A session whose call_id Genesys cannot carry as conversationId: the customConfig override does. */
function runWith(
  sandbox: Awaited<ReturnType<typeof startSandbox>>,
  callId: string,
  voice: Parameters<typeof audiohookCall>[2],
) {
  return audiohookCall(sandbox, randomUUID(), voice, { customConfig: { call_id: callId } });
}

describe('call_id prefixes (DESIGN test hooks)', () => {
  it('spoof- → fail-spoof, lowscore- → fail-score, daspeakerr- → error-das-Peak, whatever the voice', async () => {
    const sandbox = await startSandbox();
    const credential = await credentialOf(sandbox);
    const client = clientFor(sandbox);
    const cases = [
      { callId: newCallId('spoof-'), voice: 'alice-verify-1', op: 'verify', kind: 'spoof' },
      { callId: newCallId('lowscore-'), voice: 'alice-verify-2', op: 'verify', kind: 'no-match' },
      { callId: newCallId('daspeakerr-'), voice: 'bruno-verify-1', op: 'verify', kind: 'error' },
      { callId: newCallId('spoof-'), voice: 'bruno-register', op: 'register', kind: 'spoof' },
      { callId: newCallId('daspeakerr-'), voice: 'chen-register', op: 'register', kind: 'error' },
      // A registration has no score: lowscore- does not apply to it.
      { callId: newCallId('lowscore-'), voice: 'dora-register', op: 'register', kind: 'registered' },
    ] as const;
    for (const c of cases) {
      const session =
        c.op === 'verify'
          ? client.verify({ callId: c.callId, channel: 'socketio', credential })
          : client.register({ callId: c.callId, channel: 'rest' });
      const [outcome] = await Promise.all([session, runWith(sandbox, c.callId, c.voice)]);
      expect(outcome, JSON.stringify(c)).toMatchObject({ kind: c.kind });
      if (c.kind === 'error') expect(outcome).toMatchObject({ code: 'das-Peak' });
      if (c.kind === 'no-match') expect((outcome as { score: number }).score).toBeLessThan(0.5);
    }
  });
});

describe('fault knobs', () => {
  it('forcedOutcomes per call win over forcedOutcome, which applies to every other call', async () => {
    const sandbox = await startSandbox({ timeouts: { consumerReadyMs: 5000 } });
    const credential = await credentialOf(sandbox);
    const special = newCallId();
    sandbox.setFaults({ forcedOutcome: 'fail-score', forcedOutcomes: { [special]: 'error-audio' } });
    const client = clientFor(sandbox);
    const other = newCallId();
    const [a, b] = await Promise.all([
      client.verify({ callId: other, channel: 'rest', credential }),
      client.verify({ callId: special, channel: 'socketio', credential }),
      runWith(sandbox, other, 'alice-verify-1'),
      runWith(sandbox, special, 'alice-verify-2'),
    ]);
    expect(a).toMatchObject({ kind: 'no-match' });
    expect(b).toMatchObject({ kind: 'error', code: 'audio' });
  });

  it('a forced success still needs audio, and gives a real credential', async () => {
    const sandbox = await startSandbox({ faults: { forcedOutcome: 'success' } });
    const callId = newCallId();
    const [outcome] = await Promise.all([
      clientFor(sandbox).register({ callId, channel: 'socketio' }),
      audiohookCall(sandbox, callId, 'chen-register'),
    ]);
    expect(outcome.kind).toBe('registered');
  });

  it('latency knobs slow answers down without changing them', async () => {
    const sandbox = await startSandbox({
      faults: { restLatencyMs: 30, tokenLatencyMs: 30, resultLatencyMs: 50 },
    });
    const callId = newCallId();
    const [outcome] = await Promise.all([
      clientFor(sandbox).register({ callId, channel: 'rest' }),
      audiohookCall(sandbox, callId, 'bruno-register'),
    ]);
    expect(outcome.kind).toBe('registered');
    const viaSocket = newCallId();
    const [other] = await Promise.all([
      clientFor(sandbox).register({ callId: viaSocket, channel: 'socketio' }),
      audiohookCall(sandbox, viaSocket, 'dora-register'),
    ]);
    expect(other.kind).toBe('registered');
  });

  it.each(['after-initialize', 'after-consumer-ready'] as const)(
    'dropSignalling %s: the client sees a lost connection, the session is cancelled',
    async (when) => {
      const sandbox = await startSandbox({ faults: { dropSignalling: when } });
      const callId = newCallId();
      const [outcome] = await Promise.all([
        clientFor(sandbox).register({ callId, channel: 'socketio' }),
        audiohookCall(sandbox, callId, 'alice-register'),
      ]);
      expect(outcome).toMatchObject({ kind: 'error', code: 'connection' });
      await waitFor(() => sandbox.stats().sessions === 0, 'the session to go');
    },
  );

  it('dropTwilioAfterSeconds: the audio socket dies, the session fails with error-audio', async () => {
    const sandbox = await startSandbox({ faults: { dropTwilioAfterSeconds: 1 } });
    const callId = newCallId();
    const outcome = clientFor(sandbox, {}, { audioProtocol: 'twilio' }).register({
      callId,
      channel: 'socketio',
    });
    await waitFor(() => sandbox.stats().liveSessions === 1, 'the session');
    const twilio = await TwilioSender.connect(sandbox.urls.twilio);
    twilio.minimal.start(callId);
    twilio.streamVoice('alice-register', 'minimal');
    expect((await twilio.closed).code).toBe(1006);
    expect(await outcome).toMatchObject({ kind: 'error', code: 'audio' });
  });

  it('restCreateStatus: session creation answers with that status (kit outcome das-Peak for 5xx)', async () => {
    const sandbox = await startSandbox({ faults: { restCreateStatus: 503 } });
    const outcome = await clientFor(sandbox).register({ callId: newCallId(), channel: 'rest' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'das-Peak', upstreamStatus: 503 });
  });

  it('refuses fault knobs it cannot apply', async () => {
    await expect(startSandbox({ faults: { restCreateStatus: 200 } })).rejects.toMatchObject({
      code: 'sandbox.daspeak_bad_options',
    });
    const sandbox = await startSandbox();
    expect(() => sandbox.setFaults({ resultLatencyMs: -1 })).toThrow(/resultLatencyMs/);
  });
});
