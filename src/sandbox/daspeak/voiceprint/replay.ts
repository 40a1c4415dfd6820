/**
 * Replay detection: a bounded memory of the fingerprints of speech the engine has already heard.
 *
 * A fingerprint is the 32-bit pattern of band-energy changes of one 5 ms hop (analyser.ts). Played
 * again, the same audio gives the same patterns at the same distances from each other, whatever the
 * chunking and however much silence precedes it; only where the stream starts moves, which shifts every
 * position by one constant. So a replay shows up as many fingerprints that match remembered ones at ONE
 * consistent offset (the idea behind landmark audio fingerprinting); fresh speech, even the same person
 * saying the same words, matches at most a few, scattered over many offsets.
 *
 * When the replay is shifted by a fraction of a hop, a hop falls between two remembered ones and its
 * bits are a mix of both, so fewer match exactly; neighbouring offsets are therefore counted together.
 */

/**
 * A lookup looks at the most recent occurrences of a fingerprint only: one that turns up in many
 * utterances says little about where a query came from, and this bounds the work per lookup.
 */
const MAX_OCCURRENCES = 64;

/** The replay-relevant part of a voiceprint. */
export interface FingerprintSequence {
  fingerprints: Uint32Array;
  positions: Uint32Array;
  weakBits: Uint32Array;
}

/** The fingerprint and every variant with some of its weak bits flipped. */
function probes(fingerprint: number, weakBits: number): number[] {
  const out = [fingerprint];
  for (let bit = 1; bit !== 0 && bit <= weakBits; bit = (bit << 1) >>> 0) {
    if (!(weakBits & bit)) continue;
    const n = out.length;
    for (let i = 0; i < n; i++) out.push((out[i]! ^ bit) >>> 0);
  }
  return out;
}

interface Utterance {
  serial: number;
  fingerprints: Uint32Array;
}

interface Occurrence {
  serial: number;
  position: number;
}

export class ReplayMemory {
  /** Most fingerprints held; the oldest utterances are forgotten first. 0 remembers nothing. */
  readonly capacity: number;
  private readonly utterances: Utterance[] = [];
  private readonly index = new Map<number, Occurrence[]>();
  private held = 0;
  private nextSerial = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Fingerprints currently remembered. */
  get size(): number {
    return this.held;
  }

  /**
   * The largest share (0..1) of `fingerprints` found, at one consistent offset, in a single remembered
   * utterance.
   */
  matchedFraction(query: FingerprintSequence): number {
    const { fingerprints, positions, weakBits } = query;
    if (fingerprints.length === 0 || this.held === 0) return 0;
    // Votes per (utterance, offset); each query hop votes at most once for a pair.
    const votes = new Map<string, number>();
    const voted = new Set<string>();
    for (let i = 0; i < fingerprints.length; i++) {
      voted.clear();
      for (const probe of probes(fingerprints[i]!, weakBits[i]!)) {
        const occurrences = this.index.get(probe);
        if (!occurrences) continue;
        for (let o = Math.max(0, occurrences.length - MAX_OCCURRENCES); o < occurrences.length; o++) {
          const { serial, position } = occurrences[o]!;
          const key = `${serial}:${position - positions[i]!}`;
          if (voted.has(key)) continue;
          voted.add(key);
          votes.set(key, (votes.get(key) ?? 0) + 1);
        }
      }
    }
    let best = 0;
    for (const [key, count] of votes) {
      const [serial, offset] = key.split(':').map(Number) as [number, number];
      const around =
        count + (votes.get(`${serial}:${offset - 1}`) ?? 0) + (votes.get(`${serial}:${offset + 1}`) ?? 0);
      if (around > best) best = around;
    }
    return Math.min(1, best / fingerprints.length);
  }

  /** Adds an utterance, forgetting the oldest ones when the memory is full. */
  remember(utterance: FingerprintSequence): void {
    const { fingerprints, positions } = utterance;
    if (this.capacity === 0 || fingerprints.length === 0) return;
    const kept = Math.min(fingerprints.length, this.capacity);
    const serial = this.nextSerial++;
    const stored: Utterance = { serial, fingerprints: fingerprints.slice(0, kept) };
    for (let i = 0; i < kept; i++) {
      const fingerprint = fingerprints[i]!;
      const occurrence = { serial, position: positions[i]! };
      const list = this.index.get(fingerprint);
      if (list) list.push(occurrence);
      else this.index.set(fingerprint, [occurrence]);
    }
    this.utterances.push(stored);
    this.held += kept;
    while (this.held > this.capacity) this.forgetOldest();
  }

  clear(): void {
    this.utterances.length = 0;
    this.index.clear();
    this.held = 0;
  }

  private forgetOldest(): void {
    const oldest = this.utterances.shift();
    if (!oldest) return;
    for (const fingerprint of new Set(oldest.fingerprints)) {
      const list = this.index.get(fingerprint);
      if (!list) continue;
      const rest = list.filter((o) => o.serial !== oldest.serial);
      if (rest.length > 0) this.index.set(fingerprint, rest);
      else this.index.delete(fingerprint);
    }
    this.held -= oldest.fingerprints.length;
  }
}
