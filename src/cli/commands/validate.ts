import { relative } from 'node:path';
import { ConfigError, formatIssue } from '../../config/issues.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'validate',
  order: 20,
  summary: 'check a config file and print what is wrong (or ok)',
  examples: [
    'daspeak-genesys validate --config daspeak-genesys.yaml',
    'daspeak-genesys validate --skip-env --json   # in CI, where the secrets are not set',
  ],
  configure(cmd) {
    cmd.option('--skip-env', 'do not resolve ${env:NAME} references (check everything else)');
  },
  async run(ctx, options) {
    const shown = relative(ctx.io.cwd, ctx.configPath) || ctx.configPath;
    try {
      const loaded = ctx.loadConfig({ skipEnv: Boolean(options.skipEnv) });
      ctx.printJson({ ok: true, file: ctx.configPath, issues: [], warnings: loaded.warnings });
      for (const w of loaded.warnings) ctx.note(`warning: ${formatIssue(shown, w)}`);
      ctx.print('ok');
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      ctx.printJson({ ok: false, file: ctx.configPath, issues: err.issues, warnings: [] });
      for (const issue of err.issues) ctx.io.stderr.write(`${formatIssue(shown, issue)}\n`);
      const n = err.issues.length;
      if (!ctx.globals.json) ctx.io.stderr.write(`${n} problem${n === 1 ? '' : 's'} found\n`);
      return 1;
    }
  },
});
