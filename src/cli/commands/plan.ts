import { describeStats } from '../../genesys/platform/index.js';
import { formatPlan, planDeployment } from '../../provision/index.js';
import { defineCommand } from '../command.js';
import { positiveSeconds } from '../options.js';
import { genesysOf } from '../../config/platform.js';

export const STATE_DIR_OPTION = [
  '--state-dir <dir>',
  'state, journal and secrets directory (default: .daspeak-genesys/ next to the config)',
] as const;

export const REQUEST_TIMEOUT_OPTION = [
  '--request-timeout <seconds>',
  'time limit of one Genesys API request; a GET that times out is retried',
  positiveSeconds,
] as const;

/** Platform client options from `--request-timeout` (the default is the SDK's 16 s). */
export function platformOptions(options: Record<string, unknown>): { timeoutMs?: number } {
  const seconds = options.requestTimeout as number | undefined;
  return seconds === undefined ? {} : { timeoutMs: Math.round(seconds * 1000) };
}

export default defineCommand({
  name: 'plan',
  order: 30,
  summary: 'show what provision would create, change or delete in the org (writes nothing)',
  examples: [
    'daspeak-genesys plan',
    'daspeak-genesys plan --json > plan.json   # in CI: counts, steps and changed fields, secrets masked',
  ],
  configure(cmd) {
    cmd.option(...STATE_DIR_OPTION).option(...REQUEST_TIMEOUT_OPTION);
  },
  async run(ctx, options) {
    const { config } = ctx.loadConfig();
    genesysOf(config); // a Twilio config has no org: refused (exit 2) before anything is read or written
    const out = await planDeployment({
      config,
      configPath: ctx.configPath,
      stateDir: options.stateDir as string | undefined,
      logger: ctx.logger,
      platform: platformOptions(options),
    });
    ctx.printJson({ ok: true, ...out.report, apiCalls: out.stats });
    for (const line of formatPlan(out.report)) ctx.print(line);
    if (ctx.globals.verbose) ctx.print(describeStats(out.stats));
    // Conflicts and blockers are shown, not failed: plan answers "what would happen".
    return 0;
  },
});
