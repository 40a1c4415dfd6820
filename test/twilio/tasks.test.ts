import { describe, expect, it } from 'vitest';
import {
  callOfAttributes,
  liveCallOfWorker,
  liveCallsOfWorker,
  parseTaskAttributes,
} from '../../src/twilio/tasks.js';
import type { TwilioError } from '../../src/twilio/errors.js';
import { createTwilioClient } from '../../src/twilio/client.js';
import { clientOn, control, placeCall, rejectionOf, useRawServer, useStandIn } from './helpers.js';

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

describe('liveCallsOfWorker keeps only assigned voice tasks with a call (TaskRouter shapes from a raw server)', () => {
  const WS = `WS${'1'.repeat(32)}`;
  const WK = `WK${'2'.repeat(32)}`;
  const sid = (p: string, n: number) => `${p}${String(n).repeat(32)}`;
  const tasks: Record<string, { channel: string; status: string; attributes: Record<string, unknown> }> = {
    [sid('WT', 3)]: {
      channel: 'voice',
      status: 'assigned',
      attributes: { call_sid: sid('CA', 3), from: '+34600000013' },
    },
    [sid('WT', 4)]: {
      channel: 'voice',
      status: 'wrapping',
      attributes: { call_sid: sid('CA', 4), from: '+34600000014' },
    },
    [sid('WT', 5)]: {
      channel: 'chat',
      status: 'assigned',
      attributes: { call_sid: sid('CA', 5), from: 'web' },
    },
    [sid('WT', 6)]: { channel: 'voice', status: 'assigned', attributes: { from: '+34600000016' } },
  };
  const raw = useRawServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    res.setHeader('Content-Type', 'application/json');
    if (path === `/v1/Workspaces/${WS}/Workers/${WK}/Reservations`) {
      const url = `https://taskrouter.twilio.com${path}?ReservationStatus=accepted&PageSize=50&Page=0`;
      res.end(
        JSON.stringify({
          reservations: Object.keys(tasks).map((t, i) => ({
            sid: sid('WR', i + 3),
            task_sid: t,
            worker_sid: WK,
            workspace_sid: WS,
            reservation_status: 'accepted',
            account_sid: sid('AC', 7),
          })),
          meta: {
            page: 0,
            page_size: 50,
            first_page_url: url,
            previous_page_url: null,
            url,
            next_page_url: null,
            key: 'reservations',
          },
        }),
      );
      return;
    }
    const t = tasks[path.split('/').pop() ?? ''];
    if (!t) {
      res.statusCode = 404;
      res.end(
        JSON.stringify({
          code: 20404,
          message: 'not found',
          more_info: 'https://www.twilio.com/docs/errors/20404',
          status: 404,
        }),
      );
      return;
    }
    res.end(
      JSON.stringify({
        sid: path.split('/').pop(),
        workspace_sid: WS,
        assignment_status: t.status,
        task_channel_unique_name: t.channel,
        attributes: JSON.stringify(t.attributes),
      }),
    );
  });

  it('a wrapping task, a chat task and a voice task without a call SID are not live calls', async () => {
    const { url } = await raw();
    const client = createTwilioClient({ accountSid: sid('AC', 7), authToken: 't', apiBaseUrl: url });
    expect(await liveCallsOfWorker(client, WS, WK)).toEqual([
      {
        taskSid: sid('WT', 3),
        reservationSid: sid('WR', 3),
        callSid: sid('CA', 3),
        from: '+34600000013',
        to: undefined,
      },
    ]);
  });
});
