import { createInterface } from 'node:readline/promises';
import { loadState } from '../../genesys/engine/state.js';
import { describeStats } from '../../genesys/platform/index.js';
import { deploymentPaths, destroyDeployment, formatDestroy } from '../../provision/index.js';
import { KitError } from '../../errors.js';
import { defineCommand, type CliContext } from '../command.js';
import { platformOptions, REQUEST_TIMEOUT_OPTION, STATE_DIR_OPTION } from './plan.js';

/** Asks for the deployment id at a terminal; true only when it is retyped exactly. */
async function confirmed(ctx: CliContext, deploymentId: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr, terminal: false });
  try {
    const answer = await rl.question(
      `This removes everything deployment ${deploymentId} owns in the Genesys org.\nType the deployment id to confirm: `,
    );
    return answer.trim() === deploymentId;
  } finally {
    rl.close();
  }
}

export default defineCommand({
  name: 'destroy',
  order: 32,
  summary: 'remove what the kit created in the org (asks for the deployment id; --yes to skip)',
  examples: ['daspeak-genesys destroy', 'daspeak-genesys destroy --yes --json   # in CI'],
  configure(cmd) {
    cmd
      .option(...STATE_DIR_OPTION)
      .option(...REQUEST_TIMEOUT_OPTION)
      .option('-y, --yes', 'do not ask for the deployment id');
  },
  async run(ctx, options) {
    const { config } = ctx.loadConfig();
    const stateDir = options.stateDir as string | undefined;
    const paths = deploymentPaths({ configPath: ctx.configPath, stateDir });
    const deploymentId = config.deploymentId ?? loadState(paths.stateFile)?.deploymentId;
    if (!deploymentId) {
      throw new KitError(
        'destroy.no_deployment',
        `nothing to destroy: no deploymentId in the config and no state in ${paths.stateDir}`,
        {
          hint: 'pass the --state-dir provision used, or set deploymentId in the config',
        },
      );
    }
    if (!options.yes) {
      if (!ctx.io.stdin.isTTY) {
        ctx.io.stderr.write(
          'error: destroy asks for the deployment id at a terminal (hint: run it at a terminal, or pass --yes)\n',
        );
        return 2;
      }
      if (!(await confirmed(ctx, deploymentId))) {
        ctx.io.stderr.write('error: the deployment id was not retyped; nothing was destroyed\n');
        return 1;
      }
    }
    const out = await destroyDeployment({
      config,
      configPath: ctx.configPath,
      stateDir,
      logger: ctx.logger,
      platform: platformOptions(options),
    });
    ctx.printJson({ ok: out.failed.length === 0, ...out, apiCalls: out.stats });
    for (const line of formatDestroy(out)) ctx.print(line);
    if (ctx.globals.verbose) ctx.print(describeStats(out.stats));
    return out.failed.length === 0 ? 0 : 1;
  },
});
