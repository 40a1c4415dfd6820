import { dirname } from 'node:path';
import { formatIssue } from '../../config/issues.js';
import { isKitError } from '../../errors.js';
import { provisionedOutputs, type ProvisionedOutputs } from '../../provision/index.js';
import { startServer } from '../../server/index.js';
import { describeDatabaseUrl } from '../../store/index.js';
import { defineCommand } from '../command.js';
import { portOption } from '../options.js';
import { untilSignal } from '../signals.js';

const DAY_MS = 86_400_000;

export default defineCommand({
  name: 'serve',
  order: 50,
  summary: 'run the backend: das-Peak token proxy, credential store API and widget files',
  examples: [
    'daspeak-genesys serve',
    'daspeak-genesys serve --port 0 --json   # any free port; prints {"url": …}',
  ],
  configure(cmd) {
    cmd
      .option('--host <address>', 'listen address (default: backend.listen.host)')
      .option('--port <port>', 'listen port, 0 for any free one (default: backend.listen.port)', portOption)
      .option('--no-purge', 'do not apply retention at start and daily');
  },
  async run(ctx, options) {
    const { config, file, warnings } = ctx.loadConfig();
    for (const w of warnings) ctx.note(`warning: ${formatIssue(file, w)}`);
    const purge = options.purge !== false;
    // What provision recorded (the widget's client id, the org), read from its state file, if any.
    let outputs: ProvisionedOutputs | undefined;
    try {
      outputs = provisionedOutputs({ config, configPath: file });
    } catch (err) {
      ctx.note(
        `warning: the provisioning state cannot be read (${isKitError(err) ? err.code : 'error'}); serving without it`,
      );
    }
    if (config.platform === 'genesys' && !outputs?.widgetClientId) {
      ctx.note(
        'warning: no widget OAuth client id (widget.clientId, or run provision): config.js has genesysClientId null',
      );
    }
    const server = await startServer(config, {
      ...(outputs?.widgetClientId ? { widgetClientId: outputs.widgetClientId } : {}),
      ...(config.genesys?.organizationId === undefined && outputs?.organizationId
        ? { organizationId: outputs.organizationId }
        : {}),
      logger: ctx.logger,
      // Relative sqlite: paths are relative to the config file, like every other path in it.
      storeOptions: { baseDir: dirname(file), logger: ctx.logger },
      ...(typeof options.host === 'string' ? { host: options.host } : {}),
      ...(typeof options.port === 'number' ? { port: options.port } : {}),
      purge: { atStart: purge, ...(purge ? { intervalMs: DAY_MS } : {}) },
    });
    const signalled = untilSignal();
    ctx.printJson({
      ok: true,
      url: server.url,
      publicUrl: config.backend.publicUrl,
      database: describeDatabaseUrl(config.backend.databaseUrl),
      pid: process.pid,
    });
    ctx.print(`backend listening on ${server.url} (public URL ${config.backend.publicUrl})`);
    ctx.print('press Ctrl+C to stop');
    const signal = await signalled;
    ctx.note(`${signal}: stopping the backend`);
    await server.close();
    ctx.note('backend stopped');
    return 0;
  },
});
