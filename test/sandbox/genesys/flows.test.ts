import platformClient from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { adminSdk, adminToken, call, sdkFailure, startSandbox, type SdkClient } from './helpers.js';

const running: GenesysSandbox[] = [];
async function start(options: Parameters<typeof startSandbox>[0] = {}) {
  const s = await startSandbox(options);
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

const MODULE = `commonModule:
  name: VB Verify Module
  division: Home
  description: verifies the caller
  variables:
    - stringVariable:
        name: Common.ani
        isInput: true
        isOutput: false
    - stringVariable:
        name: Common.decision
        isInput: false
        isOutput: true
  tasks:
    - task:
        name: Main
        refId: main
        actions:
          - callData:
              name: Verify caller
              category:
                Voice Biometrics:
                  dataAction:
                    VB Verify Caller:
                      inputs:
                        conversationId:
                          exp: Call.ConversationId
                        ani:
                          exp: Common.ani
                      successOutputs:
                        decision:
                          var: Common.decision
              outputs:
                success:
                  actions: []
                failure:
                  actions: []
`;

const inbound = (extra = '') => `inboundCall:
  name: VB IVR
  division: Home
  defaultLanguage: en-us
  supportedLanguages:
    en-us:
      defaultLanguageSkill:
        noValue: true
  startUpRef: ./tasks/task[main]
  initialGreeting:
    exp: ToAudioBlank(1)
  tasks:
    - task:
        name: Main
        refId: main
        variables:
          - stringVariable:
              name: Task.Decision
              initialValue:
                noValue: true
        actions:
          - audioMonitoring:
              name: Monitor
              enableMonitoring:
                lit: true
          - callCommonModule:
              name: Verify
              commonModule:
                VB Verify Module:
                  ver_latestPublished:
                    inputs:
                      Common.ani:
                        exp: Call.Ani
                    outputs:
                      Common.decision:
                        var: Task.Decision
          - transferToAcd:
              targetQueue:
                lit:
                  name: Support
${extra}          - disconnect:
              none: true
`;

async function setUpAction(s: GenesysSandbox) {
  const token = await adminToken(s);
  const integration = await call<{ id: string }>(s, token, 'POST', '/api/v2/integrations', {
    name: 'Voice Biometrics',
    integrationType: { id: 'custom-rest-actions' },
  });
  const res = await call(s, token, 'POST', '/api/v2/integrations/actions', {
    name: 'VB Verify Caller',
    category: 'Voice Biometrics',
    integrationId: integration.body.id,
    config: { request: { requestUrlTemplate: 'https://vb.example.com/verify', requestType: 'POST' } },
    contract: {
      input: {
        inputSchema: {
          type: 'object',
          properties: { conversationId: { type: 'string' }, ani: { type: 'string' } },
        },
      },
      output: { successSchema: { type: 'object', properties: { decision: { type: 'string' } } } },
    },
  });
  expect(res.status).toBe(200);
}

interface JobOutcome {
  statuses: string[];
  job: Awaited<ReturnType<platformClient.ArchitectApi['getFlowsJob']>>;
}

/** The Terraform route: register a job, PUT the YAML with the returned headers, poll until done. */
async function publish(client: SdkClient, yaml: string): Promise<JobOutcome> {
  const architect = new platformClient.ArchitectApi(client);
  const registered = await architect.postFlowsJobs();
  const statuses = [(await architect.getFlowsJob(registered.id!, {})).status!];
  const upload = await fetch(registered.presignedUrl!, {
    method: 'PUT',
    headers: registered.headers,
    body: yaml,
  });
  expect(upload.status).toBe(200);
  for (let i = 0; i < 10; i++) {
    const job = await architect.getFlowsJob(registered.id!, { expand: ['messages'] });
    statuses.push(job.status!);
    if (job.status === 'Success' || job.status === 'Failure') return { statuses, job };
  }
  throw new Error('the job never finished');
}

describe('Architect flows jobs', () => {
  it('publishes a common module and an inbound flow through Registered → Started → Success', async () => {
    const s = await start();
    await setUpAction(s);
    const client = await adminSdk(s);
    const module = await publish(client, MODULE);
    expect(module.statuses).toEqual(['Registered', 'Started', 'Success']);
    expect(module.job.command).toBe('Publish');
    const ivr = await publish(client, inbound());
    expect(ivr.job.status).toBe('Success');
    const architect = new platformClient.ArchitectApi(client);
    const flows = await architect.getFlows({ name: 'VB IVR', type: ['inboundcall'] });
    expect(flows.entities).toHaveLength(1);
    const flow = flows.entities![0]!;
    expect(flow).toMatchObject({ id: ivr.job.flow?.id, type: 'INBOUNDCALL', division: { name: 'Home' } });
    expect(flow.publishedVersion?.id).toBe('1.0');
    expect(s.state.flows.find((f) => f.id === flow.id)?.audioMonitoring).toBe(true);

    const again = await publish(client, inbound());
    expect(again.job.flow?.id).toBe(flow.id);
    expect((await architect.getFlow(flow.id!)).publishedVersion?.id).toBe('2.0');
    expect((await architect.getFlows({ type: ['commonmodule'] })).entities!.map((f) => f.name)).toEqual([
      'VB Verify Module',
    ]);
    expect((await architect.getFlows({ name: 'vb*' })).total).toBe(2);
  });

  const failures: [string, string, RegExp][] = [
    ['a YAML syntax error', 'inboundCall:\n  name: [unclosed\n', /YAML syntax error/],
    ['an unknown flow type', 'inboundPhoneCall:\n  name: X\n', /Unknown flow type 'inboundPhoneCall'/],
    [
      'two top-level keys',
      'inboundCall:\n  name: X\ncommonModule:\n  name: Y\n',
      /exactly one top-level key/,
    ],
    ['a missing name', MODULE.replace('  name: VB Verify Module\n', ''), /commonModule.name is required/],
    [
      'an unknown division',
      MODULE.replace('division: Home', 'division: Sales Floor'),
      /Division 'Sales Floor' not found/,
    ],
    [
      'a data action that does not exist',
      MODULE.replace('VB Verify Caller:', 'VB Verify Callr:'),
      /Unable to find a published data action named 'VB Verify Callr' in category 'Voice Biometrics'/,
    ],
    [
      'a data action input the contract lacks',
      MODULE.replace('ani:\n', 'phone:\n'),
      /has no input named 'phone'/,
    ],
    [
      'a success output the contract lacks',
      MODULE.replace('decision:\n                          var', 'verdict:\n                          var'),
      /has no success output named 'verdict'/,
    ],
    [
      'an unresolved placeholder',
      MODULE.replace('VB Verify Module', '{{module_name}}'),
      /Unresolved substitution \{\{module_name\}\}/,
    ],
    [
      'a common module calling a common module',
      `${MODULE}          - callCommonModule:\n              name: nested\n              commonModule:\n                Other:\n                  ver_latestPublished: {}\n`,
      /A common module cannot call another common module/,
    ],
  ];

  it.each(failures)('fails the job on %s, with the reason in messages', async (_name, yaml, message) => {
    const s = await start();
    await setUpAction(s);
    const { job } = await publish(await adminSdk(s), yaml);
    expect(job.status).toBe('Failure');
    expect(job.flow).toBeUndefined();
    expect(job.messages!.map((m) => m.text).join('\n')).toMatch(message);
    expect(job.messages![0]!.type).toBe('ERROR');
    expect(s.state.flows).toHaveLength(0);
  });

  const inboundFailures: [string, string, RegExp][] = [
    ['a common module that is not published', inbound(), /Common module 'VB Verify Module' is not published/],
    [
      'a queue that does not exist',
      inbound().replace('name: Support', 'name: Billing'),
      /Queue 'Billing' not found/,
    ],
    [
      'a missing startUpRef',
      inbound().replace('  startUpRef: ./tasks/task[main]\n', ''),
      /startUpRef is required/,
    ],
    ['a startUpRef to nowhere', inbound().replace('task[main]', 'task[start]'), /does not point at a task/],
    [
      'a default language not supported',
      inbound().replace('defaultLanguage: en-us', 'defaultLanguage: es-es'),
      /not one of supportedLanguages/,
    ],
  ];

  it.each(inboundFailures)('fails an inbound flow with %s', async (_name, yaml, message) => {
    const s = await start();
    await setUpAction(s);
    const client = await adminSdk(s);
    if (!/not published/.test(message.source))
      expect((await publish(client, MODULE)).job.status).toBe('Success');
    const { job } = await publish(client, yaml);
    expect(job.status).toBe('Failure');
    expect(job.messages!.map((m) => m.text).join('\n')).toMatch(message);
  });

  it("fails the job on an undeclared variable, with the kit validator's file:line:col message", async () => {
    const s = await start();
    await setUpAction(s);
    const client = await adminSdk(s);
    await publish(client, MODULE);
    const { job } = await publish(client, inbound().replace('var: Task.Decision', 'var: Task.Undeclared'));
    expect(job.status).toBe('Failure');
    expect(job.messages!.map((m) => m.text).join('\n')).toMatch(
      /^flow\.yaml:\d+:\d+ Task\.Undeclared is not declared/m,
    );
  });

  it('fails on common module inputs and outputs the module does not declare', async () => {
    const s = await start();
    await setUpAction(s);
    const client = await adminSdk(s);
    await publish(client, MODULE);
    const { job } = await publish(client, inbound().replace('Common.ani:', 'Common.phone:'));
    expect(job.messages!.map((m) => m.text)).toEqual([
      "Common module 'VB Verify Module' has no input named 'Common.phone'",
    ]);
  });

  it('refuses uploads with a wrong or missing header, a bad signature, a second upload, or after expiry', async () => {
    const clock = new ManualClock();
    const s = await start({ clock });
    const architect = new platformClient.ArchitectApi(await adminSdk(s));
    const job = await architect.postFlowsJobs();
    const url = job.presignedUrl!;
    const headers = job.headers!;
    const put = (u: string, h: Record<string, string>) =>
      fetch(u, { method: 'PUT', headers: h, body: MODULE });
    const wrong = await put(url, { ...headers, 'Content-Type': 'application/x-yaml' });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
    const { 'x-amz-server-side-encryption': _dropped, ...missing } = headers;
    expect((await put(url, missing)).status).toBe(403);
    expect((await put(url.replace(/X-Amz-Signature=[^&]+/, 'X-Amz-Signature=forged'), headers)).status).toBe(
      403,
    );
    expect((await put(url.replace(job.id!, '00000000-0000-0000-0000-000000000000'), headers)).status).toBe(
      404,
    );
    expect((await put(url, headers)).status).toBe(200);
    expect((await put(url, headers)).status).toBe(403);

    const late = await architect.postFlowsJobs();
    clock.advance(901_000);
    const expired = await put(late.presignedUrl!, late.headers!);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/);
    expect((await sdkFailure(architect.getFlowsJob('nope', {}))).status).toBe(404);
  });

  it('deletes flows, refusing to delete a common module a published flow still calls', async () => {
    const s = await start();
    await setUpAction(s);
    const client = await adminSdk(s);
    const module = await publish(client, MODULE);
    const ivr = await publish(client, inbound());
    const architect = new platformClient.ArchitectApi(client);
    const inUse = await sdkFailure(architect.deleteFlow(module.job.flow!.id!));
    expect(inUse.status).toBe(409);
    await architect.deleteFlow(ivr.job.flow!.id!);
    await architect.deleteFlow(module.job.flow!.id!);
    expect((await architect.getFlows({})).total).toBe(0);
    expect((await sdkFailure(architect.getFlow(ivr.job.flow!.id!))).status).toBe(404);
  });
});
