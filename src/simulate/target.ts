/**
 * Where the simulated calls go. `config` is a real deployment described by the kit config; `sandbox` is
 * an emulator the caller has started (the CLI starts one in-process), described by the same config the
 * sandbox example uses with the emulator's actual address. Nothing here knows the emulator itself, so
 * both targets take exactly the same path through the simulator.
 */
import { randomUUID } from 'node:crypto';
import { SANDBOX } from '../config/defaults.js';
import { exampleValues } from '../config/example.js';
import { parseConfigText } from '../config/loader.js';
import type { AudiohookConfig, KitConfig } from '../config/schema.js';
import type { DaspeakConfig } from '../daspeak/client.js';
import { SimulateError } from './errors.js';
import type { Target } from './options.js';
import { audiohookOf, genesysOf } from '../config/platform.js';

/** A Genesys org that can be asked to place a call: a sandbox org and its control route. */
export interface GenesysCallTarget {
  /** The org's base URL (`genesys.baseUrl`); the control route is `POST {baseUrl}/sandbox/calls`. */
  baseUrl: string;
  /** Queue name or id the calls are routed to. */
  queue: string;
}

export interface ResolvedTarget {
  name: Target;
  daspeak: DaspeakConfig;
  /** Where the simulated calls stream over Audiohook (daspeak.audiohook, required here). */
  audiohook: AudiohookConfig;
  /** Audiohook `organizationId` of every call. */
  organizationId: string;
  /**
   * Where the organization id came from; `random` deserves a note to the person. `genesys`: the org
   * placing the calls sends its own (the run reports the one its calls carried).
   */
  organizationIdFrom: 'option' | 'config' | 'sandbox' | 'random' | 'genesys';
  /** Set when the calls are placed by a Genesys org (`--via-genesys`) instead of by the simulator. */
  genesys?: GenesysCallTarget;
}

/** The kit config of `init --sandbox`, with the das-Peak URLs moved to where the emulator listens. */
export function sandboxKitConfig(address: { host: string; port: number }): KitConfig {
  const values = exampleValues({ sandbox: true });
  const from = `//${SANDBOX.host}:${SANDBOX.daspeakPort}`;
  const to = `//${address.host}:${address.port}`;
  const moved = JSON.parse(JSON.stringify(values.daspeak).split(from).join(to)) as unknown;
  return parseConfigText(JSON.stringify({ ...values, daspeak: moved }), '<sandbox config>').config;
}

export function sandboxTarget(
  address: { host: string; port: number },
  organizationId?: string,
): ResolvedTarget {
  const config = sandboxKitConfig(address);
  return {
    name: 'sandbox',
    daspeak: config.daspeak,
    audiohook: audiohookOf(config),
    organizationId: organizationId ?? SANDBOX.genesys.organizationId,
    organizationIdFrom: organizationId ? 'option' : 'sandbox',
  };
}

/** A real deployment: das-Peak's endpoints and secrets from the kit config, the org from the option or config. */
export function configTarget(config: KitConfig, organizationId?: string): ResolvedTarget {
  if (config.platform === 'twilio') {
    // Without --platform twilio the calls are Genesys calls, streamed over Audiohook.
    throw new SimulateError(
      'simulate.platform_mismatch',
      'the config is for Twilio (platform: twilio), and without --platform twilio simulate plays Genesys calls over Audiohook',
      { usage: true, hint: 'add --platform twilio (register, then verify, over Twilio Media Streams)' },
    );
  }
  const fromConfig = config.genesys?.organizationId;
  return {
    name: 'config',
    daspeak: config.daspeak,
    audiohook: audiohookOf(config),
    organizationId: organizationId ?? fromConfig ?? randomUUID(),
    organizationIdFrom: organizationId ? 'option' : fromConfig ? 'config' : 'random',
  };
}

/**
 * `--via-genesys`: das-Peak from the kit config, and the org at `genesys.baseUrl` to place the calls.
 * Only a sandbox org can be asked to place a call: real Genesys Cloud has no API that makes a
 * customer call in with chosen audio, so a config naming a `genesys.region` is refused up front.
 */
export function genesysTarget(config: KitConfig, queue?: string): ResolvedTarget {
  const { region, baseUrl } = genesysOf(config);
  if (region !== undefined || baseUrl === undefined) {
    throw new SimulateError(
      'simulate.genesys_not_sandbox',
      `--via-genesys needs a sandbox Genesys org (genesys.baseUrl); this config names ${region !== undefined ? `the Genesys Cloud region ${region}` : 'no genesys.baseUrl'}, and real Genesys Cloud cannot be scripted to place a call`,
      {
        usage: true,
        hint: 'point --config at the local stack (`npm start` writes its config), or place a real call to a monitored queue and run the widget or IVR',
      },
    );
  }
  const chosen = queue ?? config.widget.queues[0];
  if (chosen === undefined) {
    throw new SimulateError(
      'simulate.genesys_no_queue',
      '--via-genesys needs a queue to route the call to: the config lists no widget.queues and no --queue was given',
      {
        usage: true,
        hint: 'give --queue <name>, or list the queue under widget.queues and run `daspeak-genesys provision` so it gets audio monitoring',
      },
    );
  }
  const fromConfig = config.genesys?.organizationId;
  return {
    name: 'config',
    daspeak: config.daspeak,
    audiohook: audiohookOf(config),
    organizationId: fromConfig ?? '',
    organizationIdFrom: 'genesys',
    genesys: { baseUrl: baseUrl.replace(/\/+$/, ''), queue: chosen },
  };
}
