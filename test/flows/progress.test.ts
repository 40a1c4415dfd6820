import { describe, expect, it } from 'vitest';
import { useSuiteTmpDir } from '../helpers/tmp.js';
import { spawnBin } from '../helpers/cli.js';
import { atTerminal } from '../helpers/terminal.js';
import { startOrg, workspace } from '../provision/helpers.js';
import { startServices } from './data-actions/helpers.js';

/*
 * Progress of the long flows steps as a person sees it (the built CLI on a pseudo-terminal) and as a
 * pipe sees it (nothing extra): flow publishing in provision, the org read of `flows validate --org`
 * through a 429, and a `flows run` transcript shown as the call goes.
 */

const tmp = useSuiteTmpDir();
const ADMIN = { ADMIN_CLIENT_ID: 'sandbox-admin-client', ADMIN_CLIENT_SECRET: 'sandbox-admin-secret' };

describe('progress of the flows steps', () => {
  it('provision: each flow upload and its publish job, then the flow; validate --org shows its wait', async () => {
    const org = await startOrg();
    try {
      const ws = workspace(org, tmp());
      const run = await atTerminal(['--config', ws.configPath, 'provision', '--grant-with', 'env:ADMIN'], ws.dir, ADMIN);
      expect(run.code, run.text).toBe(0);
      const lines = run.text.split('\n');
      for (const name of ['daspeak Register', 'daspeak Verify', 'daspeak Example Inbound']) {
        const uploaded = lines.findIndex((l) =>
          new RegExp(`^ {2}uploaded flow "${name}" \\([0-9a-f-]{36}\\): waiting for Architect's publish job$`).test(l),
        );
        const created = lines.findIndex((l) => new RegExp(`^ {2}created flow "${name}" \\([0-9a-f-]{36}\\)$`).test(l));
        expect(uploaded, name).toBeGreaterThanOrEqual(0);
        expect(created).toBeGreaterThan(uploaded);
      }
      // Modules before the flow that calls them.
      expect(lines.findIndex((l) => l.includes('uploaded flow "daspeak Verify"'))).toBeLessThan(
        lines.findIndex((l) => l.includes('uploaded flow "daspeak Example Inbound"')),
      );

      org.setFaults({ rateLimitNext: 1, retryAfterSeconds: 1, methods: ['GET'] });
      const validate = await atTerminal(['--config', ws.configPath, 'flows', 'validate', '--org'], ws.dir, {});
      expect(validate.code, validate.text).toBe(0);
      expect(validate.text).toMatch(/^ {2}waiting 1 s: Genesys answered 429 \(rate limited\) to GET \/api\/v2\/[^ ]+; retrying$/m);
      expect(validate.text).toMatch(/^ok: 3 flow files, 0 warnings$/m);

      // Through a pipe: nothing extra.
      org.setFaults({ rateLimitNext: 1, retryAfterSeconds: 1, methods: ['GET'] });
      const piped = await spawnBin(['--config', ws.configPath, 'flows', 'validate', '--org'], { cwd: ws.dir });
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stdout).toBe('ok: 3 flow files, 0 warnings\n');
    } finally {
      await org.stop();
    }
  }, 120_000);

  it('flows run: at a terminal the transcript comes as the call goes and ends with the time; through a pipe, once', async () => {
    const services = await startServices(tmp(), { url: 'http://127.0.0.1:9' });
    try {
      const args = ['--config', services.ws.configPath, 'flows', 'run', 'daspeak Example Inbound', '--ani', '+34600000601', '--voice', 'chen', '--dtmf', '2', '--speed', '20'];
      const live = await atTerminal(args, services.ws.dir, {});
      expect(live.code, live.text).toBe(0);
      expect(live.text.match(/prompt {6}Welcome:/g)).toHaveLength(1);
      expect(live.text).toMatch(/^ended: transferred to Support \([\d.]+ s\)$/m);
      const piped = await spawnBin(args, { cwd: services.ws.dir });
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stdout.match(/prompt {6}Welcome:/g)).toHaveLength(1);
      expect(piped.stdout).toMatch(/^ended: transferred to Support$/m);
      expect(piped.stdout).toMatch(/^ {2}daspeak\.result = no-consent$/m);
    } finally {
      await services.stop();
    }
  }, 120_000);
});
