/**
 * A worker thread that runs voiceprint accumulators for the emulator's main thread (see
 * analysis-pool.ts): the spectral analysis is the costly part of a session, and here it runs on another
 * core while the main thread keeps serving sockets.
 */
import { parentPort } from 'node:worker_threads';
import { isKitError } from '../../errors.js';
import type { ToWorker, FromWorker } from './analysis-messages.js';
import { VoiceprintAccumulator } from './voiceprint/index.js';

const port = parentPort;
if (!port) throw new Error('analysis-worker.ts runs as a worker thread only');

const accumulators = new Map<number, VoiceprintAccumulator>();
const post = (message: FromWorker) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'open':
      accumulators.set(message.id, new VoiceprintAccumulator());
      return;
    case 'push':
      accumulators.get(message.id)?.pushPcm(message.samples);
      return;
    case 'drop':
      accumulators.delete(message.id);
      return;
    case 'finish': {
      const accumulator = accumulators.get(message.id);
      accumulators.delete(message.id);
      if (!accumulator) {
        post({ type: 'failed', id: message.id, code: 'analysis.unknown', message: 'no such analysis' });
        return;
      }
      try {
        post({ type: 'voiceprint', id: message.id, voiceprint: accumulator.finish() });
      } catch (err) {
        post({
          type: 'failed',
          id: message.id,
          code: isKitError(err) ? err.code : 'analysis.failed',
          message: err instanceof Error ? err.message : String(err),
        });
      }
      return;
    }
  }
});
post({ type: 'ready' });
