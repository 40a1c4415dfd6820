/**
 * The benchmarks' load generator: plain JavaScript in a worker thread (its own event loop, so it does
 * not take the servers' time), over keep-alive connections. A job names one URL, or several that the
 * requests go to in turn (several backend instances behind no load balancer).
 */
import { Worker } from 'node:worker_threads';

export interface LoadJob {
  /** One URL, or several taken in turn, request by request. */
  url: string | string[];
  headers: Record<string, string>;
  concurrency: number;
  total: number;
  method?: 'GET' | 'PUT';
  /** A JSON body (PUT). In it and in the URLs, `{{n}}` becomes the request's number, 6 digits. */
  body?: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
async function run(job) {
  const urls = Array.isArray(job.url) ? job.url : [job.url];
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency * urls.length });
  const latencies = [];
  const statuses = {};
  let sent = 0;
  const one = (n) => new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const number = String(n).padStart(6, '0');
    const body = job.body === undefined ? undefined : job.body.replaceAll('{{n}}', number);
    const headers = body === undefined ? job.headers
      : { ...job.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
    const req = http.request(urls[n % urls.length].replaceAll('{{n}}', number), { agent, headers, method: job.method || 'GET' }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
        resolve();
      });
    });
    req.on('error', reject);
    req.end(body);
  });
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: job.concurrency }, async () => {
    while (sent < job.total) { await one(sent++); }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { requests: job.total, seconds, rps: job.total / seconds, p50Ms: at(0.5), p99Ms: at(0.99), statuses };
}
parentPort.on('message', (job) => run(job).then(
  (result) => parentPort.postMessage({ result }),
  (err) => parentPort.postMessage({ error: String(err) }),
));
`;

export class LoadWorker {
  readonly #worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      this.#worker.once('message', (m: { result?: LoadResult; error?: string }) =>
        m.result ? resolve(m.result) : reject(new Error(m.error)),
      );
      this.#worker.postMessage(job);
    });
  }
  stop(): Promise<number> {
    return this.#worker.terminate();
  }
}
