import type { Command } from 'commander';
import type { LogFormat, Logger } from '../log.js';
import type { LoadedConfig, LoadOptions } from '../config/loader.js';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  json: boolean;
  verbose: boolean;
  quiet: boolean;
  /** `--log-format`; default pretty when stderr is a terminal, else json. */
  logFormat?: LogFormat;
}

export interface CliIO {
  /** `isTTY` (set on a terminal) turns on progress lines. */
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  /** `isTTY` (set on a terminal) makes logs pretty lines. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliContext {
  io: CliIO;
  globals: GlobalOptions;
  logger: Logger;
  /** Absolute path of the config file the command should use. */
  configPath: string;
  loadConfig(options?: LoadOptions): LoadedConfig;
  /** Human output on stdout (suppressed by --quiet and --json). */
  print(line: string): void;
  /** Machine output on stdout (only with --json). */
  printJson(value: unknown): void;
  /** Notes for a person on stderr (suppressed by --quiet). */
  note(line: string): void;
}

/** One CLI command. Each lives in its own file under src/cli/commands/ and is found automatically. */
export interface CliCommand {
  name: string;
  /** One line for `daspeak-genesys --help`. */
  summary: string;
  /** Shown under the command's --help. */
  examples: string[];
  /** Position in the command list (lower first). */
  order: number;
  configure?(cmd: Command): void;
  /** Returns the exit code (0 when omitted). Throw a KitError for failures. */
  run(ctx: CliContext, options: Record<string, unknown>, args: string[]): Promise<number | void>;
}

export function defineCommand(command: CliCommand): CliCommand {
  return command;
}
