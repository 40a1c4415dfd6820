import WebSocket from 'ws';
import { twilioMediaStreamUrl, twilioOf } from '../config/platform.js';
import type { KitConfig } from '../config/schema.js';
import { isKitError } from '../errors.js';
import { createTwilioClient } from '../twilio/client.js';
import type { CheckResult } from './check-result.js';

/**
 * `doctor` for a Twilio config: the account answers with these credentials, the Flex TaskRouter
 * workspace exists (and has workers), and das-Peak's Media Streams consumer accepts a WebSocket.
 * Each check is a line with a fix; none throws.
 */

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function failed(id: string, err: unknown, fix: string): CheckResult {
  const hint = isKitError(err) ? err.hint : undefined;
  return { id, status: 'fail', detail: message(err), fix: hint ?? fix };
}

/** Opens and closes a WebSocket: the upgrade answered is all that is checked (no stream is sent). */
function probeWebSocket(url: string, timeoutMs: number): Promise<CheckResult> {
  const id = 'twilio.media_stream';
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
    const done = (result: CheckResult) => {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(result);
    };
    ws.on('open', () =>
      done({ id, status: 'ok', detail: `${url} accepts WebSocket connections (the <Stream url>)` }),
    );
    ws.on('unexpected-response', (_req, res) =>
      done({
        id,
        status: 'fail',
        detail: `${url} answered HTTP ${res.statusCode} instead of a WebSocket upgrade`,
        fix: "check twilio.mediaStreamUrl: das-Peak's Twilio Media Streams consumer URL, from Veridas",
      }),
    );
    ws.on('error', (err) =>
      done({
        id,
        status: 'fail',
        detail: `${url}: ${message(err)}`,
        fix: 'check twilio.mediaStreamUrl and that das-Peak (or the emulator) runs there',
      }),
    );
  });
}

export async function twilioChecks(config: KitConfig, timeoutMs: number): Promise<CheckResult[]> {
  const t = twilioOf(config);
  const where = t.apiBaseUrl ?? 'https://api.twilio.com';
  // doctor reports rather than waits: one quick retry at most.
  const client = createTwilioClient(t, { timeoutMs, maxRetries: 1, maxRetryDelayMs: 2000 });
  const out: CheckResult[] = [];

  let authenticated = false;
  try {
    await client.calls.list({ limit: 1 });
    authenticated = true;
    out.push({ id: 'twilio.account', status: 'ok', detail: `${where} accepts account ${t.accountSid}` });
  } catch (err) {
    out.push(
      failed('twilio.account', err, 'check twilio.accountSid, twilio.authToken and twilio.apiBaseUrl'),
    );
  }

  if (!authenticated) {
    out.push({ id: 'twilio.workspace', status: 'skip', detail: 'needs twilio.account' });
  } else {
    try {
      const workers = await client.taskrouter.v1.workspaces(t.workspaceSid).workers.list({ limit: 50 });
      out.push(
        workers.length > 0
          ? {
              id: 'twilio.workspace',
              status: 'ok',
              detail: `workspace ${t.workspaceSid} has ${workers.length === 50 ? '50 or more' : workers.length} worker${workers.length === 1 ? '' : 's'}`,
            }
          : {
              id: 'twilio.workspace',
              status: 'warn',
              detail: `workspace ${t.workspaceSid} has no workers`,
              fix: 'Flex agents are TaskRouter workers: is twilio.workspaceSid the "Flex Task Assignment" workspace?',
            },
      );
    } catch (err) {
      out.push(
        failed(
          'twilio.workspace',
          err,
          'check twilio.workspaceSid (Twilio Console → TaskRouter → Workspaces, "Flex Task Assignment")',
        ),
      );
    }
  }

  out.push(await probeWebSocket(twilioMediaStreamUrl(config), timeoutMs));
  return out;
}
