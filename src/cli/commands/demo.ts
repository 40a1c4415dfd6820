import { Option } from 'commander';
import { SANDBOX } from '../../config/defaults.js';
import { KitError } from '../../errors.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../sandbox/stack.js';
import { defineCommand, type CliContext } from '../command.js';
import { portOption, wholeNumber } from '../options.js';
import { untilSignal } from '../signals.js';
import { describeStack, printStack } from './sandbox.js';

export default defineCommand({
  name: 'demo',
  order: 5,
  summary:
    'run the whole local stack with no configuration: Genesys sandbox (or, --platform twilio, the Twilio stand-in), das-Peak emulator and the backend',
  examples: [
    'daspeak-genesys demo                     # what `npm start` runs',
    'daspeak-genesys demo --backend-port 0 --genesys-port 0 --daspeak-port 0 --json',
    'daspeak-genesys demo --platform twilio   # the Twilio stand-in and its Flex desktop page instead of the Genesys org',
  ],
  configure(cmd) {
    cmd
      .option('--genesys-port <port>', `Genesys org port (default ${SANDBOX.genesysPort})`, portOption)
      .option('--daspeak-port <port>', `das-Peak emulator port (default ${SANDBOX.daspeakPort})`, portOption)
      .option('--twilio-port <port>', `Twilio stand-in port (default ${SANDBOX.twilioPort})`, portOption)
      .addOption(
        new Option(
          '--platform <platform>',
          'genesys (the Genesys org) or twilio (the Twilio stand-in and Flex desktop); default: the platform of --config, else genesys',
        ).choices(['genesys', 'twilio']),
      )
      .option('--backend-port <port>', `backend port (default ${SANDBOX.backendPort})`, portOption)
      .option(
        '--analysis-workers <n>',
        'threads scoring voices in the das-Peak emulator (0 = main thread)',
        wholeNumber,
        1,
      )
      .option('--no-provision', 'leave the sandbox org empty (by default demo provisions it for the backend)')
      .option('--data-dir <dir>', 'where the backend keeps its SQLite database', '.daspeak-genesys/demo');
  },
  async run(ctx, options) {
    const platform = platformOf(ctx, options.platform);
    refuseFlagsOfOtherPlatform(platform, options);
    if (platform === 'twilio') return twilioDemo(ctx, options);
    const stack = await startLocalStack({
      ...commonStackOptions(ctx, options),
      genesysPort: typeof options.genesysPort === 'number' ? options.genesysPort : SANDBOX.genesysPort,
      provision: options.provision !== false,
    });
    const backend = stack.backend!;
    const configFile = stack.configFile!;
    const desktopUrl = `${stack.genesys!.url}/desktop`;
    ctx.printJson({ ...describeStack(stack, null), configFile, desktopUrl });
    // What a person does first: the agent desktop, where the whole journey starts.
    ctx.print(`open ${desktopUrl}`);
    ctx.print(
      "  the agent desktop: place a call with a voice, answer it, then register or verify the caller's voice in the widget",
    );
    ctx.print(
      `  agents sign in to the widget as ${stack.genesys!.agents.map((a) => a.email).join(' or ')}, password ${stack.genesys!.agents[0]!.password}`,
    );
    printStack(ctx, stack);
    ctx.print(
      `backend at ${backend.url} (SQLite in ${String(options.dataDir)}; health ${backend.url}healthz)`,
    );
    ctx.print(`  widget files: ${backend.url}config.js, ${backend.url}utils.js`);
    ctx.print(`config of this stack: ${configFile}`);
    ctx.print('try a call the org places and streams over Audiohook (queue Support):');
    ctx.print(
      `  daspeak-genesys --config ${configFile} simulate --via-genesys --voice alice --credential-out alice.cred --speed 10`,
    );
    return runUntilSignal(ctx, stack);
  },
});

/** The ports and settings both platforms' stacks take from the options. */
function commonStackOptions(ctx: CliContext, options: Record<string, unknown>): LocalStackOptions {
  return {
    daspeakPort: typeof options.daspeakPort === 'number' ? options.daspeakPort : SANDBOX.daspeakPort,
    backendPort: typeof options.backendPort === 'number' ? options.backendPort : SANDBOX.backendPort,
    dataDir: String(options.dataDir),
    analysisWorkers: typeof options.analysisWorkers === 'number' ? options.analysisWorkers : 1,
    cwd: ctx.io.cwd,
    logger: ctx.logger,
  };
}

/** A flag of the other platform's stack would be ignored silently; refused instead, as init does. */
function refuseFlagsOfOtherPlatform(platform: 'genesys' | 'twilio', options: Record<string, unknown>): void {
  const other =
    platform === 'twilio'
      ? [
          ...(options.genesysPort !== undefined ? ['--genesys-port'] : []),
          ...(options.provision === false ? ['--no-provision'] : []),
        ]
      : options.twilioPort !== undefined
        ? ['--twilio-port']
        : [];
  if (other.length === 0) return;
  throw new KitError(
    'demo.flag_for_other_platform',
    platform === 'twilio'
      ? `${other.join(' and ')} ${other.length > 1 ? 'are' : 'is'} for the Genesys org, which the Twilio stack does not run`
      : '--twilio-port goes with --platform twilio',
    {
      hint:
        platform === 'twilio'
          ? 'drop the Genesys flags, or leave out --platform twilio'
          : 'add --platform twilio, or drop it',
    },
  );
}

/** Serves until Ctrl+C (or SIGTERM), then stops the stack. */
async function runUntilSignal(ctx: CliContext, stack: LocalStack): Promise<number> {
  ctx.print('press Ctrl+C to stop');
  const signal = await untilSignal();
  ctx.note(`${signal}: stopping the local stack`);
  await stack.stop();
  ctx.note('stopped');
  return 0;
}

/** --platform, else the `platform` of an explicit --config, else genesys. */
function platformOf(ctx: CliContext, option: unknown): 'genesys' | 'twilio' {
  if (option === 'genesys' || option === 'twilio') return option;
  if (ctx.globals.config) return ctx.loadConfig().config.platform ?? 'genesys';
  return 'genesys';
}

/**
 * The Twilio local stack: das-Peak emulator, Twilio stand-in and the backend serving Flex agents. What
 * a person opens first is the stand-in's Flex desktop page (/flex), where calls become tasks.
 */
async function twilioDemo(ctx: CliContext, options: Record<string, unknown>): Promise<number> {
  const stack = await startLocalStack({
    ...commonStackOptions(ctx, options),
    platform: 'twilio',
    twilioPort: typeof options.twilioPort === 'number' ? options.twilioPort : SANDBOX.twilioPort,
  });
  const backend = stack.backend!;
  const twilio = stack.twilio!;
  const configFile = stack.configFile!;
  const flexUrl = `${twilio.url}/flex`;
  ctx.printJson({ ...describeStack(stack, null), configFile, flexUrl });
  ctx.print(`open ${flexUrl}`);
  ctx.print(
    "  the Flex agent desktop: sign in as a worker, place a call with a voice, accept the task, then register or verify the caller's voice in the widget",
  );
  ctx.print(`  workers: ${twilio.workers.map((w) => w.identity).join(', ')}`);
  printStack(ctx, stack);
  ctx.print(`backend at ${backend.url} (SQLite in ${String(options.dataDir)}; health ${backend.url}healthz)`);
  ctx.print(`config of this stack: ${configFile}`);
  ctx.print('try a caller through the stand-in (register, then verify, over Media Streams):');
  ctx.print(
    `  daspeak-genesys --config ${configFile} simulate --platform twilio --target config --voice alice --speed 10`,
  );
  return runUntilSignal(ctx, stack);
}
