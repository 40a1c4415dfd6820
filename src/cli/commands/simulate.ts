import { Option } from 'commander';
import { OPERATIONS } from '../../daspeak/contract.js';
import { CHANNELS } from '../../daspeak/outcome.js';
import { silentLogger } from '../../log.js';
import {
  DEFAULT_ANI,
  DEFAULT_HOLD_SECONDS,
  DEFAULT_VOICE,
  EXPECTATIONS,
  TARGETS,
  configTarget,
  formatResult,
  genesysTarget,
  gitExposure,
  inputWarnings,
  isUsageError,
  parseSimulateOptions,
  prepareInputs,
  runSimulation,
  sandboxTarget,
  type ResolvedTarget,
  type SimulateError,
} from '../../simulate/index.js';
import { formatFlowSimulation, simulateFlowCalls } from '../../simulate/flow-call.js';
import { formatTwilioSimulation, simulateTwilioCalls } from '../../simulate/twilio-call.js';
import { PLATFORMS } from '../../simulate/twilio-options.js';
import { twilioOf } from '../../config/index.js';
import type { CliContext } from '../command.js';
import { defineCommand } from '../command.js';
import { createProgress } from '../progress.js';

/** A bad option value: one line (and the JSON error body with --json), exit 2 like Commander's own. */
function usageError(ctx: CliContext, err: SimulateError): number {
  ctx.io.stderr.write(`error: ${err.toLine()}\n(hint: run \`daspeak-genesys simulate --help\` for usage)\n`);
  const error = { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  ctx.printJson({ ok: false, error });
  return 2;
}

/** First Ctrl-C hangs up every call cleanly; a second one leaves at once. */
function interruptOnSigint(ctx: CliContext, controller: AbortController): () => void {
  const onSigint = () => {
    if (controller.signal.aborted) {
      process.off('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    ctx.note('stopping: hanging up the calls in progress (Ctrl-C again to quit at once)');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  return () => process.off('SIGINT', onSigint);
}

export default defineCommand({
  name: 'simulate',
  order: 70,
  summary:
    'play Genesys calls (Audiohook audio + a register/verify session) against das-Peak or its emulator, have the sandbox Genesys org place them, or (--platform twilio) the Twilio stand-in',
  examples: [
    'daspeak-genesys simulate --voice alice --credential-out alice.cred          # register, local emulator',
    'daspeak-genesys simulate --operation verify --voice alice-verify-1 --credential-file alice.cred --channel socketio --speed 10',
    'daspeak-genesys simulate --target config --operation verify --wav caller.wav --credential-file alice.cred --expect verified',
    'daspeak-genesys simulate --calls 100 --concurrency 10 --speed 20 --json   # load: latency percentiles',
    'daspeak-genesys simulate --via-genesys --config daspeak-genesys.yaml --voice alice --credential-out alice.cred   # the sandbox org places the call',
    'daspeak-genesys simulate --via-genesys --flow "daspeak Example Inbound" --voice alice --speed 20   # register, then verify, through the IVR',
    'daspeak-genesys simulate --platform twilio --voice alice --speed 20   # register, then verify, over Twilio Media Streams (in-process stand-in + emulator)',
    'daspeak-genesys simulate --platform twilio --target config --config twilio.yaml --voice alice   # through the stand-in of twilio.apiBaseUrl',
  ],
  configure(cmd) {
    cmd
      .addOption(
        // No Commander default: the default depends on --via-genesys (sandbox, or config with it).
        new Option(
          '--target <where>',
          'sandbox: an in-process das-Peak emulator; config: the deployment in --config (default: sandbox; config with --via-genesys)',
        ).choices(TARGETS),
      )
      .addOption(
        new Option('--operation <op>', 'das-Peak session to run').choices(OPERATIONS).default('register'),
      )
      .addOption(
        // No Commander default: it depends on --platform (rest; socketio with twilio).
        new Option(
          '--channel <channel>',
          'das-Peak signalling channel (default: rest; socketio with --platform twilio)',
        ).choices(CHANNELS),
      )
      .option(
        '--wav <file>',
        'caller audio: PCM16 or µ-law WAV, 8/16/22.05/44.1/48 kHz, mono or stereo (caller first)',
      )
      .option(
        '--voice <name>',
        `built-in caller voice: alice, bruno, chen, dora (source checkout), synth-low, synth-high; append -register, -verify-1 or -verify-2 for a take (default: ${DEFAULT_VOICE})`,
      )
      .option('--credential <base64>', 'verify: the credential a registration returned')
      .option('--credential-file <file>', 'verify: a file holding that credential')
      .option('--credential-out <file>', 'register: save the credential here (mode 0600; never printed)')
      .option(
        '--call-id <uuid>',
        'Genesys conversationId = das-Peak call_id (default: a fresh UUID per call)',
      )
      .option('--ani <number>', 'caller number, normalised to E.164', DEFAULT_ANI)
      .option('--speed <n>', 'play the caller audio n times faster than real time, or "max"', '1')
      .option(
        '--hold <seconds>',
        'after the caller audio, how long the line stays open waiting for the result before the caller hangs up',
        String(DEFAULT_HOLD_SECONDS),
      )
      .option('--calls <n>', 'load mode: number of calls', '1')
      .option('--concurrency <n>', 'load mode: calls at once at most', '1')
      .addOption(
        new Option(
          '--expect <outcome>',
          'exit 0 only if every call ends like this (any = every non-error result)',
        )
          .choices(EXPECTATIONS)
          .default('any'),
      )
      .option(
        '--organization-id <uuid>',
        'Genesys organization id sent in Audiohook (default: from the config)',
      )
      .option(
        '--via-genesys',
        'have the Genesys org of --config place each call (POST {genesys.baseUrl}/sandbox/calls) and stream it to its Audiohook integration. SANDBOX ORG ONLY: real Genesys Cloud cannot be scripted to place a call, so a genesys.region config is refused. Needs a provisioned org (Audiohook integration + audio monitoring on the queue)',
      )
      .option('--force', 'send audio with less net speech than das-Peak waits for (refused otherwise)')
      .option(
        '--queue <name>',
        '--via-genesys: queue (name or id) the org routes the call to (default: the first of widget.queues)',
      )
      .addOption(
        new Option(
          '--platform <platform>',
          'genesys: Genesys calls (Audiohook); twilio: a caller through the Twilio stand-in (Media Streams), registered on a first call and verified on a second, with --voice <speaker>',
        ).choices(PLATFORMS),
      )
      .option(
        '--flow <name>',
        "--via-genesys: the org's published inbound call flow each call goes through: a first call (the voice's register take, 1 at the consent menu) registers the caller, a second (a verify take) verifies them, with no agent",
      );
  },
  async run(ctx, raw) {
    let options;
    let inputs;
    try {
      options = parseSimulateOptions(raw);
      inputs = prepareInputs(options);
    } catch (err) {
      if (isUsageError(err)) return usageError(ctx, err);
      throw err;
    }
    const logger = ctx.globals.verbose ? ctx.logger : silentLogger;
    const controller = new AbortController();
    const stopListening = interruptOnSigint(ctx, controller);
    let stopSandbox: (() => Promise<void>) | undefined;
    try {
      if (options.platform === 'twilio' && options.audio.kind === 'voice') {
        let twilio;
        let daspeak;
        if (options.target === 'sandbox') {
          if (ctx.globals.config)
            ctx.note('note: --config is not read with --target sandbox (use --target config)');
          // Loaded only here: an in-process emulator and Twilio stand-in, on any free ports.
          const { startDaspeakSandbox } = await import('../../sandbox/daspeak/sandbox.js');
          const { startTwilioSandbox } = await import('../../sandbox/twilio/index.js');
          const emulator = await startDaspeakSandbox({ host: '127.0.0.1', port: 0, logger });
          const standIn = await startTwilioSandbox({
            host: '127.0.0.1',
            port: 0,
            logger,
            mediaStreamUrl: emulator.urls.twilio,
          }).catch(async (err: unknown) => {
            await emulator.stop();
            throw err;
          });
          stopSandbox = async () => {
            await standIn.close();
            await emulator.stop();
          };
          twilio = { accountSid: standIn.accountSid, authToken: standIn.authToken, apiBaseUrl: standIn.url };
          daspeak = sandboxTarget({ host: emulator.host, port: emulator.port }).daspeak;
        } else {
          const config = ctx.loadConfig().config;
          twilio = twilioOf(config);
          daspeak = config.daspeak;
        }
        const run = await simulateTwilioCalls({
          twilio,
          daspeak,
          speaker: options.audio.name.trim().toLowerCase(),
          ani: options.ani,
          speed: options.speed,
          channel: options.channel,
          holdSeconds: options.hold,
          signal: controller.signal,
          onProgress: createProgress(ctx).onProgress,
          logger,
        }).catch((err: unknown) => {
          if (isUsageError(err)) return err;
          throw err;
        });
        if (!('calls' in run)) return usageError(ctx, run);
        ctx.printJson(run);
        for (const line of formatTwilioSimulation(run)) ctx.print(line);
        return run.ok ? 0 : 1;
      }
      let target: ResolvedTarget;
      if (options.target === 'sandbox') {
        if (ctx.globals.config)
          ctx.note('note: --config is not read with --target sandbox (use --target config)');
        // Loaded only here, so other commands and `--target config` never load the emulator.
        const { startDaspeakSandbox } = await import('../../sandbox/daspeak/sandbox.js');
        const sandbox = await startDaspeakSandbox({ host: '127.0.0.1', port: 0, logger });
        stopSandbox = () => sandbox.stop();
        target = sandboxTarget({ host: sandbox.host, port: sandbox.port }, options.organizationId);
      } else if (options.viaGenesys) {
        try {
          target = genesysTarget(ctx.loadConfig().config, options.queue);
        } catch (err) {
          if (isUsageError(err)) return usageError(ctx, err);
          throw err;
        }
        ctx.note(
          `note: the Genesys org at ${target.genesys!.baseUrl} places the calls (queue ${target.genesys!.queue}) and streams them to its Audiohook integration`,
        );
      } else {
        try {
          target = configTarget(ctx.loadConfig().config, options.organizationId);
        } catch (err) {
          if (isUsageError(err)) return usageError(ctx, err);
          throw err;
        }
        if (target.organizationIdFrom === 'random') {
          ctx.note(
            `note: no genesys.organizationId in the config and no --organization-id: the calls use ${target.organizationId}`,
          );
        }
      }
      for (const warning of inputWarnings(inputs, options, target)) ctx.note(`warning: ${warning}`);

      if (options.flow !== undefined && target.genesys && options.audio.kind === 'voice') {
        const flowRun = await simulateFlowCalls(target.genesys, {
          flow: options.flow,
          ani: options.ani,
          speaker: options.audio.name.trim().toLowerCase(),
          speed: options.speed,
          signal: controller.signal,
          onProgress: createProgress(ctx).onProgress,
        }).catch((err: unknown) => {
          if (isUsageError(err)) return err;
          throw err;
        });
        if (!('calls' in flowRun)) return usageError(ctx, flowRun);
        ctx.printJson(flowRun);
        for (const line of formatFlowSimulation(flowRun)) ctx.print(line);
        return flowRun.ok ? 0 : 1;
      }

      // Load runs show each call as it ends, at a terminal only (see progress.ts).
      const progress = createProgress(ctx, options.calls > 1 ? {} : { live: false });
      let result;
      try {
        result = await runSimulation(options, inputs, target, {
          logger,
          signal: controller.signal,
          onCall: (report, index) => {
            logger.debug({ call: index + 1, of: options.calls, kind: report.kind }, 'simulate: call ended');
            progress.onProgress({
              type: 'step',
              action: report.kind,
              kind: 'call',
              name: `${index + 1}/${options.calls} ${report.callId}`,
              ...(report.score !== undefined ? { detail: `score ${report.score.toFixed(2)}` } : {}),
            });
          },
        });
      } catch (err) {
        // The org at genesys.baseUrl turned out not to be a sandbox org: as much a usage error as a region config.
        if (isUsageError(err)) return usageError(ctx, err);
        throw err;
      }
      ctx.printJson(result);
      for (const line of formatResult(result)) ctx.print(line);
      if (result.mode === 'single' && result.credentialSavedTo) {
        const exposed = gitExposure(result.credentialSavedTo);
        if (exposed) ctx.note(`warning: ${exposed}`);
      }
      return result.ok ? 0 : 1;
    } finally {
      stopListening();
      await stopSandbox?.();
    }
  },
});
