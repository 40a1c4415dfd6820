/**
 * A provision run in its own process, for the kill test: `node --import tsx child-provision.ts
 * <config> <state dir>`. Exit 0 done, 3 failed (the message on stderr).
 */
import { loadConfigFile } from '../../src/config/loader.js';
import { provisionDeployment } from '../../src/provision/index.js';

const [configPath, stateDir] = process.argv.slice(2);
if (!configPath || !stateDir) {
  process.stderr.write('usage: child-provision.ts <config> <state dir>\n');
  process.exit(2);
}
const { config } = loadConfigFile(configPath, { env: {} });
try {
  await provisionDeployment({ config, configPath, stateDir });
  process.exit(0);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(3);
}
