import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GenesysSandbox } from '../../src/sandbox/genesys/index.js';
import { startServices, type Services } from '../flows/data-actions/helpers.js';
import { startOrg } from './helpers.js';

/**
 * The org, das-Peak and the backend on 127.0.0.1, the backend serving a widget page from a directory
 * of the test (a stand-in page when `widgetBuilt`, else no `dist/`, as on a fresh clone). The stops go
 * into `stops` in the order they must run.
 */
export async function healthyStack(
  tmp: () => string,
  stops: (() => Promise<void>)[],
  options: { widgetBuilt?: boolean } = {},
): Promise<{ org: GenesysSandbox; services: Services }> {
  const org = await startOrg();
  stops.push(() => org.stop());
  const widgetDir = join(tmp(), 'widget');
  if (options.widgetBuilt ?? true) {
    mkdirSync(join(widgetDir, 'dist'), { recursive: true });
    writeFileSync(join(widgetDir, 'dist', 'index.html'), '<!doctype html><title>widget</title>');
  }
  const services = await startServices(tmp(), org, { widgetDir });
  stops.unshift(() => services.stop());
  return { org, services };
}
