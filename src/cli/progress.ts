import type { OnProgress, ProgressEvent } from '../progress.js';
import type { CliContext } from './command.js';

/**
 * The CLI's one progress reporter. At a terminal it prints a line per step as it happens (`created
 * role "daspeak Integration"`, `waiting 2 s: Genesys answered 429 to GET …`) and the command's final
 * summary with the elapsed time; under --json, --quiet, or when stdout is not a terminal it prints
 * nothing extra (the summary line is printed plain, as any other output).
 *
 * Commands pass `onProgress` to the library doing the work; libraries never write to the console.
 */
export interface ProgressReporter {
  /** Give this to the engine, the platform client, the simulator, flows publish. */
  readonly onProgress: OnProgress;
  /** Whether step lines are shown. */
  readonly live: boolean;
  /** Prints the command's final line; at a terminal with the elapsed time and the waits. */
  summary(line: string): void;
  totals(): ProgressTotals;
}

export interface ProgressTotals {
  /** Steps by action (`created: 17`). */
  steps: Record<string, number>;
  waits: number;
  waitedMs: number;
  elapsedMs: number;
}

export interface ProgressOptions {
  /** Force live lines on or off (default: stdout is a terminal and neither --json nor --quiet). */
  live?: boolean;
  now?: () => number;
}

const WAIT_REASON: Record<string, string> = {
  'rate-limited': 'rate limited',
  'server-error': 'server error',
  transport: 'no answer',
};

function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 || Number.isInteger(s) ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

/** The line of one event, without indentation. */
export function progressLine(event: ProgressEvent): string {
  if (event.type === 'step') {
    return `${event.action} ${event.kind} "${event.name}"${event.id ? ` (${event.id})` : ''}${event.detail ? `: ${event.detail}` : ''}`;
  }
  const answered =
    event.status !== undefined
      ? `${event.service} answered ${event.status} (${WAIT_REASON[event.reason]})`
      : `${event.service}: ${WAIT_REASON[event.reason]}`;
  return `waiting ${seconds(event.ms)}: ${answered}${event.request ? ` to ${event.request}` : ''}; retrying`;
}

export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export function createProgress(ctx: CliContext, options: ProgressOptions = {}): ProgressReporter {
  const now = options.now ?? Date.now;
  const started = now();
  const live = options.live ?? (isTerminal(ctx.io.stdout) && !ctx.globals.json && !ctx.globals.quiet);
  const steps: Record<string, number> = {};
  let waits = 0;
  let waitedMs = 0;
  const totals = (): ProgressTotals => ({ steps: { ...steps }, waits, waitedMs, elapsedMs: now() - started });
  return {
    live,
    onProgress: (event) => {
      if (event.type === 'step') steps[event.action] = (steps[event.action] ?? 0) + 1;
      else {
        waits += 1;
        waitedMs += event.ms;
      }
      if (live) ctx.io.stdout.write(`  ${progressLine(event)}\n`);
    },
    summary: (line) => {
      if (!live) {
        ctx.print(line);
        return;
      }
      const t = totals();
      const waited =
        t.waits > 0 ? `; waited ${seconds(t.waitedMs)} in ${t.waits} retr${t.waits === 1 ? 'y' : 'ies'}` : '';
      ctx.print(`${line} (${seconds(t.elapsedMs)}${waited})`);
    },
    totals,
  };
}
