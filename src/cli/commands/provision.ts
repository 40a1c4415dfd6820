import { describeStats } from '../../genesys/platform/index.js';
import { formatPlan, formatProvision, provisionDeployment } from '../../provision/index.js';
import { defineCommand } from '../command.js';
import { platformOptions, REQUEST_TIMEOUT_OPTION, STATE_DIR_OPTION } from './plan.js';

export default defineCommand({
  name: 'provision',
  order: 31,
  summary: 'create or repair everything the kit needs in the org (a second run changes nothing)',
  examples: [
    'daspeak-genesys provision',
    'daspeak-genesys provision --secrets-out /etc/daspeak/secrets.json --verbose',
  ],
  configure(cmd) {
    cmd
      .option(...STATE_DIR_OPTION)
      .option(...REQUEST_TIMEOUT_OPTION)
      .option(
        '--secrets-out <file>',
        'where new OAuth client secrets go, mode 0600 (default: secrets.json in the state dir)',
      );
  },
  async run(ctx, options) {
    const { config } = ctx.loadConfig();
    const out = await provisionDeployment({
      config,
      configPath: ctx.configPath,
      stateDir: options.stateDir as string | undefined,
      secretsOut: options.secretsOut as string | undefined,
      logger: ctx.logger,
      platform: platformOptions(options),
    });
    ctx.printJson({
      ok: true,
      ...out.report,
      result: out.result,
      newSecrets: out.newSecrets,
      secretsFile: out.secretsFile,
      apiCalls: out.stats,
    });
    for (const line of formatPlan(out.report, { title: 'Changes' })) ctx.print(line);
    for (const line of formatProvision(out)) ctx.print(line);
    if (ctx.globals.verbose) ctx.print(describeStats(out.stats));
    return 0;
  },
});
