import { relative } from 'node:path';
import { ConfigError, formatIssue } from '../../config/issues.js';
import { formatDoctor, runDoctor, type CheckResult } from '../../provision/index.js';
import { defineCommand } from '../command.js';
import { positiveSeconds } from '../options.js';
import { STATE_DIR_OPTION } from './plan.js';

export default defineCommand({
  name: 'doctor',
  order: 33,
  summary: 'check the config, the org, das-Peak, the backend and the deployment; a fix for each failure',
  examples: ['daspeak-genesys doctor', 'daspeak-genesys doctor --json   # in CI: one object per check'],
  configure(cmd) {
    cmd
      .option(...STATE_DIR_OPTION)
      .option(
        '--timeout <seconds>',
        'time limit of each network check and Genesys API request',
        positiveSeconds,
        10,
      );
  },
  async run(ctx, options) {
    const shown = relative(ctx.io.cwd, ctx.configPath) || ctx.configPath;
    let results: CheckResult[];
    try {
      const { config } = ctx.loadConfig();
      const timeoutMs = Math.round((options.timeout as number) * 1000);
      results = [
        { id: 'config', status: 'ok', detail: `${shown} is valid` },
        ...(await runDoctor({
          config,
          configPath: ctx.configPath,
          stateDir: options.stateDir as string | undefined,
          logger: ctx.logger,
          timeoutMs,
          platform: { timeoutMs },
        })),
      ];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // Nothing else can be checked without a config.
      results = err.issues.map((issue) => ({
        id: 'config',
        status: 'fail' as const,
        detail: formatIssue(shown, { ...issue, hint: undefined }),
        fix: issue.hint ?? 'fix the config (daspeak-genesys validate shows every problem)',
      }));
    }
    const failed = results.filter((r) => r.status === 'fail').length;
    ctx.printJson({ ok: failed === 0, checks: results });
    for (const line of formatDoctor(results)) ctx.print(line);
    ctx.print(failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`);
    return failed === 0 ? 0 : 1;
  },
});
