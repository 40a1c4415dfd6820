import { afterEach, describe, expect, it } from 'vitest';
import { control, helperClient, restError, startStandIn, stopAll } from './helpers.js';

/*
 * TaskRouter, IAM's Flex token check and the faults, through the real `twilio` helper library where
 * the kit reads them with it, and plain fetch where the kit does (IAM's validate is what
 * twilio-flex-token-validator POSTs).
 */

afterEach(stopAll);

interface Placed {
  callSid: string;
  taskSid: string;
  reservationSid: string;
  workerSid: string;
}

describe('TaskRouter', () => {
  it('a call becomes a voice task reserved to the worker; accepted, it is live; hung up, it wraps', async () => {
    const s = await startStandIn();
    const alice = s.workers[0]!;
    const placed = (
      await control<Placed>(s, 'POST', '/sandbox/calls', { from: '+34600000010', silent: true })
    ).body;
    expect(placed.workerSid).toBe(alice.sid);
    const ws = helperClient(s).taskrouter.v1.workspaces(s.workspaceSid);
    expect(await ws.workers(alice.sid).reservations.list({ reservationStatus: 'accepted' })).toEqual([]);
    const pending = await ws.workers(alice.sid).reservations.list({ reservationStatus: 'pending' });
    expect(pending.map((r) => [r.sid, r.taskSid, r.reservationStatus])).toEqual([
      [placed.reservationSid, placed.taskSid, 'pending'],
    ]);

    expect((await control(s, 'POST', `/sandbox/tasks/${placed.taskSid}/accept`)).status).toBe(200);
    const accepted = await ws.workers(alice.sid).reservations.list({ reservationStatus: 'accepted' });
    expect(accepted.map((r) => r.taskSid)).toEqual([placed.taskSid]);
    const task = await ws.tasks(placed.taskSid).fetch();
    expect(task).toMatchObject({
      sid: placed.taskSid,
      assignmentStatus: 'assigned',
      taskChannelUniqueName: 'voice',
      workspaceSid: s.workspaceSid,
    });
    expect(JSON.parse(task.attributes)).toMatchObject({
      call_sid: placed.callSid,
      from: '+34600000010',
      to: s.phoneNumber,
      direction: 'inbound',
      conference: { participants: { customer: placed.callSid } },
    });

    await helperClient(s).calls(placed.callSid).update({ status: 'completed' });
    expect(await ws.workers(alice.sid).reservations.list({ reservationStatus: 'accepted' })).toEqual([]);
    expect((await ws.tasks(placed.taskSid).fetch()).assignmentStatus).toBe('wrapping');
    const done = await control<{ assignmentStatus: string }>(
      s,
      'POST',
      `/sandbox/tasks/${placed.taskSid}/complete`,
    );
    expect(done.body.assignmentStatus).toBe('completed');
    // Another worker never sees it.
    expect(await ws.workers(s.workers[1]!.sid).reservations.list()).toEqual([]);
  });

  it('lists workers; an unknown worker, task or workspace is 20404; a bad filter is refused', async () => {
    const s = await startStandIn();
    const client = helperClient(s);
    const ws = client.taskrouter.v1.workspaces(s.workspaceSid);
    const workers = await ws.workers.list();
    expect(workers.map((w) => w.friendlyName)).toEqual(s.workers.map((w) => w.identity));
    expect(JSON.parse(workers[0]!.attributes)).toMatchObject({
      contact_uri: `client:${s.workers[0]!.identity}`,
    });
    expect(await restError(ws.tasks(`WT${'0'.repeat(32)}`).fetch())).toMatchObject({
      status: 404,
      code: 20404,
    });
    expect(await restError(ws.workers(`WK${'0'.repeat(32)}`).reservations.list())).toMatchObject({
      status: 404,
      code: 20404,
    });
    expect(
      await restError(client.taskrouter.v1.workspaces(`WS${'0'.repeat(32)}`).workers.list()),
    ).toMatchObject({ status: 404, code: 20404 });
    expect(
      await restError(
        ws.workers(s.workers[0]!.sid).reservations.list({ reservationStatus: 'live' as never }),
      ),
    ).toMatchObject({ status: 400, code: 20001 });
    expect(
      await restError(
        helperClient(s, { authToken: 'nope' }).taskrouter.v1.workspaces(s.workspaceSid).workers.list(),
      ),
    ).toMatchObject({ status: 401, code: 20003 });
  });

  it('a call reserved to another worker and accepted at once; accepting twice is a conflict', async () => {
    const s = await startStandIn();
    const bob = s.workers[1]!;
    const placed = (
      await control<Placed>(s, 'POST', '/sandbox/calls', {
        from: '+34600000011',
        silent: true,
        worker: bob.identity,
        accept: true,
      })
    ).body;
    expect(placed.workerSid).toBe(bob.sid);
    const tasks = await control<{
      tasks: { taskSid: string; assignmentStatus: string; reservationStatus: string }[];
    }>(s, 'GET', `/sandbox/tasks?worker=${bob.identity}`);
    expect(tasks.body.tasks).toEqual([
      expect.objectContaining({
        taskSid: placed.taskSid,
        assignmentStatus: 'assigned',
        reservationStatus: 'accepted',
      }),
    ]);
    expect((await control(s, 'POST', `/sandbox/tasks/${placed.taskSid}/accept`)).status).toBe(409);
    expect(
      (await control(s, 'POST', '/sandbox/calls', { from: '+34600000011', worker: 'nobody' })).body,
    ).toMatchObject({ code: 20001, message: expect.stringContaining('Worker nobody not found') as string });
  });
});

describe('IAM: Flex token check', () => {
  const validate = (s: Awaited<ReturnType<typeof startStandIn>>, body: unknown, token = s.authToken) =>
    fetch(`${s.url}/v1/Accounts/${s.accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${s.accountSid}:${token}`).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    });

  it('a token issued to a worker is valid with its worker_sid and identity until it expires', async () => {
    const s = await startStandIn();
    const issued = await control<{ token: string; workerSid: string; identity: string; expiresAt: string }>(
      s,
      'POST',
      '/sandbox/flex/tokens',
      { worker: s.workers[1]!.identity },
    );
    expect(issued.status).toBe(201);
    expect(issued.body.token.split('.')).toHaveLength(5);
    expect(issued.body).toMatchObject({ workerSid: s.workers[1]!.sid, identity: s.workers[1]!.identity });
    const ok = await validate(s, { token: issued.body.token });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      valid: true,
      worker_sid: s.workers[1]!.sid,
      identity: s.workers[1]!.identity,
      roles: ['agent'],
    });
    expect(
      (await control(s, 'POST', '/sandbox/flex/tokens/expire', { token: issued.body.token })).body,
    ).toEqual({ expired: 1 });
    expect(await (await validate(s, { token: issued.body.token })).json()).toMatchObject({
      valid: false,
      message: expect.stringMatching(/expired/) as string,
    });
    expect(await (await validate(s, { token: 'made.up.token.x.y' })).json()).toMatchObject({ valid: false });
  });

  it('refuses bad Basic auth (20003) and a body without token (20001)', async () => {
    const s = await startStandIn();
    const bad = await validate(s, { token: 'x' }, 'wrong');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 20003 });
    const empty = await validate(s, {});
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 20001 });
  });
});

describe('faults', () => {
  it('a 429 with Retry-After, then a 503, then normal answers; /sandbox is never affected', async () => {
    const s = await startStandIn();
    await control(s, 'POST', '/sandbox/faults', { status: 429, retryAfter: 2 });
    await control(s, 'POST', '/sandbox/faults', { status: 503 });
    expect((await control(s, 'GET', '/sandbox/health')).status).toBe(200);
    const client = helperClient(s);
    const first = await fetch(`${s.url}/2010-04-01/Accounts/${s.accountSid}/Calls.json`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(await first.json()).toMatchObject({ code: 20429, status: 429 });
    expect(await restError(client.calls.list())).toMatchObject({ status: 503, code: 20503 });
    expect(await client.calls.list()).toEqual([]);
    expect((await control(s, 'GET', '/sandbox/faults')).body).toEqual({
      rules: [],
      served: { '429': 1, '503': 1 },
    });
  });

  it('the helper library with autoRetry rides out a 429; a slow reply only waits', async () => {
    const s = await startStandIn();
    await control(s, 'POST', '/sandbox/faults', { status: 429, count: 2, retryAfter: 0 });
    expect(await helperClient(s, {}, true).calls.list()).toEqual([]);
    await control(s, 'POST', '/sandbox/faults', { delayMs: 300 });
    const t0 = Date.now();
    expect(await helperClient(s).calls.list()).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect((await control(s, 'POST', '/sandbox/faults', { status: 418 })).body).toMatchObject({
      code: 20001,
    });
  });
});
