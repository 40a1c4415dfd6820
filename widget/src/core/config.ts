import { configurationError } from './errors.js';

/**
 * What the core reads from config.js (the integrator may replace that file, so every field is
 * checked and a problem names the field). Platform fields (Genesys region, OAuth client…) are the
 * adapter's to read.
 */
export type Signalling = 'relay' | 'direct';
export type TokenTransport = 'auth' | 'query';

export interface RelayTarget {
  url: string;
  path: string;
  registerNamespace: string;
  verifyNamespace: string;
}

export interface CoreConfig {
  signalling: Signalling;
  /** Relay mode: the backend's Socket.IO. */
  relay: RelayTarget | null;
  /** Direct mode: das-Peak's Socket.IO and the token URL handed to utils.getTemporaryToken. */
  direct: (RelayTarget & { tokenTransport: TokenTransport; authUrl: string }) | null;
  audio: {
    protocol: string;
    format: string;
    codec: string;
    sampleFormat: string;
    sampleRate: number;
    channels: number;
  };
  audioTotalDuration: { register: number; verify: number };
  authenticityThreshold: number;
  verificationThreshold: number;
  modelHash: string;
  requireConsent: boolean;
  consentWordingVersion: string;
}

type Raw = Record<string, unknown>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly raw: Raw) {}

  private at(path: string): unknown {
    let value: unknown = this.raw;
    for (const part of path.split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Raw)[part] : undefined;
    }
    return value;
  }

  string(path: string, fallback?: string, allowEmpty = false): string {
    const value = this.at(path);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || (!allowEmpty && value === '')) {
      this.problems.push(`${path} must be a${allowEmpty ? '' : ' non-empty'} string`);
      return '';
    }
    return value;
  }

  url(path: string): string {
    const value = this.string(path);
    if (value === '') return value;
    try {
      const u = new URL(value);
      if (!['http:', 'https:'].includes(u.protocol)) throw new Error('scheme');
    } catch {
      this.problems.push(`${path} must be an http(s) URL (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  namespace(path: string): string {
    const value = this.string(path);
    if (value !== '' && !value.startsWith('/')) this.problems.push(`${path} must start with /`);
    return value;
  }

  number(path: string, min: number, max: number, fallback?: number): number {
    let value = this.at(path);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string' && value.trim() !== '') value = Number(value);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${path} must be a number from ${min} to ${max}`);
      return min;
    }
    return value;
  }

  boolean(path: string, fallback: boolean): boolean {
    const value = this.at(path);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.problems.push(`${path} must be true or false`);
    return value === true;
  }

  has(path: string): boolean {
    const value = this.at(path);
    return value !== undefined && value !== null;
  }
}

/**
 * Checks config.js's default export. Throws a configuration WidgetError listing every problem (the
 * agent sees "There is a wrong configuration."; the console gets the list).
 */
export function readCoreConfig(raw: unknown): CoreConfig {
  if (raw === null || typeof raw !== 'object') {
    throw configurationError('config.not_an_object', 'config.js must export an object (export default {…})');
  }
  const r = new Reader(raw as Raw);
  const declared = (raw as Raw).signalling;
  // The seed's config.js has no `signalling`: it is direct mode. The kit's says which.
  let signalling: Signalling = r.has('relay') ? 'relay' : 'direct';
  if (declared !== undefined) {
    if (declared !== 'relay' && declared !== 'direct') {
      r.problems.push('signalling must be "relay" or "direct"');
    } else signalling = declared;
  }
  let relay: RelayTarget | null = null;
  let direct: CoreConfig['direct'] = null;
  if (signalling === 'relay') {
    if (!r.has('relay'))
      r.problems.push('relay must describe the backend Socket.IO when signalling is "relay"');
    relay = {
      url: r.url('relay.url'),
      path: r.string('relay.path', '/socket.io'),
      registerNamespace: r.namespace('relay.registerNamespace'),
      verifyNamespace: r.namespace('relay.verifyNamespace'),
    };
  } else {
    const transport = r.string('tokenTransport', 'auth');
    if (transport !== 'auth' && transport !== 'query') {
      r.problems.push(
        `tokenTransport must be "auth" or "query" in a browser (got ${JSON.stringify(transport)}; a header cannot be sent on a browser WebSocket)`,
      );
    }
    direct = {
      url: r.url('sioUrl'),
      path: r.string('sioPath', '/socket.io'),
      registerNamespace: r.namespace('registerNamespace'),
      verifyNamespace: r.namespace('verifyNamespace'),
      tokenTransport: transport === 'query' ? 'query' : 'auth',
      authUrl: r.url('authUrl'),
    };
  }
  const relayed = signalling === 'relay';
  const config: CoreConfig = {
    signalling,
    relay,
    direct,
    audio: {
      protocol: r.string('audioProtocol', 'audiohook'),
      format: r.string('audioFormat', 'raw'),
      codec: r.string('audioCodec', 'mulaw'),
      sampleFormat: r.string('sampleFormat', '', true),
      sampleRate: r.number('sampleRate', 1, 192_000, 8000),
      channels: r.number('channels', 1, 8, 1),
    },
    // In relay mode the backend sends its own session parameters: these only shape the progress bar.
    audioTotalDuration: {
      register: r.number('audioTotalDuration.register', 0.5, 600, relayed ? 5 : undefined),
      verify: r.number('audioTotalDuration.verify', 0.5, 600, relayed ? 3 : undefined),
    },
    authenticityThreshold: r.number('authenticityThreshold', 0, 1, relayed ? 0 : undefined),
    verificationThreshold: r.number('verificationThreshold', 0, 1, relayed ? 0 : undefined),
    modelHash: relayed ? '' : r.string('modelHash'),
    requireConsent: r.boolean('requireConsent', false),
    consentWordingVersion: r.string('consentWordingVersion', '1'),
  };
  if (r.problems.length > 0) {
    throw configurationError('config.invalid', `config.js: ${r.problems.join('; ')}`, r.problems);
  }
  return config;
}
