import { resolve } from 'node:path';
import { Option } from 'commander';
import { SANDBOX } from '../../config/defaults.js';
import { startLocalStack, type LocalStack } from '../../sandbox/stack.js';
import { defineCommand, type CliContext } from '../command.js';
import { portOption, positiveInteger, wholeNumber } from '../options.js';
import { untilSignal } from '../signals.js';

export interface SandboxCommandOptions {
  genesysPort?: number;
  daspeakPort?: number;
  twilioPort?: number;
  stateFile?: string;
  rateLimit?: number;
  only?: 'genesys' | 'daspeak' | 'twilio';
  analysisWorkers?: number;
}

/** What `--json` prints: everything a script needs to talk to the sandboxes (test credentials only). */
export function describeStack(stack: LocalStack, stateFile: string | null) {
  const g = stack.genesys;
  const d = stack.daspeak;
  const t = stack.twilio;
  return {
    ok: true,
    genesys: g
      ? {
          url: g.url,
          port: g.port,
          organizationId: g.organizationId,
          clientId: g.adminClient.id,
          clientSecret: g.adminClient.secret,
          agents: g.agents,
          stateFile,
        }
      : null,
    daspeak: d ? { url: d.url, port: d.port, urls: d.urls, credentials: d.credentials } : null,
    twilio: t
      ? {
          url: t.url,
          port: t.port,
          accountSid: t.accountSid,
          authToken: t.authToken,
          workspaceSid: t.workspaceSid,
          phoneNumber: t.phoneNumber,
          workers: t.workers,
          flexUrl: `${t.url}/flex`,
        }
      : null,
    ...(stack.backend ? { backend: { url: stack.backend.url } } : {}),
    pid: process.pid,
  };
}

export function printStack(ctx: CliContext, stack: LocalStack): void {
  const g = stack.genesys;
  const d = stack.daspeak;
  if (g) {
    ctx.print(`Genesys sandbox org ${g.organizationId} at ${g.url}`);
    ctx.print(`  admin client: ${g.adminClient.id} / ${g.adminClient.secret} (sandbox-only credentials)`);
    ctx.print(`  agents: ${g.agents.map((a) => `${a.name} <${a.email}>`).join(', ')}`);
    ctx.print(`  SDK: client.setGateway({ host: '${g.host}', port: ${g.port}, protocol: 'http' })`);
    ctx.print(
      '  control: POST /sandbox/calls, /sandbox/conversations, /sandbox/faults; GET /sandbox/requests',
    );
  }
  if (d) {
    ctx.print(`das-Peak Streaming emulator at ${d.url} (toy voiceprints, not real biometrics)`);
    ctx.print(`  REST ${d.urls.rest}  Socket.IO ${d.urls.socketio}  token ${d.urls.token}`);
    ctx.print(`  Audiohook ${d.urls.audiohook}  Twilio ${d.urls.twilio}`);
  }
  const t = stack.twilio;
  if (t) {
    ctx.print(`Twilio stand-in (account ${t.accountSid}) at ${t.url}`);
    ctx.print(
      `  auth: ${t.accountSid} / ${t.authToken} (sandbox-only credentials); workspace ${t.workspaceSid}`,
    );
    ctx.print(`  Flex workers: ${t.workers.map((w) => `${w.identity} (${w.sid})`).join(', ')}`);
    ctx.print(
      `  helper library / config: twilio.apiBaseUrl ${t.url} (stands in for api., iam. and taskrouter.twilio.com)`,
    );
    ctx.print('  control: POST /sandbox/calls, /sandbox/flex/tokens, /sandbox/faults; GET /sandbox/tasks');
  }
}

/**
 * Starts the sandboxes, prints where they are, and stops them when `until` settles (a signal in the
 * CLI; a promise in tests).
 */
export async function runSandboxCommand(
  ctx: CliContext,
  options: SandboxCommandOptions,
  until: Promise<unknown>,
): Promise<number> {
  const stack = await startLocalStack({
    ...(options.only ? { only: options.only } : {}),
    genesysPort: options.genesysPort ?? SANDBOX.genesysPort,
    daspeakPort: options.daspeakPort ?? SANDBOX.daspeakPort,
    twilioPort: options.twilioPort ?? SANDBOX.twilioPort,
    twilio: true,
    ...(options.stateFile ? { genesysStateFile: options.stateFile } : {}),
    ...(options.rateLimit ? { rateLimitPerMinute: options.rateLimit } : {}),
    ...(options.analysisWorkers !== undefined ? { analysisWorkers: options.analysisWorkers } : {}),
    cwd: ctx.io.cwd,
    logger: ctx.logger,
  });
  const stateFile = options.stateFile && stack.genesys ? resolve(ctx.io.cwd, options.stateFile) : null;
  ctx.printJson(describeStack(stack, stateFile));
  printStack(ctx, stack);
  ctx.print('press Ctrl+C to stop');
  const reason = await until;
  ctx.note(`${typeof reason === 'string' ? reason : 'stop'}: stopping the sandbox`);
  await stack.stop();
  ctx.note('sandbox stopped');
  return 0;
}

export default defineCommand({
  name: 'sandbox',
  order: 40,
  summary: 'run a local Genesys Cloud org, a das-Peak Streaming emulator and a Twilio stand-in on 127.0.0.1',
  examples: [
    'daspeak-genesys sandbox',
    'daspeak-genesys sandbox --genesys-port 0 --daspeak-port 0 --twilio-port 0 --json   # any free ports; prints URLs and credentials',
    'daspeak-genesys sandbox --only twilio --twilio-port 4031   # only the Twilio stand-in (calls stream to the emulator on --daspeak-port)',
    'daspeak-genesys sandbox --only genesys --state-file .daspeak-genesys/org.json --rate-limit 60',
  ],
  configure(cmd) {
    cmd
      .option(
        '--genesys-port <port>',
        `Genesys org port, 0 for any free one (default ${SANDBOX.genesysPort})`,
        portOption,
      )
      .option(
        '--daspeak-port <port>',
        `das-Peak emulator port, 0 for any free one (default ${SANDBOX.daspeakPort})`,
        portOption,
      )
      .option(
        '--twilio-port <port>',
        `Twilio stand-in port, 0 for any free one (default ${SANDBOX.twilioPort})`,
        portOption,
      )
      .option('--state-file <file>', 'keep the Genesys org in this JSON file so it survives a restart')
      .option(
        '--rate-limit <n>',
        'Genesys requests per token per minute before 429 (default 300)',
        positiveInteger,
      )
      .addOption(
        new Option('--only <sandbox>', 'run only one sandbox').choices(['genesys', 'daspeak', 'twilio']),
      )
      .option(
        '--analysis-workers <n>',
        'threads scoring voices in the das-Peak emulator (0 = main thread)',
        wholeNumber,
        1,
      );
  },
  async run(ctx, options) {
    const o: SandboxCommandOptions = {
      ...(typeof options.genesysPort === 'number' ? { genesysPort: options.genesysPort } : {}),
      ...(typeof options.daspeakPort === 'number' ? { daspeakPort: options.daspeakPort } : {}),
      ...(typeof options.twilioPort === 'number' ? { twilioPort: options.twilioPort } : {}),
      ...(typeof options.stateFile === 'string' ? { stateFile: options.stateFile } : {}),
      ...(typeof options.rateLimit === 'number' ? { rateLimit: options.rateLimit } : {}),
      ...(options.only === 'genesys' || options.only === 'daspeak' || options.only === 'twilio'
        ? { only: options.only }
        : {}),
      ...(typeof options.analysisWorkers === 'number' ? { analysisWorkers: options.analysisWorkers } : {}),
    };
    return runSandboxCommand(ctx, o, untilSignal());
  },
});
