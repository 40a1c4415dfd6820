import { describe, expect, it } from 'vitest';
import {
  callOfAttributes,
  liveCallOfWorker,
  liveCallsOfWorker,
  parseTaskAttributes,
} from '../../src/twilio/tasks.js';
import type { TwilioError } from '../../src/twilio/errors.js';
import { clientOn, control, placeCall, rejectionOf, useStandIn } from './helpers.js';

const standIn = useStandIn();

describe('liveCallsOfWorker against the stand-in', () => {
  it('a reserved task is not yet a live call; accepted, it is; hung up, it is no more', async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const [alex, sam] = s.workers;
    const call = await placeCall(s, '+34600000003', { worker: alex!.identity });
    expect(await liveCallsOfWorker(client, s.workspaceSid, alex!.sid)).toEqual([]);

    await control(s, 'POST', `/sandbox/tasks/${call.taskSid}/accept`);
    expect(await liveCallsOfWorker(client, s.workspaceSid, alex!.sid)).toEqual([
      {
        taskSid: call.taskSid,
        reservationSid: call.reservationSid,
        callSid: call.callSid,
        from: '+34600000003',
        to: s.phoneNumber,
      },
    ]);
    expect(await liveCallsOfWorker(client, s.workspaceSid, sam!.sid)).toEqual([]);
    expect((await liveCallOfWorker(client, s.workspaceSid, alex!.sid, call.callSid))?.from).toBe(
      '+34600000003',
    );
    expect(await liveCallOfWorker(client, s.workspaceSid, sam!.sid, call.callSid)).toBeUndefined();

    await control(s, 'POST', `/sandbox/calls/${call.callSid}/hangup`);
    expect(await liveCallsOfWorker(client, s.workspaceSid, alex!.sid)).toEqual([]);
  });

  it('several calls of one worker, accepted at once', async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const worker = s.workers[1]!;
    const a = await placeCall(s, '+34600000004', { worker: worker.identity, accept: true });
    const b = await placeCall(s, '+34600000005', { worker: worker.identity, accept: true });
    const live = await liveCallsOfWorker(client, s.workspaceSid, worker.sid);
    expect(live.map((c) => c.callSid).sort()).toEqual([a.callSid, b.callSid].sort());
  });

  it("an unknown worker: Twilio's 20404; malformed SIDs are refused before a request", async () => {
    const s = await standIn();
    const { client } = clientOn(s);
    const e = (await rejectionOf(
      liveCallsOfWorker(client, s.workspaceSid, `WK${'0'.repeat(32)}`),
    )) as TwilioError;
    expect(e).toMatchObject({ code: 'twilio.not_found', twilioCode: 20404 });
    const bad = (await rejectionOf(liveCallsOfWorker(client, s.workspaceSid, 'alex'))) as TwilioError;
    expect(bad).toMatchObject({ code: 'twilio.bad_sid', message: '"alex" is not a worker SID' });
  });
});

describe('task attributes', () => {
  const CUSTOMER = `CA${'c'.repeat(32)}`;
  const LEG = `CA${'d'.repeat(32)}`;

  it('the customer leg of the conference wins over call_sid (the agent leg after a transfer)', () => {
    const attrs = parseTaskAttributes(
      JSON.stringify({
        call_sid: LEG,
        from: '+34600000006',
        conference: { participants: { customer: CUSTOMER, worker: LEG } },
      }),
    );
    expect(callOfAttributes(attrs!)).toEqual({ callSid: CUSTOMER, from: '+34600000006', to: undefined });
  });

  it('call_sid and caller when there is no conference yet', () => {
    const attrs = parseTaskAttributes(
      JSON.stringify({ call_sid: LEG, caller: '+34600000007', to: '+15005550006' }),
    );
    expect(callOfAttributes(attrs!)).toEqual({ callSid: LEG, from: '+34600000007', to: '+15005550006' });
  });

  it('no call SID, or attributes that are not an object: no call', () => {
    expect(callOfAttributes(parseTaskAttributes('{"from":"+34600000008"}')!)).toBeUndefined();
    expect(callOfAttributes(parseTaskAttributes('{"call_sid":"CA1"}')!)).toBeUndefined();
    expect(parseTaskAttributes('not json')).toBeUndefined();
    expect(parseTaskAttributes('[1]')).toBeUndefined();
    expect(parseTaskAttributes('{"from": 5}')).toBeUndefined();
  });
});
