import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { isKitError, KitError } from '../errors.js';
import { ConfigError } from '../config/issues.js';
import { isPlatformMismatch } from '../config/platform.js';
import { createLogger, LOG_FORMATS, type LogFormat, type LogLevel } from '../log.js';
import { loadConfigFile, resolveConfigPath } from '../config/loader.js';
import { secretPaths } from '../config/schema.js';
import type { CliCommand, CliContext, CliIO, GlobalOptions } from './command.js';
import { exitWhenSettled } from './exit-guard.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Loads every command module in ./commands, so adding a command is adding one file. */
export async function discoverCommands(dir = join(here, 'commands')): Promise<CliCommand[]> {
  const files = readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'));
  const commands: CliCommand[] = [];
  for (const f of files.sort()) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: CliCommand };
    if (!mod.default?.name || typeof mod.default.run !== 'function') {
      throw new KitError('cli.bad_command_module', `${f} does not export a command as its default export`);
    }
    commands.push(mod.default);
  }
  return commands.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

function version(): string {
  // dist/cli/main.js and src/cli/main.ts both sit two levels below the package root.
  try {
    return (JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

function makeContext(io: CliIO, globals: GlobalOptions): CliContext {
  const level: LogLevel = globals.verbose ? 'debug' : globals.quiet ? 'error' : 'info';
  const redact = secretPaths().map((p) => `config.${p.replace(/\[\]/g, '[*]')}`);
  const terminal = io.stderr.isTTY === true;
  const format: LogFormat = globals.logFormat ?? (terminal ? 'pretty' : 'json');
  const logger = createLogger({
    level,
    redact,
    destination: io.stderr,
    name: 'daspeak-genesys',
    format,
    colorize: terminal && !io.env.NO_COLOR,
  });
  const configPath = resolveConfigPath(globals.config, io.env);
  return {
    io,
    globals,
    logger,
    configPath,
    loadConfig: (options) => loadConfigFile(configPath, { env: io.env, ...options }),
    print: (line) => {
      if (!globals.quiet && !globals.json) io.stdout.write(`${line}\n`);
    },
    printJson: (value) => {
      if (globals.json) io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    note: (line) => {
      if (!globals.quiet) io.stderr.write(`${line}\n`);
    },
  };
}

function reportError(err: unknown, io: CliIO, globals: GlobalOptions): number {
  const kit = isKitError(err) ? err : undefined;
  if (err instanceof ConfigError) {
    for (const line of err.lines()) io.stderr.write(`error: ${line}\n`);
  } else {
    const line = kit ? kit.toLine() : err instanceof Error ? err.message : String(err);
    io.stderr.write(`error: ${line}\n`);
  }
  if (globals.verbose && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  else if (!kit) io.stderr.write('(run with --verbose for the stack trace)\n');
  if (globals.json) {
    const body = {
      ok: false,
      error: {
        code: kit?.code ?? 'internal',
        message: kit?.message ?? (err instanceof Error ? err.message : String(err)),
        ...(kit?.hint ? { hint: kit.hint } : {}),
        ...(err instanceof ConfigError ? { issues: err.issues } : {}),
      },
    };
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }
  // A command run with a config for the other platform is a usage error, not a failed run.
  return isPlatformMismatch(err) ? 2 : 1;
}

export function buildProgram(commands: CliCommand[], io: CliIO, exit: { code: number }): Command {
  const program = new Command('daspeak-genesys')
    .description('Veridas das-Peak Streaming voice biometrics for Genesys Cloud')
    .version(version(), '-V, --version')
    .option('-c, --config <file>', 'config file (default: daspeak-genesys.yaml, or $DASPEAK_GENESYS_CONFIG)')
    .option('--json', 'machine-readable output on stdout', false)
    .addOption(
      new Option('-v, --verbose', 'debug logging and stack traces').default(false).conflicts('quiet'),
    )
    .option('-q, --quiet', 'only errors', false)
    .addOption(
      new Option(
        '--log-format <format>',
        'logs on stderr: pretty lines or JSON (default: pretty at a terminal, else json)',
      ).choices(LOG_FORMATS),
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Usage errors are printed by main() as one line with one hint (and as JSON under --json).
      outputError: () => undefined,
    })
    .addHelpText(
      'after',
      "\nExamples:\n  daspeak-genesys init --sandbox\n  daspeak-genesys validate\n\nRun `daspeak-genesys <command> --help` for a command's options and an example.",
    );

  for (const spec of commands) {
    const cmd = program.command(spec.name).summary(spec.summary).description(spec.summary);
    spec.configure?.(cmd);
    cmd.exitOverride();
    if (spec.examples.length > 0) {
      cmd.addHelpText(
        'after',
        `\nExample${spec.examples.length > 1 ? 's' : ''}:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`,
      );
    }
    cmd.action(async (...received: unknown[]) => {
      const command = received[received.length - 1] as Command;
      const options = command.opts<Record<string, unknown>>();
      const globals = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
      const g: GlobalOptions = {
        config: globals.config,
        json: Boolean(globals.json),
        verbose: Boolean(globals.verbose),
        quiet: Boolean(globals.quiet),
        ...(globals.logFormat ? { logFormat: globals.logFormat } : {}),
      };
      const ctx = makeContext(io, g);
      try {
        const code = await spec.run(ctx, options, command.args);
        exit.code = typeof code === 'number' ? code : 0;
      } catch (err) {
        exit.code = reportError(err, io, g);
      }
    });
  }
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const fullIO: CliIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  const exit = { code: 0 };
  let commands: CliCommand[];
  try {
    commands = await discoverCommands();
  } catch (err) {
    return reportError(err, fullIO, { json: false, verbose: true, quiet: false });
  }
  const program = buildProgram(commands, fullIO, exit);
  if (argv.slice(2).length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return 0;
      if (err.code === 'commander.help') return 2;
      return reportUsage(usageProblem(err, argv, commands), fullIO, argv.includes('--json'));
    }
    return reportError(err, fullIO, { json: false, verbose: false, quiet: false });
  }
  return exit.code;
}

/** The launcher's entry: runs the CLI as this process, whose exit code is the command's (see exit-guard.ts). */
export function runAsProcess(argv: string[] = process.argv): Promise<void> {
  // `daspeak-genesys plan | head`: a reader that went away is not a failure of the work, which
  // goes on (a provision half done by a closed pipe would be worse); further output is dropped.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  return exitWhenSettled(main(argv));
}

export interface UsageProblem {
  message: string;
  hint: string;
}

/**
 * Commander's error as one message and one hint: its "(Did you mean …?)" becomes the hint, which
 * points at the help of the command being parsed.
 */
export function usageProblem(err: CommanderError, argv: string[], commands: CliCommand[]): UsageProblem {
  const lines = err.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const message = (lines[0] ?? 'bad usage').replace(/^error:\s*/, '');
  const suggestion = lines
    .slice(1)
    .map((l) => /^\(Did you mean (.+)\?\)$/.exec(l)?.[1])
    .find((x) => x !== undefined);
  const names = new Set(commands.map((c) => c.name));
  const command = argv.slice(2).find((a) => names.has(a));
  const help = `daspeak-genesys ${command ? `${command} ` : ''}--help`;
  return {
    message,
    hint: suggestion ? `did you mean ${suggestion}? (${help} for usage)` : `run \`${help}\` for usage`,
  };
}

function reportUsage(problem: UsageProblem, io: CliIO, json: boolean): number {
  io.stderr.write(`error: ${problem.message} (hint: ${problem.hint})\n`);
  if (json) {
    const body = { ok: false, error: { code: 'usage', message: problem.message, hint: problem.hint } };
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }
  return 2;
}
