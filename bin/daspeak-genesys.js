#!/usr/bin/env node
// Launcher: the compiled CLI lives in dist/ (npm run build).
import('../dist/cli/main.js')
  .then((m) => m.runAsProcess(process.argv))
  .catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
      process.stderr.write('error: the CLI is not built (hint: run `npm run build`)\n');
      process.exitCode = 1;
      return;
    }
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exitCode = 1;
  });
