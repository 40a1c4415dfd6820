import { Argument } from 'commander';
import { twilioMediaStreamUrl, twilioOf } from '../../config/platform.js';
import { createTwilioClient, type TwilioClient } from '../../twilio/client.js';
import { isSid } from '../../twilio/sids.js';
import { startStream, stopStream, type StreamInfo } from '../../twilio/streams.js';
import { streamTwiml, type AfterStream } from '../../twilio/twiml.js';
import type { CliContext } from '../command.js';
import { defineCommand } from '../command.js';
import { positiveInteger, positiveSeconds } from '../options.js';

const ACTIONS = ['twiml', 'stream'] as const;
const STREAM_OPS = ['start', 'stop'] as const;

/** The stream name the kit starts streams with, so `stream stop` finds it without a SID. */
export const DEFAULT_STREAM_NAME = 'daspeak';

/** The caller's number in a TwiML Bin: Twilio replaces {{From}} with the call's From. */
const TWIML_BIN_FROM = '{{From}}';

interface TwilioOptions {
  call?: string;
  stream?: string;
  name: string;
  from?: string;
  workflow?: string;
  redirect?: string;
  pause?: number;
  requestTimeout?: number;
}

/** A usage error: one line with a hint, exit 2 (as commander's own). */
function usage(ctx: CliContext, message: string, hint: string): number {
  ctx.io.stderr.write(`error: ${message} (hint: ${hint})\n`);
  if (ctx.globals.json) {
    ctx.io.stdout.write(
      `${JSON.stringify({ ok: false, error: { code: 'usage', message, hint } }, null, 2)}\n`,
    );
  }
  return 2;
}

function clientFor(
  ctx: CliContext,
  config: ReturnType<CliContext['loadConfig']>['config'],
  o: TwilioOptions,
) {
  return createTwilioClient(twilioOf(config), {
    ...(o.requestTimeout !== undefined ? { timeoutMs: Math.round(o.requestTimeout * 1000) } : {}),
    onRetry: (r) =>
      ctx.note(
        `Twilio answered ${r.status} to ${r.method.toUpperCase()} ${r.path}; retrying in ${(r.delayMs / 1000).toFixed(1)} s (${r.attempt}/3)`,
      ),
  });
}

export default defineCommand({
  name: 'twilio',
  order: 36,
  summary: 'Twilio: print the TwiML that streams a call to das-Peak, or start/stop a stream on a live call',
  examples: [
    'daspeak-genesys twilio twiml --workflow WW…          # paste into a TwiML Bin on your number',
    'daspeak-genesys twilio stream start --call CA…       # stream a live call to das-Peak (REST)',
    'daspeak-genesys twilio stream stop --call CA… --json',
  ],
  configure(cmd) {
    cmd
      .addArgument(new Argument('<action>', 'twiml or stream').choices(ACTIONS))
      .addArgument(new Argument('[op]', 'stream: start or stop').choices(STREAM_OPS))
      .option('--call <sid>', 'stream: the live call (CA…)')
      .option(
        '--stream <sid-or-name>',
        `stream stop: the stream SID (MZ…) or name (default: ${DEFAULT_STREAM_NAME})`,
      )
      .option('--name <name>', 'the stream name', DEFAULT_STREAM_NAME)
      .option(
        '--from <number>',
        `the caller parameter das-Peak gets (twiml default: ${TWIML_BIN_FROM}; stream start default: the call's From)`,
      )
      .option('--workflow <sid>', "twiml: then <Enqueue> into this TaskRouter workflow (WW…, Flex's)")
      .option('--redirect <url>', "twiml: then <Redirect> to this URL (the number's former webhook)")
      .option('--pause <seconds>', 'twiml: then <Pause> this long', positiveInteger)
      .option(
        '--request-timeout <seconds>',
        'stream: deadline of each Twilio request (default 15)',
        positiveSeconds,
      );
  },
  async run(ctx, options, args) {
    const o = options as unknown as TwilioOptions;
    const [action, op] = args as [(typeof ACTIONS)[number], (typeof STREAM_OPS)[number] | undefined];
    if (action === 'twiml') {
      if (op !== undefined)
        return usage(ctx, `twilio twiml takes no "${op}"`, 'run `daspeak-genesys twilio twiml`');
      return twiml(ctx, o);
    }
    if (op === undefined) {
      return usage(
        ctx,
        'twilio stream needs start or stop',
        'e.g. daspeak-genesys twilio stream start --call CA…',
      );
    }
    if (o.call === undefined)
      return usage(ctx, `twilio stream ${op} needs --call`, 'give the live call: --call CA…');
    if (!isSid('CA', o.call)) {
      return usage(
        ctx,
        `--call "${o.call}" is not a call SID`,
        'a call SID is CA followed by 32 hexadecimal digits',
      );
    }
    const { config } = ctx.loadConfig();
    twilioOf(config); // a Genesys config is refused (exit 2) before anything is sent
    const client = clientFor(ctx, config, o);
    return op === 'start' ? start(ctx, client, twilioMediaStreamUrl(config), o) : stop(ctx, client, o);
  },
});

function twiml(ctx: CliContext, o: TwilioOptions): number {
  const given = [o.workflow, o.redirect, o.pause].filter((v) => v !== undefined).length;
  if (given > 1)
    return usage(ctx, 'give one of --workflow, --redirect and --pause', 'the call goes on one way');
  if (o.workflow !== undefined && !/^WW[0-9a-fA-F]{32}$/.test(o.workflow)) {
    return usage(
      ctx,
      `--workflow "${o.workflow}" is not a workflow SID`,
      'a workflow SID is WW followed by 32 hexadecimal digits',
    );
  }
  const url = streamUrlOf(ctx);
  const then: AfterStream | undefined =
    o.workflow !== undefined
      ? { enqueue: { workflowSid: o.workflow } }
      : o.redirect !== undefined
        ? { redirect: o.redirect }
        : o.pause !== undefined
          ? { pauseSeconds: o.pause }
          : undefined;
  const parameters = { from: o.from ?? TWIML_BIN_FROM };
  const xml = streamTwiml({ url, name: o.name, parameters, ...(then ? { then } : {}) });
  ctx.printJson({ ok: true, twiml: xml, url, name: o.name, parameters });
  ctx.print(xml);
  if (!then) {
    ctx.note(
      'note: nothing follows <Start>: add --workflow WW… (into Flex), --redirect <url> or --pause <s>, or the call ends here',
    );
  }
  return 0;
}

/**
 * The consumer URL, read without the secrets: printing TwiML needs no Auth Token. Only when the URL
 * itself comes from the environment is the config read with it.
 */
function streamUrlOf(ctx: CliContext): string {
  const lenient = ctx.loadConfig({ skipEnv: true }).config;
  twilioOf(lenient); // a Genesys config is refused (exit 2)
  try {
    const url = twilioMediaStreamUrl(lenient);
    if (!url.includes('${env:') && !url.includes('%7Benv:')) return url;
  } catch {
    // an unresolved ${env:…} origin: read below with the environment
  }
  return twilioMediaStreamUrl(ctx.loadConfig().config);
}

function printStream(ctx: CliContext, verb: string, s: StreamInfo, url?: string): void {
  ctx.printJson({ ok: true, stream: s, ...(url ? { url } : {}) });
  ctx.print(`${verb} stream ${s.sid}${s.name ? ` (${s.name})` : ''} on call ${s.callSid}: ${s.status}`);
}

async function start(ctx: CliContext, client: TwilioClient, url: string, o: TwilioOptions): Promise<number> {
  const callSid = o.call!;
  // The caller's number is das-Peak's `from` parameter; Twilio knows it (and 20404s an unknown call).
  const from = o.from ?? (await client.calls(callSid).fetch()).from;
  const stream = await startStream(client, callSid, { url, name: o.name, parameters: { from } });
  printStream(ctx, 'started', stream, url);
  return 0;
}

async function stop(ctx: CliContext, client: TwilioClient, o: TwilioOptions): Promise<number> {
  const stream = await stopStream(client, o.call!, o.stream ?? o.name);
  printStream(ctx, 'stopped', stream);
  return 0;
}
