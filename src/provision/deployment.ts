import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { KitConfig } from '../config/schema.js';
import { KitError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { OnProgress } from '../progress.js';
import { keyedFingerprints, type SecretFingerprinter } from '../genesys/engine/diff.js';
import { Engine } from '../genesys/engine/engine.js';
import { emptyState, loadState, saveState } from '../genesys/engine/state.js';
import {
  createPlatformClient,
  type PlatformClient,
  type PlatformClientOptions,
} from '../genesys/platform/index.js';
import { createOrg, kitKinds, type GenesysOrg } from '../genesys/resources/index.js';
import { KeyRing } from '../store/index.js';
import { genesysOf } from '../config/platform.js';

/** Default state directory, next to the config file. */
export const DEFAULT_STATE_DIR = '.daspeak-genesys';

export interface DeploymentPaths {
  stateDir: string;
  stateFile: string;
  journalFile: string;
  secretsFile: string;
}

export interface DeploymentOptions {
  config: KitConfig;
  /** The config file: the default state directory sits next to it. */
  configPath: string;
  /** `--state-dir`; default `.daspeak-genesys/` next to the config. */
  stateDir?: string | undefined;
  /** `--secrets-out`; default `secrets.json` in the state directory. */
  secretsOut?: string | undefined;
  logger?: Logger | undefined;
  /** Platform client options (tests inject a clock and a sleep). */
  platform?: PlatformClientOptions | undefined;
  /** Told of each step and each retry pause as they happen (the CLI's progress lines). */
  onProgress?: OnProgress | undefined;
  /**
   * `write` (provision, destroy) generates a deployment id when none exists and keeps it in the state
   * file at once; `read` (plan, doctor) shows a new one without writing anything.
   */
  mode: 'read' | 'write';
}

export interface Deployment {
  config: KitConfig;
  deploymentId: string;
  /** True when no deployment id existed yet (nothing provisioned from this state directory). */
  isNew: boolean;
  paths: DeploymentPaths;
  platform: PlatformClient;
  org: GenesysOrg;
  engine: Engine<KitConfig, GenesysOrg>;
  /** The keyed secret fingerprints of the state file; any other Engine on this state must use it. */
  fingerprinter: SecretFingerprinter;
  organizationId: string | undefined;
  close(): void;
}

export function deploymentPaths(
  options: Pick<DeploymentOptions, 'configPath' | 'stateDir' | 'secretsOut'>,
): DeploymentPaths {
  const stateDir = resolve(options.stateDir ?? join(dirname(options.configPath), DEFAULT_STATE_DIR));
  return {
    stateDir,
    stateFile: join(stateDir, 'state.json'),
    journalFile: join(stateDir, 'journal.jsonl'),
    secretsFile: resolve(options.secretsOut ?? join(stateDir, 'secrets.json')),
  };
}

/** A deployment id from the prefix and random hex, within the id pattern (`^[a-z0-9][a-z0-9-]{3,39}$`). */
export function newDeploymentId(prefix: string, random: (n: number) => Buffer = randomBytes): string {
  const slug = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24);
  const hex = random(4).toString('hex');
  return slug && /^[a-z0-9]/.test(slug) ? `${slug}-${hex}` : `d-${hex}`;
}

/**
 * The id of a new deployment: the prefix and a hash of the organization, the prefix and the state
 * directory, so `plan` (which writes nothing) shows the id the first `provision` will keep, while
 * two state directories remain two deployments. Random only when the org is not known.
 */
export function derivedDeploymentId(
  prefix: string,
  organizationId: string | undefined,
  stateDir: string,
): string {
  if (!organizationId) return newDeploymentId(prefix);
  const hash = createHash('sha256').update(`${organizationId}\0${prefix}\0${stateDir}`).digest();
  return newDeploymentId(prefix, (n) => hash.subarray(0, n));
}

/**
 * Opens a deployment: resolves its files and id (config, else state file, else a new one), connects
 * to the org, checks the state directory belongs to this org and prefix, and builds the engine.
 */
export async function openDeployment(options: DeploymentOptions): Promise<Deployment> {
  const { config } = options;
  // A Twilio config has no org to open: refused here, before any state is read or written.
  const genesys = genesysOf(config);
  const logger = options.logger ?? silentLogger;
  const paths = deploymentPaths(options);
  const state = loadState(paths.stateFile);
  if (state && state.prefix !== config.prefix) {
    throw new KitError(
      'state.other_prefix',
      `the state in ${paths.stateDir} was provisioned with prefix "${state.prefix}", not "${config.prefix}"`,
      { hint: 'destroy that deployment with its own config first, or use another --state-dir' },
    );
  }
  const known = config.deploymentId ?? state?.deploymentId;
  const isNew = known === undefined;

  const platform = createPlatformClient(genesys, {
    logger,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...options.platform,
  });
  try {
    const org = createOrg(platform, {
      provisionerClientId: genesys.clientId,
      secretsFile: paths.secretsFile,
    });
    const identity = await org.lookups.identity();
    const organizationId = identity.organizationId;
    if (state?.organizationId && organizationId && state.organizationId !== organizationId) {
      throw new KitError(
        'state.other_org',
        `the state in ${paths.stateDir} belongs to organization ${state.organizationId}, but the config connects to ${organizationId}`,
        { hint: 'point genesys.* at that organization, or use another --state-dir' },
      );
    }
    if (genesys.organizationId && organizationId && genesys.organizationId !== organizationId) {
      throw new KitError(
        'provision.other_org',
        `genesys.organizationId is ${genesys.organizationId}, but genesys.clientId belongs to ${organizationId}`,
        { hint: 'fix genesys.organizationId or use a client of that organization' },
      );
    }
    const deploymentId = known ?? derivedDeploymentId(config.prefix, organizationId, paths.stateDir);
    if (isNew && options.mode === 'write')
      saveState(paths.stateFile, emptyState(deploymentId, config.prefix));
    // state.json fingerprints secrets with an HMAC under a key derived from the store's keys (see
    // docs/store.md, Caller hashes), so the state file cannot be used to guess them.
    const keys = KeyRing.fromConfig(config.backend.encryptionKeys);
    const fingerprinter = keyedFingerprints({
      fingerprint: (text) => keys.fingerprint(text),
      matches: (fingerprint, text) => keys.fingerprintMatches(fingerprint, text),
    });
    const engine = new Engine<KitConfig, GenesysOrg>({
      kinds: kitKinds(),
      fingerprinter,
      config,
      org,
      prefix: config.prefix,
      deploymentId,
      stateFile: paths.stateFile,
      journalFile: paths.journalFile,
      secretsFile: paths.secretsFile,
      organizationId,
      logger,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return {
      config,
      deploymentId,
      isNew,
      paths,
      platform,
      org,
      engine,
      fingerprinter,
      organizationId,
      close: () => platform.close(),
    };
  } catch (err) {
    platform.close();
    throw err;
  }
}
