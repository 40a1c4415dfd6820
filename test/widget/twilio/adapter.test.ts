import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WidgetController } from '../../../widget/src/core/controller.js';
import type { DaspeakSession } from '../../../widget/src/core/daspeak/session.js';
import { SignInRequiredError } from '../../../widget/src/core/errors.js';
import type { CredentialStatus } from '../../../widget/src/core/hooks.js';
import { translator } from '../../../widget/src/core/i18n.js';
import { SignInError } from '../../../widget/src/core/platform.js';
import type { WidgetState } from '../../../widget/src/core/state.js';
import { TwilioAdapter } from '../../../widget/src/twilio/adapter.js';
import type { FlexManagerLike, FlexTask } from '../../../widget/src/twilio/flex-types.js';
import { callerOf, customerCallSid } from '../../../widget/src/twilio/task.js';

const CUSTOMER = 'CA0123456789abcdef0123456789abcdef';
const AGENT_LEG = 'CAffffffffffffffffffffffffffffffff';
const OTHER = 'CA11111111111111111111111111111111';

/** A voice task as Flex UI 2 hands it to a component (withTaskContext), live on a conference. */
function voiceTask(over: Partial<FlexTask> = {}): FlexTask {
  return {
    sid: 'WT0123456789abcdef0123456789abcdef',
    taskSid: 'WT0123456789abcdef0123456789abcdef',
    status: 'assigned',
    taskChannelUniqueName: 'voice',
    attributes: {
      call_sid: OTHER,
      from: '+34 600 111 222',
      to: '+34911000000',
      direction: 'inbound',
      conference: { sid: 'CF0', participants: { customer: OTHER, worker: AGENT_LEG } },
    },
    conference: {
      conferenceSid: 'CF0',
      participants: [
        { callSid: AGENT_LEG, participantType: 'worker' },
        { callSid: CUSTOMER, participantType: 'customer' },
      ],
    },
    ...over,
  };
}

/** Flex's Manager as far as the adapter reads it; `events` is an EventEmitter, as Flex's is. */
function manager(token = 'jwe-1'): FlexManagerLike & { events: EventEmitter; user: { token: string } } {
  return {
    user: { token, identity: 'alice' },
    workerClient: {
      sid: 'WK0123456789abcdef0123456789abcdef',
      name: 'alice',
      attributes: { full_name: 'Alice Agent' },
    },
    events: new EventEmitter(),
  };
}

describe('the Flex task gives the call', () => {
  it("call_id is the customer leg's call SID: the live conference first, then the attributes", () => {
    expect(customerCallSid(voiceTask())).toBe(CUSTOMER);
    expect(customerCallSid(voiceTask({ conference: null }))).toBe(OTHER);
    const bare = voiceTask({ conference: null, attributes: { call_sid: CUSTOMER, from: '+34600111222' } });
    expect(customerCallSid(bare)).toBe(CUSTOMER);
  });

  it('no call SID (a chat task, a malformed value): no call', () => {
    expect(customerCallSid(null)).toBeNull();
    expect(customerCallSid({ attributes: { call_sid: 'not-a-sid', from: 'x' } })).toBeNull();
    const adapter = new TwilioAdapter({ task: { attributes: { from: 'alice@chat' } }, manager: manager() });
    expect(adapter.callId).toBeNull();
  });

  it('the caller is `from` (else `caller`), handed to the core as given', async () => {
    expect(callerOf(voiceTask())).toBe('+34 600 111 222');
    expect(callerOf({ attributes: { caller: 'client:bob' } })).toBe('client:bob');
    expect(callerOf({ attributes: {} })).toBeNull();
    const adapter = new TwilioAdapter({ task: voiceTask(), manager: manager() });
    expect(await adapter.readCall()).toEqual({ callId: CUSTOMER, callerNumber: '+34 600 111 222' });
  });
});

describe("the agent's token is Flex's", () => {
  it('manager.user.token goes to utils.js and the relay handshake; the agent is the worker', async () => {
    const m = manager('jwe-1');
    const adapter = new TwilioAdapter({ task: voiceTask(), manager: m });
    expect(await adapter.signIn(false)).toEqual({
      id: 'WK0123456789abcdef0123456789abcdef',
      name: 'Alice Agent',
    });
    expect(adapter.hookSession()).toEqual({ accessToken: 'jwe-1', conversationId: CUSTOMER });
    expect(adapter.relayAuth()).toEqual({ token: 'jwe-1', conversationId: CUSTOMER });
  });

  it("the manager's tokenUpdated event renews it and tells the core; dispose stops listening", () => {
    const m = manager('jwe-1');
    const adapter = new TwilioAdapter({ task: voiceTask(), manager: m });
    let told = 0;
    adapter.onSessionChange(() => told++);
    m.events.emit('tokenUpdated', { token: 'jwe-2', expiration: Date.now() + 3600_000 });
    expect(adapter.relayAuth().token).toBe('jwe-2');
    expect(told).toBe(1);
    m.events.emit('tokenUpdated', { token: 'jwe-2' });
    expect(told).toBe(1);
    adapter.dispose();
    expect(m.events.listenerCount('tokenUpdated')).toBe(0);
  });

  it('a refused token: sign-in waits for Flex to renew it, and the refused one does not count', async () => {
    const m = manager('jwe-1');
    const adapter = new TwilioAdapter({ task: voiceTask(), manager: m, renewalWaitMs: 5_000 });
    adapter.tokenRefused();
    expect(adapter.relayAuth().token).toBe('');
    const signedIn = adapter.signIn(true);
    m.events.emit('tokenUpdated', { token: 'jwe-1' });
    m.events.emit('tokenUpdated', { token: 'jwe-3' });
    await expect(signedIn).resolves.toMatchObject({ id: 'WK0123456789abcdef0123456789abcdef' });
    expect(adapter.hookSession().accessToken).toBe('jwe-3');
  });

  it('Flex never renews it: sign-in fails with a reason the agent can act on', async () => {
    const adapter = new TwilioAdapter({ task: voiceTask(), manager: manager(), renewalWaitMs: 20 });
    adapter.tokenRefused();
    const failure = await adapter.signIn(true).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SignInError);
    expect((failure as SignInError).reason).toBe('refused');
    expect((failure as SignInError).message).toMatch(/reload Flex/);
  });

  it('no manager at all is a configuration error naming the fix', async () => {
    const adapter = new TwilioAdapter({ task: voiceTask(), manager: {} });
    await expect(adapter.signIn(false)).rejects.toMatchObject({
      kind: 'configuration',
      code: 'twilio.no_manager',
    });
  });
});

/** The core's controller on the Twilio adapter, with utils.js hooks that record what they get. */
function controllerOn(adapter: TwilioAdapter, status: () => Promise<CredentialStatus>) {
  const sessions: { accessToken?: string | null; conversationId?: string | null }[] = [];
  const states: WidgetState[] = [];
  const hooks = {
    setSession: (s: { accessToken?: string | null; conversationId?: string | null }) => sessions.push(s),
    getCredentialStatus: status,
    deleteCredential: async () => true,
    onResponse: () => undefined,
  };
  const controller = new WidgetController({
    adapter,
    config: {
      signalling: 'relay',
      relay: { url: 'http://127.0.0.1:1', registerNamespace: '/register', verifyNamespace: '/verify' },
    },
    hooks,
    i18n: translator('en'),
    createSession: (): DaspeakSession => {
      throw new Error('no das-Peak session in this test');
    },
    onChange: (s) => states.push(s),
    log: () => undefined,
  });
  return { controller, sessions, states };
}

describe('the core on Flex', () => {
  it('reads the caller from the task and hands utils.js the Flex token and the call SID', async () => {
    const adapter = new TwilioAdapter({ task: voiceTask(), manager: manager('jwe-1') });
    const { controller, sessions } = controllerOn(adapter, async () => ({
      registered: true,
      ani: '+34600111222',
    }));
    await controller.start();
    expect(controller.state.phase.name).toBe('ready');
    expect(controller.state.call).toMatchObject({ callId: CUSTOMER, ani: '+34600111222', registered: true });
    expect(sessions).toEqual([{ accessToken: 'jwe-1', conversationId: CUSTOMER }]);
  });

  it('token refused by the backend, then renewed by Flex: the widget goes on by itself', async () => {
    const m = manager('jwe-1');
    const adapter = new TwilioAdapter({ task: voiceTask(), manager: m });
    let calls = 0;
    const { controller, sessions } = controllerOn(adapter, async () => {
      calls++;
      if (calls === 1) throw new SignInRequiredError('auth.invalid_token', 'expired');
      return { registered: false };
    });
    await controller.start();
    expect(controller.state.phase).toEqual({ name: 'sign-in-needed', reason: 'expired' });
    m.events.emit('tokenUpdated', { token: 'jwe-2' });
    await expect.poll(() => controller.state.phase.name).toBe('ready');
    expect(sessions.at(-1)).toEqual({ accessToken: 'jwe-2', conversationId: CUSTOMER });
    // Later renewals reach utils.js too, without a restart.
    m.events.emit('tokenUpdated', { token: 'jwe-3' });
    await expect.poll(() => sessions.at(-1)?.accessToken).toBe('jwe-3');
    expect(controller.state.phase.name).toBe('ready');
    controller.dispose();
  });

  it('a task without a customer call shows no call', async () => {
    const adapter = new TwilioAdapter({ task: { attributes: { from: 'web' } }, manager: manager() });
    const { controller } = controllerOn(adapter, async () => ({ registered: false }));
    await controller.start();
    expect(controller.state.phase.name).toBe('no-call');
  });
});
