/**
 * open → decode → analyze: read captures, decode every packet, fold them into
 * the collector, build the report. Used by `podpath analyze`, `diff` and
 * `verify`, and by anyone scripting podpath.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaptureSummary } from '../capture/source.js';
import { buildReport } from './build-report.js';
import { type CollectOptions, collectCapture, reviveSummary, type WorkerJob, type WorkerReply } from './collect.js';
import { Collector, DEFAULT_LIMITS, type Limits } from './collector.js';
import { type NodeAddrs, NodeAddrsIndex } from './node-addrs.js';
import type { Report } from './report.js';

export interface AnalyzeOptions {
  nodeAddrs?: NodeAddrs[];
  /** The capturing NIC of captures that do not record it (classic pcap). */
  interfaceName?: string;
  /** Pod CIDRs (e.g. the IPPool 10.244.0.0/16) to tell no-encap pod traffic. */
  podCidrs?: string[];
  /** Pod block prefix length (Calico IPAM: 26). */
  blockSize?: number;
  /** Extra VXLAN UDP ports (4789 always). */
  vxlanPorts?: number[];
  genevePorts?: number[];
  /** Pod pairs listed per path. */
  topPairs?: number;
  limits?: Partial<Limits>;
  /** Progress per file: bytes read from the source and packets so far. */
  onProgress?: (file: string, bytes: number, packets: number) => void;
  onFile?: (file: string) => void;
  /** Worker threads for several captures (default: one per core; 1 = none). The report is the same either way. */
  jobs?: number;
  /** Called once when captures are read in parallel; onProgress then gets the totals over all of them (file "*"). */
  onParallel?: (files: string[]) => void;
}

export interface AnalyzeResult {
  report: Report;
  summaries: CaptureSummary[];
}

/** Set by the build: the worker's file name next to the library (ESM) or the command (CommonJS) bundle. */
declare const __PODPATH_WORKER__: string | undefined;

/** The worker thread's module, next to this one in the build (dist/); absent when running from src/. */
const WORKER_URL = new URL(typeof __PODPATH_WORKER__ === 'string' ? `./${__PODPATH_WORKER__}` : './analysis-worker.js', import.meta.url);

/** Worker threads to use for `n` captures: one per core, at most one per capture; 0 = this thread. */
export function workerCount(n: number, jobs: number | undefined, files: string[]): number {
  const want = Math.min(n, jobs ?? availableParallelism());
  if (want < 2 || files.includes('-') || !existsSync(fileURLToPath(WORKER_URL))) return 0;
  return want;
}

export async function analyzeCaptures(files: string[], opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const vxlanPorts = [4789, ...(opts.vxlanPorts ?? []).filter((p) => p !== 4789)];
  const collectOpts: CollectOptions = {
    vxlanPorts,
    ...(opts.genevePorts ? { genevePorts: [6081, ...opts.genevePorts] } : {}),
    limits: { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) },
  };
  // Each capture gets a collector of its own; they are merged in capture order.
  const collector = new Collector(collectOpts.limits);
  const summaries: CaptureSummary[] = [];
  const workers = workerCount(files.length, opts.jobs, files);
  if (workers > 0) {
    summaries.push(...(await collectInWorkers(files, collectOpts, workers, collector, opts)));
  } else {
    for (const file of files) {
      opts.onFile?.(file);
      const cb = opts.onProgress;
      const one = await collectCapture(file, collectOpts, cb ? (bytes, packets) => cb(file, bytes, packets) : undefined);
      collector.absorb(one.collector.snapshot());
      summaries.push(one.summary);
    }
  }
  const report = buildReport(collector, summaries, {
    nodeAddrs: opts.nodeAddrs && opts.nodeAddrs.length > 0 ? new NodeAddrsIndex(opts.nodeAddrs) : null,
    interfaceName: opts.interfaceName ?? null,
    podCidrs: opts.podCidrs ?? [],
    blockSize: opts.blockSize ?? 26,
    vxlanPorts,
    topPairs: opts.topPairs ?? 10,
  });
  return { report, summaries };
}

/**
 * Read the captures in `n` worker threads, one capture per job, and merge
 * each capture's snapshot into `into` in capture order as soon as the
 * captures before it are in (so at most the out-of-order ones wait in memory).
 */
async function collectInWorkers(files: string[], opts: CollectOptions, n: number, into: Collector, a: AnalyzeOptions): Promise<CaptureSummary[]> {
  a.onParallel?.(files);
  const bytes = new Float64Array(files.length);
  const packets = new Float64Array(files.length);
  const sum = (x: Float64Array): number => x.reduce((p, v) => p + v, 0);
  const done: (WorkerReply & { type: 'done' })[] = [];
  const summaries: CaptureSummary[] = [];
  let next = 0;
  let merged = 0;
  const pool = Array.from({ length: n }, () => new Worker(WORKER_URL, { workerData: opts }));
  try {
    await new Promise<void>((resolve, reject) => {
      const give = (w: Worker): void => {
        if (next < files.length) {
          const job: WorkerJob = { index: next, file: files[next]! };
          next++;
          w.postMessage(job);
        }
      };
      for (const w of pool) {
        w.on('message', (m: WorkerReply) => {
          if (m.type === 'progress') {
            bytes[m.index] = m.bytes;
            packets[m.index] = m.packets;
            a.onProgress?.('*', sum(bytes), sum(packets));
            return;
          }
          if (m.type === 'failed') {
            reject(new Error(`worker failed on ${files[m.index]}: ${m.message}`));
            return;
          }
          done[m.index] = m;
          while (merged < files.length && done[merged]) {
            const d = done[merged]!;
            into.absorb(d.snapshot);
            summaries.push(reviveSummary(d.summary));
            delete done[merged];
            merged++;
          }
          if (merged === files.length) resolve();
          else give(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (merged < files.length) reject(new Error(`a worker thread exited (code ${code}) before its capture was read`));
        });
        give(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return summaries;
}
