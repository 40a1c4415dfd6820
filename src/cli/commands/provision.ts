import { describeStats } from '../../genesys/platform/index.js';
import {
  AdminGrantNeeded,
  applySummary,
  formatGrantStop,
  formatPlan,
  formatProvision,
  grantInstructions,
  grantStepLines,
  provisionDeployment,
  readGrantCredentials,
  type PlanReport,
} from '../../provision/index.js';
import { defineCommand, type CliContext } from '../command.js';
import { createProgress } from '../progress.js';
import { platformOptions, REQUEST_TIMEOUT_OPTION, STATE_DIR_OPTION } from './plan.js';
import { genesysOf } from '../../config/platform.js';

/** The line naming what this run will do, printed before the first write. */
function header(ctx: CliContext, report: PlanReport): void {
  const c = report.counts;
  ctx.print(
    `Provisioning deployment ${report.deploymentId}${report.newDeployment ? ' (new)' : ''}` +
      `${report.organizationId ? ` in organization ${report.organizationId}` : ''}: ` +
      `${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.noop} unchanged.`,
  );
  if (report.adminGrant) for (const line of grantStepLines(report.adminGrant)) ctx.print(line);
}

export default defineCommand({
  name: 'provision',
  order: 31,
  summary: 'create or repair everything the kit needs in the org (a second run changes nothing)',
  examples: [
    'daspeak-genesys provision',
    'daspeak-genesys provision --grant-with env:GENESYS_ADMIN   # an admin client makes the one-time role grant',
    'daspeak-genesys provision --secrets-out /etc/daspeak/secrets.json --verbose',
  ],
  configure(cmd) {
    cmd
      .option(...STATE_DIR_OPTION)
      .option(...REQUEST_TIMEOUT_OPTION)
      .option(
        '--secrets-out <file>',
        'where new OAuth client secrets go, mode 0600 (default: secrets.json in the state dir)',
      )
      .option(
        '--grant-with <file|env:PREFIX>',
        "an admin client's credentials (YAML/JSON {clientId, clientSecret}, or PREFIX_CLIENT_ID and PREFIX_CLIENT_SECRET): the kit makes the one-time role grant itself",
      );
  },
  async run(ctx, options) {
    const { config } = ctx.loadConfig();
    genesysOf(config); // a Twilio config has no org: refused (exit 2) before anything is read or written
    const grantWith = options.grantWith
      ? readGrantCredentials(options.grantWith as string, config, ctx.io)
      : undefined;
    const progress = createProgress(ctx);
    let announced = false;
    try {
      const out = await provisionDeployment({
        config,
        configPath: ctx.configPath,
        stateDir: options.stateDir as string | undefined,
        secretsOut: options.secretsOut as string | undefined,
        logger: ctx.logger,
        platform: platformOptions(options),
        grantWith,
        onProgress: progress.onProgress,
        onPlan: (report) => {
          if (announced) return;
          announced = true;
          header(ctx, report);
        },
      });
      ctx.printJson({
        ok: true,
        ...out.report,
        result: out.result,
        newSecrets: out.newSecrets,
        secretsFile: out.secretsFile,
        ...(out.granted ? { granted: out.granted } : {}),
        apiCalls: out.stats,
      });
      // At a terminal the steps were shown as they happened; elsewhere the full list is the record.
      if (!progress.live) {
        for (const line of formatPlan({ ...out.report, adminGrant: undefined }, { title: 'Changes' }))
          ctx.print(line);
      }
      for (const line of formatProvision(out)) ctx.print(line);
      progress.summary(applySummary(out));
      if (ctx.globals.verbose) ctx.print(describeStats(out.stats));
      return 0;
    } catch (err) {
      if (!(err instanceof AdminGrantNeeded)) throw err;
      ctx.printJson({
        ok: false,
        stoppedAt: 'admin-grant',
        error: { code: err.code, message: err.message },
        grant: err.grant,
        applied: err.failure.applied,
        notDone: [err.failure.failed, ...err.failure.notAttempted],
        next: grantInstructions(err.grant),
      });
      for (const line of formatGrantStop(err)) ctx.print(line);
      ctx.io.stderr.write(
        `error: provision stopped at the one-time admin grant: ${err.message} (hint: do the grant as shown, then run provision again)\n`,
      );
      return 1;
    }
  },
});
