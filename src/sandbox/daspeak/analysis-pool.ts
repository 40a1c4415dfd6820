import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { VoiceActivityDetector } from '../../audio/index.js';
import { KitError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { FromWorker, ToWorker } from './analysis-messages.js';
import type { Voiceprint } from './voiceprint/index.js';

/**
 * Voiceprint accumulators in worker threads. The spectral analysis of a session's audio costs several
 * times what the sockets do, and one thread cannot do it for a couple of hundred real-time calls, so
 * with `analysisWorkers > 0` it runs here. The session still needs its net speech at once, on the main
 * thread: a VoiceActivityDetector with the accumulator's own settings (the defaults, 20 ms frames at
 * 8 kHz) counts it there, deciding exactly as the accumulator's VAD does on the same samples.
 */

interface PendingFinish {
  resolve(voiceprint: Voiceprint): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  alive: boolean;
  open: number;
  pending: Map<number, PendingFinish>;
}

/** A worker-side analysis as the main thread sees it. */
export class RemoteAnalysis {
  private readonly vad = new VoiceActivityDetector();
  private done = false;

  constructor(
    private readonly pool: AnalysisPool,
    private readonly slot: PoolWorker,
    readonly id: number,
  ) {}

  get netSpeechSeconds(): number {
    return this.vad.netSpeechSeconds;
  }

  push(samples: Int16Array): void {
    if (this.done) return;
    this.vad.push(samples);
    // Copied by postMessage: the same samples may go to other sessions of the call.
    this.pool.post(this.slot, { type: 'push', id: this.id, samples });
  }

  finish(): Promise<Voiceprint> {
    if (this.done)
      return Promise.reject(new KitError('analysis.finished', 'the analysis was already finished'));
    this.done = true;
    this.slot.open--;
    if (!this.slot.alive)
      return Promise.reject(new KitError('analysis.worker_gone', 'the analysis worker stopped'));
    return new Promise((resolve, reject) => {
      this.slot.pending.set(this.id, { resolve, reject });
      this.pool.post(this.slot, { type: 'finish', id: this.id });
    });
  }

  dispose(): void {
    if (this.done) return;
    this.done = true;
    this.slot.open--;
    this.pool.post(this.slot, { type: 'drop', id: this.id });
  }
}

export class AnalysisPool {
  private nextId = 1;

  private constructor(
    private readonly workers: PoolWorker[],
    private readonly logger: Logger,
  ) {
    for (const slot of workers) {
      slot.worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
      slot.worker.on('error', (err) => this.onDeath(slot, err));
      slot.worker.on('exit', (code) =>
        this.onDeath(slot, new Error(`the analysis worker exited with ${code}`)),
      );
    }
  }

  /** Starts `size` workers and waits until each has loaded the engine. */
  static async start(size: number, logger: Logger): Promise<AnalysisPool> {
    const workers: PoolWorker[] = [];
    try {
      for (let i = 0; i < size; i++) {
        const worker = spawnWorker();
        workers.push({ worker, alive: true, open: 0, pending: new Map() });
        await new Promise<void>((resolve, reject) => {
          const onMessage = (message: FromWorker) => {
            if (message.type !== 'ready') return;
            cleanup();
            resolve();
          };
          const onError = (err: Error) => {
            cleanup();
            reject(err);
          };
          const cleanup = () => {
            worker.off('message', onMessage);
            worker.off('error', onError);
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
        });
        // Workers must never keep a process alive that forgot to stop the emulator.
        worker.unref();
      }
    } catch (err) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw new KitError(
        'sandbox.analysis_workers_failed',
        `cannot start the analysis workers: ${String(err)}`,
        {
          cause: err,
          hint: 'run with analysisWorkers: 0 to analyse on the main thread',
        },
      );
    }
    return new AnalysisPool(workers, logger);
  }

  /** A new analysis on the least busy live worker, or undefined when none is alive. */
  open(): RemoteAnalysis | undefined {
    let best: PoolWorker | undefined;
    for (const slot of this.workers) {
      if (slot.alive && (!best || slot.open < best.open)) best = slot;
    }
    if (!best) return undefined;
    const id = this.nextId++;
    best.open++;
    this.post(best, { type: 'open', id });
    return new RemoteAnalysis(this, best, id);
  }

  post(slot: PoolWorker, message: ToWorker): void {
    if (slot.alive) slot.worker.postMessage(message);
  }

  async close(): Promise<void> {
    for (const slot of this.workers) slot.alive = false;
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
  }

  private onMessage(slot: PoolWorker, message: FromWorker): void {
    if (message.type === 'ready') return;
    const pending = slot.pending.get(message.id);
    if (!pending) return;
    slot.pending.delete(message.id);
    if (message.type === 'voiceprint') pending.resolve(message.voiceprint);
    else pending.reject(new KitError(message.code, message.message));
  }

  private onDeath(slot: PoolWorker, err: Error): void {
    if (!slot.alive) return;
    slot.alive = false;
    this.logger.error({ err }, 'das-Peak sandbox: an analysis worker died; its sessions fail');
    for (const pending of slot.pending.values()) {
      pending.reject(new KitError('analysis.worker_gone', 'the analysis worker stopped'));
    }
    slot.pending.clear();
  }
}

/**
 * The worker runs the compiled `.js` next to this module; when this module is TypeScript source (tests,
 * tsx), the worker first registers tsx's loader, which a worker does not inherit.
 */
function spawnWorker(): Worker {
  const source = import.meta.url.endsWith('.ts');
  const url = new URL(source ? './analysis-worker.ts' : './analysis-worker.js', import.meta.url);
  if (!source) return new Worker(url);
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx'));
  const api = new URL('./esm/api/index.mjs', loader).href;
  const bootstrap =
    `import(${JSON.stringify(api)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true });
}
