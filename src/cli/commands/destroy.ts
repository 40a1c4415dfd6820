import { createInterface } from 'node:readline/promises';
import { loadState } from '../../genesys/engine/state.js';
import { describeStats } from '../../genesys/platform/index.js';
import { deploymentPaths, destroyDeployment, formatDestroy, planDestroy } from '../../provision/index.js';
import { KitError } from '../../errors.js';
import { defineCommand, type CliContext } from '../command.js';
import { createProgress } from '../progress.js';
import { platformOptions, REQUEST_TIMEOUT_OPTION, STATE_DIR_OPTION } from './plan.js';
import { genesysOf } from '../../config/platform.js';

/** Asks for the deployment id at a terminal; true only when it is retyped exactly. */
async function confirmed(ctx: CliContext, deploymentId: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr, terminal: false });
  try {
    const answer = await rl.question(
      `This removes everything listed above from the Genesys org.\nType the deployment id (${deploymentId}) to confirm: `,
    );
    return answer.trim() === deploymentId;
  } finally {
    rl.close();
  }
}

export default defineCommand({
  name: 'destroy',
  order: 32,
  summary:
    'remove what the kit created in the org (lists it, then asks for the deployment id; --yes to skip)',
  examples: ['daspeak-genesys destroy', 'daspeak-genesys destroy --yes --json   # in CI'],
  configure(cmd) {
    cmd
      .option(...STATE_DIR_OPTION)
      .option(...REQUEST_TIMEOUT_OPTION)
      .option('-y, --yes', 'do not ask for the deployment id');
  },
  async run(ctx, options) {
    const { config } = ctx.loadConfig();
    genesysOf(config); // a Twilio config has no org: refused (exit 2) before anything is read or written
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
    const deployment = {
      config,
      configPath: ctx.configPath,
      stateDir,
      logger: ctx.logger,
      platform: platformOptions(options),
    };
    if (!options.yes) {
      if (!ctx.io.stdin.isTTY) {
        ctx.io.stderr.write(
          'error: destroy asks for the deployment id at a terminal (hint: run it at a terminal, or pass --yes)\n',
        );
        return 2;
      }
      const { objects } = await planDestroy(deployment);
      if (objects.length === 0) {
        ctx.print(`Deployment ${deploymentId} owns nothing in the org; nothing to remove.`);
        return 0;
      }
      // On stderr with the question, so `destroy > log` still shows what is being confirmed.
      ctx.io.stderr.write(`Deployment ${deploymentId} owns ${objects.length} objects in the org:\n`);
      for (const o of objects) ctx.io.stderr.write(`  - ${o.kind} "${o.name}" (${o.id})\n`);
      if (!(await confirmed(ctx, deploymentId))) {
        ctx.io.stderr.write('error: the deployment id was not retyped; nothing was destroyed\n');
        return 1;
      }
    }
    const progress = createProgress(ctx);
    const out = await destroyDeployment({ ...deployment, onProgress: progress.onProgress });
    ctx.printJson({ ok: out.failed.length === 0, ...out, apiCalls: out.stats });
    const [summary, ...rest] = formatDestroy(out);
    // At a terminal each removal was shown as it happened.
    for (const line of rest) if (!progress.live || !line.startsWith('  - ')) ctx.print(line);
    progress.summary(summary!);
    if (ctx.globals.verbose) ctx.print(describeStats(out.stats));
    return out.failed.length === 0 ? 0 : 1;
  },
});
