import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { SANDBOX } from '../../config/defaults.js';
import { KitError } from '../../errors.js';
import { DataActionError, runDataAction, type CredentialType } from '../../flows/executor/index.js';
import { startGenesysSandbox, type ActionExecutor } from '../../sandbox/genesys/index.js';
import { defineCommand, type CliContext } from '../command.js';

function portOption(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('give a port from 0 to 65535');
  return port;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('give a whole number above 0');
  return n;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export interface SandboxCommandOptions {
  genesysPort?: number;
  stateFile?: string;
  rateLimit?: number;
  only?: 'genesys' | 'daspeak';
}

const CREDENTIAL_TYPES: readonly string[] = ['basicAuth', 'userDefined', 'userDefinedOAuth'];

/**
 * The sandbox org runs data actions (`…/test`, `…/execute`) with the kit's offline executor, which
 * renders the templates and calls the real web service.
 */
export const offlineExecutor: ActionExecutor = async (action, input) => {
  const credentialType = action.credential?.type;
  const { result, outcome } = await runDataAction(
    {
      name: action.name,
      category: action.category,
      integrationId: action.integrationId,
      secure: action.secure,
      config: action.config,
      contract: action.contract,
    },
    input,
    {
      ...(action.credential ? { credentials: action.credential.fields } : {}),
      ...(credentialType && CREDENTIAL_TYPES.includes(credentialType)
        ? { credentialType: credentialType as CredentialType }
        : {}),
    },
  );
  if (outcome.ok) return { ok: true, output: outcome.output, operations: result.operations };
  return {
    ok: false,
    status: new DataActionError(outcome, result).status ?? 502,
    code: outcome.code,
    message: outcome.message,
    operations: result.operations,
  };
};

/**
 * Starts the sandboxes, prints where they are, and stops them when `until` settles (a signal in the
 * CLI; a promise in tests).
 */
export async function runSandboxCommand(
  ctx: CliContext,
  options: SandboxCommandOptions,
  until: Promise<unknown>,
): Promise<number> {
  if (options.only === 'daspeak') {
    throw new KitError(
      'sandbox.daspeak_unavailable',
      'the das-Peak sandbox is not available in this version yet',
      {
        hint: 'run `daspeak-genesys sandbox --only genesys` (the default) for the Genesys org',
      },
    );
  }
  const genesys = await startGenesysSandbox({
    port: options.genesysPort ?? SANDBOX.genesysPort,
    host: SANDBOX.host,
    logger: ctx.logger,
    actionExecutor: offlineExecutor,
    ...(options.stateFile ? { stateFile: resolve(ctx.io.cwd, options.stateFile) } : {}),
    ...(options.rateLimit ? { rateLimitPerMinute: options.rateLimit } : {}),
  });
  ctx.printJson({
    ok: true,
    genesys: {
      url: genesys.url,
      port: genesys.port,
      organizationId: genesys.organizationId,
      clientId: genesys.adminClient.id,
      clientSecret: genesys.adminClient.secret,
      agents: genesys.agents,
      stateFile: options.stateFile ? resolve(ctx.io.cwd, options.stateFile) : null,
    },
    daspeak: null,
    pid: process.pid,
  });
  ctx.print(`Genesys sandbox org ${genesys.organizationId} at ${genesys.url}`);
  ctx.print(
    `  admin client: ${genesys.adminClient.id} / ${genesys.adminClient.secret} (sandbox-only credentials)`,
  );
  ctx.print(`  agents: ${genesys.agents.map((a) => `${a.name} <${a.email}>`).join(', ')}`);
  ctx.print(`  SDK: client.setGateway({ host: '${genesys.host}', port: ${genesys.port}, protocol: 'http' })`);
  ctx.print('  control: POST /sandbox/calls, /sandbox/conversations, /sandbox/faults; GET /sandbox/requests');
  if (options.only === undefined) ctx.note('note: the das-Peak sandbox is not available in this version yet');
  ctx.print('press Ctrl+C to stop');
  const reason = await until;
  ctx.note(`${typeof reason === 'string' ? reason : 'stop'}: stopping the sandbox`);
  await genesys.stop();
  ctx.note('sandbox stopped');
  return 0;
}

export default defineCommand({
  name: 'sandbox',
  order: 40,
  summary: 'run a local Genesys Cloud org (Platform API subset, calls that drive Audiohook) on 127.0.0.1',
  examples: [
    'daspeak-genesys sandbox',
    'daspeak-genesys sandbox --genesys-port 0 --json   # any free port; prints URLs and credentials',
    'daspeak-genesys sandbox --state-file .daspeak-genesys/org.json --rate-limit 60',
  ],
  configure(cmd) {
    cmd
      .option(
        '--genesys-port <port>',
        `Genesys org port, 0 for any free one (default ${SANDBOX.genesysPort})`,
        portOption,
      )
      .option('--state-file <file>', 'keep the org in this JSON file so it survives a restart')
      .option('--rate-limit <n>', 'requests per token per minute before 429 (default 300)', positiveInteger)
      .addOption(new Option('--only <sandbox>', 'run only one sandbox').choices(['genesys', 'daspeak']));
  },
  async run(ctx, options) {
    const o: SandboxCommandOptions = {
      ...(typeof options.genesysPort === 'number' ? { genesysPort: options.genesysPort } : {}),
      ...(typeof options.stateFile === 'string' ? { stateFile: options.stateFile } : {}),
      ...(typeof options.rateLimit === 'number' ? { rateLimit: options.rateLimit } : {}),
      ...(options.only === 'genesys' || options.only === 'daspeak' ? { only: options.only } : {}),
    };
    return runSandboxCommand(ctx, o, untilSignal());
  },
});
