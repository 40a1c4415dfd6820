import { dirname } from 'node:path';
import { Argument } from 'commander';
import { openStore, type CredentialStore } from '../../store/index.js';
import { defineCommand } from '../command.js';

const ACTIONS = ['rotate', 'purge'] as const;
type Action = (typeof ACTIONS)[number];

export default defineCommand({
  name: 'store',
  order: 60,
  summary: 'maintain the credential store: rotate re-encrypts under the newest key, purge applies retention',
  examples: [
    'daspeak-genesys store rotate            # after adding a new key first in backend.encryptionKeys',
    'daspeak-genesys store rotate --batch-size 500 --json',
    'daspeak-genesys store purge --json      # e.g. daily from cron',
  ],
  configure(cmd) {
    cmd
      .addArgument(
        new Argument(
          '<action>',
          'rotate: re-encrypt every row under the first key; purge: delete expired data',
        ).choices(ACTIONS),
      )
      .option('--batch-size <rows>', 'rotate: rows re-encrypted per transaction', '100');
  },
  async run(ctx, options, args) {
    const action = args[0] as Action;
    const { config, file } = ctx.loadConfig();
    const batchSize = Number(options.batchSize);
    let store: CredentialStore | undefined;
    try {
      // Relative sqlite: paths are relative to the config file, like every other path in it.
      store = await openStore(config.backend, { logger: ctx.logger, baseDir: dirname(file) });
      if (action === 'purge') {
        const result = await store.purge();
        const { credentialDays, auditDays } = config.backend.retention;
        ctx.printJson({ ok: true, action, ...result, credentialDays, auditDays });
        ctx.print(
          `purged ${result.credentials} credential(s) unused for over ${credentialDays} days and ${result.audit} audit row(s) older than ${auditDays} days`,
        );
        return 0;
      }
      const result = await store.rotate({ batchSize });
      const done = result.remaining === 0;
      ctx.printJson({ ok: done, action, ...result });
      ctx.print(
        `re-encrypted ${result.rotated} credential(s) under key "${result.keyId}"; ${result.alreadyCurrent} already were; moved ${result.callers.rekeyed} caller(s) to its hash; ${result.callers.alreadyCurrent} already were`,
      );
      if (done) {
        ctx.print(
          'every credential and caller is under the first key: older keys can now be removed from the config',
        );
        return 0;
      }
      const c = result.callers;
      ctx.note(
        `${result.remaining} item(s) still depend on older keys — credentials: ${result.corrupt} do not decrypt, ${result.unknownKey} use a key that is not configured; callers: ${c.corrupt} do not open, ${c.unknownKey} use a key that is not configured, ${c.conflicts} also exist under the new key; ${result.unlinked} row(s) have no caller to re-key them by (see docs/store.md): keep the older keys in the config`,
      );
      return 1;
    } finally {
      await store?.close();
    }
  },
});
