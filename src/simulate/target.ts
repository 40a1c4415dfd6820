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
import type { KitConfig } from '../config/schema.js';
import type { DaspeakConfig } from '../daspeak/client.js';
import type { Target } from './options.js';

export interface ResolvedTarget {
  name: Target;
  daspeak: DaspeakConfig;
  /** Audiohook `organizationId` of every call. */
  organizationId: string;
  /** Where the organization id came from; `random` deserves a note to the person. */
  organizationIdFrom: 'option' | 'config' | 'sandbox' | 'random';
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
  return {
    name: 'sandbox',
    daspeak: sandboxKitConfig(address).daspeak,
    organizationId: organizationId ?? SANDBOX.genesys.organizationId,
    organizationIdFrom: organizationId ? 'option' : 'sandbox',
  };
}

/** A real deployment: das-Peak's endpoints and secrets from the kit config, the org from the option or config. */
export function configTarget(config: KitConfig, organizationId?: string): ResolvedTarget {
  const fromConfig = config.genesys.organizationId;
  return {
    name: 'config',
    daspeak: config.daspeak,
    organizationId: organizationId ?? fromConfig ?? randomUUID(),
    organizationIdFrom: organizationId ? 'option' : fromConfig ? 'config' : 'random',
  };
}
