/**
 * `daspeak-genesys serve` with a Twilio config, as the built CLI in a child process: the Twilio
 * stand-in and the das-Peak emulator run in this process; the backend serves a Flex agent on a
 * call, survives the stand-in's 429, 503 and slow replies, and stops cleanly on SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { codeOf, request } from '../server/helpers/http.js';
import {
  clearFaults,
  fault,
  flexToken,
  hangUp,
  nextCaller,
  placeCall,
  startTwilioWorld,
  twilioConfigObject,
  type TwilioWorld,
} from '../server/helpers/twilio.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

/** Resolves with the first complete JSON document the child prints on stdout. */
function firstJson(
  child: ChildProcessWithoutNullStreams,
  stderr: () => string,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch {
        // not complete yet
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code} before printing: ${stderr()}`)));
  });
}

let world: TwilioWorld;
let dir: string;

beforeAll(async () => {
  if (!existsSync(BIN.replace(/bin[/\\]daspeak-genesys\.js$/, 'dist/cli/main.js'))) {
    throw new Error('the CLI is not built: run `npm run build` first');
  }
  world = await startTwilioWorld();
  dir = mkdtempSync(join(tmpdir(), 'daspeak-twilio-serve-'));
});

afterAll(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('serve with platform: twilio (built CLI)', () => {
  it('serves a Flex agent on its call, rides out 429, 503 and slow replies of Twilio, stops on SIGTERM', async () => {
    const values = twilioConfigObject(world, 'sqlite:./data/backend.db') as {
      twilio: Record<string, unknown>;
    };
    // The auth token comes from the environment, as a real deployment keeps it.
    values.twilio.authToken = '${env:TWILIO_AUTH_TOKEN}';
    const file = join(dir, 'daspeak-genesys.yaml');
    writeFileSync(file, stringify(values), { mode: 0o600 });

    const child = spawn(process.execPath, [BIN, 'serve', '--config', file, '--port', '0', '--json'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', TWILIO_AUTH_TOKEN: world.twilio.authToken },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const printed = await firstJson(child, () => stderr);
      const base = printed.url as string;
      expect(printed).toMatchObject({ ok: true, database: 'sqlite:./data/backend.db' });

      const { token, workerSid } = await flexToken(world.twilio);
      const from = nextCaller();
      const call = await placeCall(world.twilio, from);
      const on = { token, conversationId: call.callSid };
      const path = `/api/v1/credentials/${encodeURIComponent(from)}`;

      // A slow IAM and TaskRouter (1.5 s each) only make the first answer slower.
      await fault(world.twilio, { delayMs: 1500, count: 3 });
      const put = await request(base, 'PUT', path, { ...on, json: { credential: 'c2xvdy1idXQtZmluZQ' } });
      expect(put.status, put.text).toBe(201);

      // Twilio throttles once (429, Retry-After 0): the backend's client retries and the write passes.
      await fault(world.twilio, { status: 429, count: 1, retryAfter: 0 });
      const again = await request(base, 'PUT', path, { ...on, json: { credential: 'dGhyb3R0bGVkLW9uY2U' } });
      expect(again.status, again.text).toBe(200);

      // Twilio down: 503 twilio.unavailable with Retry-After, nothing written; then it recovers.
      await fault(world.twilio, { status: 503, count: 100 });
      const down = await request(base, 'PUT', path, { ...on, json: { credential: 'ZG93bg' } });
      expect(down.status).toBe(503);
      expect(codeOf(down)).toBe('twilio.unavailable');
      expect(down.headers.get('retry-after')).toBe('5');
      await clearFaults(world.twilio);
      const read = await request(base, 'GET', path, on);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ credential: 'dGhyb3R0bGVkLW9uY2U' });

      // Each fault was really served by the stand-in (and so ridden out by the backend).
      const served = (await (await fetch(`${world.twilio.url}/sandbox/faults`)).json()) as {
        served: Record<string, number>;
      };
      expect(served.served).toMatchObject({ slow: 3, '429': 1 });
      expect(served.served['503']).toBeGreaterThanOrEqual(1);

      // Not this worker's call: refused.
      const bob = await flexToken(world.twilio, world.twilio.workers[1]!.identity);
      const refused = await request(base, 'GET', path, { token: bob.token, conversationId: call.callSid });
      expect(codeOf(refused)).toBe('auth.not_on_conversation');
      expect(bob.workerSid).not.toBe(workerSid);
      await hangUp(world.twilio, call.callSid);

      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).not.toContain(world.twilio.authToken);
      expect(stderr).not.toContain(token);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
