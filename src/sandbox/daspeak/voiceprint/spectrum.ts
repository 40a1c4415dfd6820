/**
 * Short-time power spectra for the toy voiceprint engine: a Hann-windowed, radix-2 FFT of a real
 * frame. Written out here (no dependency) because the engine only ever needs one small size.
 */

/**
 * A power-spectrum calculator for frames of `size` samples (a power of two, at least 4). The real frame
 * is packed into a complex one of half the size (even samples real, odd imaginary), transformed, and
 * unpacked: half the work of a complex FFT of the full size.
 */
export class PowerSpectrum {
  readonly size: number;
  /** Bins 0..size/2 inclusive. */
  readonly bins: number;
  private readonly half: number;
  private readonly window: Float64Array;
  /** e^(-2πik/size) for k < size/2: the half-size FFT uses every other one, the unpacking all. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly bitReversed: Uint32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 4) {
      throw new RangeError(`FFT size must be a power of two of at least 4, got ${size}`);
    }
    this.size = size;
    this.bins = size / 2 + 1;
    this.half = size / 2;
    this.window = new Float64Array(size);
    for (let i = 0; i < size; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
    this.cos = new Float64Array(this.half);
    this.sin = new Float64Array(this.half);
    for (let k = 0; k < this.half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    const bits = Math.log2(this.half);
    this.bitReversed = new Uint32Array(this.half);
    for (let i = 0; i < this.half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReversed[i] = r;
    }
    this.re = new Float64Array(this.half);
    this.im = new Float64Array(this.half);
  }

  /**
   * Power spectrum of `frame` (exactly `size` samples, oldest first) into `out` (`bins` values), Hann
   * windowed. Samples are in 16-bit units; the result is divided by the window's energy, so white noise
   * of mean square σ² gives about σ² in every bin whatever the frame size.
   */
  compute(frame: Float64Array, out: Float64Array): void {
    const n = this.half;
    const re = this.re;
    const im = this.im;
    const w = this.window;
    for (let i = 0; i < n; i++) {
      const j = this.bitReversed[i]!;
      re[j] = frame[2 * i]! * w[2 * i]!;
      im[j] = frame[2 * i + 1]! * w[2 * i + 1]!;
    }
    for (let span = 1; span < n; span *= 2) {
      const step = n / span; // twiddle stride in the size-`size` table
      for (let start = 0; start < n; start += 2 * span) {
        for (let k = 0; k < span; k++) {
          const c = this.cos[k * step]!;
          const s = this.sin[k * step]!;
          const a = start + k;
          const b = a + span;
          const tr = re[b]! * c - im[b]! * s;
          const ti = re[b]! * s + im[b]! * c;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
    const norm = 1 / (this.size * 0.375); // the squared Hann window sums to 3·size/8
    for (let k = 0; k <= n; k++) {
      // Z[k] and conj(Z[n-k]) separate the spectra of the even (E) and odd (O) samples;
      // X[k] = E[k] + e^(-2πik/size)·O[k].
      const zr = re[k % n]!;
      const zi = im[k % n]!;
      const cr = re[(n - k) % n]!;
      const ci = -im[(n - k) % n]!;
      const er = (zr + cr) / 2;
      const ei = (zi + ci) / 2;
      const or = (zi - ci) / 2;
      const oi = -(zr - cr) / 2;
      const tc = k < n ? this.cos[k]! : -1;
      const ts = k < n ? this.sin[k]! : 0;
      const xr = er + or * tc - oi * ts;
      const xi = ei + or * ts + oi * tc;
      out[k] = (xr * xr + xi * xi) * norm;
    }
  }
}

export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/**
 * `count + extra` frequencies equally spaced on the mel scale from `lowHz` to `highHz`: the edges of
 * `count` bands, with extra = 2 for triangles (each spans three edges) or 1 for rectangles (two).
 */
export function melEdges(count: number, lowHz: number, highHz: number, extra: number): number[] {
  const low = hzToMel(lowHz);
  const high = hzToMel(highHz);
  const edges: number[] = [];
  for (let i = 0; i < count + extra; i++) edges.push(melToHz(low + ((high - low) * i) / (count + extra - 1)));
  return edges;
}

/** Triangular mel filters as (first bin, weights) pairs, for spectra of `bins` bins over 0..sampleRate/2. */
export interface Filter {
  first: number;
  weights: Float64Array;
}

export function triangularMelFilters(
  count: number,
  lowHz: number,
  highHz: number,
  bins: number,
  sampleRate: number,
): Filter[] {
  const edges = melEdges(count, lowHz, highHz, 2);
  const binHz = sampleRate / 2 / (bins - 1);
  const filters: Filter[] = [];
  for (let b = 0; b < count; b++) {
    const [left, centre, right] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    const first = Math.ceil(left / binHz);
    const last = Math.min(bins - 1, Math.floor(right / binHz));
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++) {
      const f = k * binHz;
      weights[k - first] = f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre);
    }
    filters.push({ first, weights });
  }
  return filters;
}

/** Rectangular bands (sum of the bins whose centre falls in the band), mel-spaced. */
export function rectangularMelBands(
  count: number,
  lowHz: number,
  highHz: number,
  bins: number,
  sampleRate: number,
): Filter[] {
  const edges = melEdges(count, lowHz, highHz, 1);
  const binHz = sampleRate / 2 / (bins - 1);
  const filters: Filter[] = [];
  for (let b = 0; b < count; b++) {
    const first = Math.ceil(edges[b]! / binHz);
    const last = Math.max(first, Math.ceil(edges[b + 1]! / binHz) - 1);
    filters.push({ first, weights: new Float64Array(last - first + 1).fill(1) });
  }
  return filters;
}

/** Applies `filters` to a power spectrum. */
export function applyFilters(spectrum: Float64Array, filters: readonly Filter[], out: Float64Array): void {
  for (let b = 0; b < filters.length; b++) {
    const { first, weights } = filters[b]!;
    let sum = 0;
    for (let k = 0; k < weights.length; k++) sum += spectrum[first + k]! * weights[k]!;
    out[b] = sum;
  }
}
