/**
 * open → decode → analyze: read captures, decode every packet, fold them into
 * the collector, build the report. Used by `podpath analyze`, `diff` and
 * `verify`, and by anyone scripting podpath.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaptureSummary } from '../capture/source.js';
import { buildReport } from './build-report.js';
import { type CollectOptions, collectCapture, reviveSummary, type WorkerJob, type WorkerReply } from './collect.js';
import { Collector, type CollectorSnapshot, DEFAULT_LIMITS, type Limits } from './collector.js';
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
  /** Every packet through the reference decoder, none through the fast path: the report must not change (tests, `npm run fuzz`). */
  referenceOnly?: boolean;
}

export interface AnalyzeResult {
  report: Report;
  summaries: CaptureSummary[];
}

/** Set by the build: the worker's file name next to the library (ESM) or the command (CommonJS) bundle. */
declare const __PODPATH_WORKER__: string | undefined;

/** The worker thread's module, next to this one in the build (dist/); absent when running from src/. */
const WORKER_URL = new URL(typeof __PODPATH_WORKER__ === 'string' ? `./${__PODPATH_WORKER__}` : './analysis-worker.js', import.meta.url);

/** Threads to use for `n` captures, this one included: one per core, at most one per capture; 0 = this thread alone. */
export function workerCount(n: number, jobs: number | undefined, files: string[]): number {
  if (files.includes('-') || !existsSync(fileURLToPath(WORKER_URL))) return 0;
  return threadsFor(n, jobs, availableParallelism(), jobs === undefined ? totalBytes(files) : 0);
}

/**
 * The decision itself: `jobs` as asked, else one thread per core when the
 * captures add up to PARALLEL_MIN_BYTES or more. Unasked, small captures
 * stay on this thread: a worker's start and JIT warm-up cost more than they
 * save (two 80 MB captures: 0.65 s one after the other, 0.78 s in parallel here).
 */
export function threadsFor(captures: number, jobs: number | undefined, cores: number, bytes: number): number {
  const want = Math.min(captures, jobs ?? cores);
  if (want < 2) return 0;
  if (jobs === undefined && bytes < PARALLEL_MIN_BYTES) return 0;
  return want;
}

/** Below this many bytes of captures in all, the default is one thread. */
export const PARALLEL_MIN_BYTES = 256 << 20;

function totalBytes(files: string[]): number {
  let total = 0;
  for (const f of files) {
    try {
      total += statSync(f).size;
    } catch {
      // Reported when the capture is read.
    }
  }
  return total;
}

export async function analyzeCaptures(files: string[], opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const vxlanPorts = [4789, ...(opts.vxlanPorts ?? []).filter((p) => p !== 4789)];
  const collectOpts: CollectOptions = {
    vxlanPorts,
    ...(opts.genevePorts ? { genevePorts: [6081, ...opts.genevePorts] } : {}),
    limits: { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) },
    ...(opts.referenceOnly ? { referenceOnly: true } : {}),
  };
  // Each capture gets a collector of its own; they are merged in capture order. The first
  // capture's collector (read in this thread) is the report's own: merging it into an empty one
  // only copied every table (~15 ms and as much in garbage collection on a capture of 4,096
  // connections; a scan's tables stood twice in memory). The others are merged from views on
  // their tables.
  let collector: Collector | null = null;
  const summaries: CaptureSummary[] = [];
  const workers = workerCount(files.length, opts.jobs, files);
  if (workers > 0) {
    const got = await collectInWorkers(files, collectOpts, workers, opts);
    collector = got.collector;
    summaries.push(...got.summaries);
  } else {
    for (const file of files) {
      opts.onFile?.(file);
      const cb = opts.onProgress;
      const one = await collectCapture(file, collectOpts, cb ? (bytes, packets) => cb(file, bytes, packets) : undefined);
      if (collector === null) collector = one.collector;
      else collector.absorb(one.collector.release());
      summaries.push(one.summary);
    }
  }
  collector ??= new Collector(collectOpts.limits);
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
 * Read the captures on `n` threads: this one and n - 1 workers, one capture
 * per job, and merge each capture into the first one's collector in capture
 * order as soon as the captures before it are in (so at most the
 * out-of-order ones wait in memory). This thread takes jobs too, the first
 * capture among them (its collector becomes the merged one, as with one
 * thread): a worker starts cold (its own isolate, its own JIT warm-up), and
 * with this thread idle two small captures on two workers took longer than
 * one after the other here.
 */
async function collectInWorkers(files: string[], opts: CollectOptions, n: number, a: AnalyzeOptions): Promise<{ collector: Collector; summaries: CaptureSummary[] }> {
  a.onParallel?.(files);
  const bytes = new Float64Array(files.length);
  const packets = new Float64Array(files.length);
  const sum = (x: Float64Array): number => x.reduce((p, v) => p + v, 0);
  const progress = (index: number, b: number, p: number): void => {
    bytes[index] = b;
    packets[index] = p;
    a.onProgress?.('*', sum(bytes), sum(packets));
  };
  /** A capture that is in: its collector (read in this thread) or a worker's snapshot of one. */
  type Done = { collector: Collector; summary: CaptureSummary } | { snapshot: CollectorSnapshot; summary: CaptureSummary };
  const done: (Done | undefined)[] = [];
  const summaries: CaptureSummary[] = [];
  let into: Collector | null = null;
  let next = 0;
  let merged = 0;
  const pool = Array.from({ length: n - 1 }, () => new Worker(WORKER_URL, { workerData: opts }));
  try {
    await new Promise<void>((resolve, reject) => {
      /** A capture is in: merge what can be merged in order; true when all are. */
      const finish = (index: number, d: Done): boolean => {
        done[index] = d;
        while (merged < files.length && done[merged]) {
          const m = done[merged]!;
          if (into === null && 'collector' in m) into = m.collector;
          else (into ??= new Collector(opts.limits)).absorb('collector' in m ? m.collector.release() : m.snapshot);
          summaries.push(m.summary);
          done[merged] = undefined;
          merged++;
        }
        if (merged === files.length) resolve();
        return merged === files.length;
      };
      const give = (w: Worker): void => {
        if (next < files.length) {
          const job: WorkerJob = { index: next, file: files[next]! };
          next++;
          w.postMessage(job);
        }
      };
      // This thread's share: the first capture, then the next one nobody has taken, until none
      // is left. Its first job is taken here, before the workers get theirs.
      void (async () => {
        while (next < files.length) {
          const index = next++;
          const file = files[index]!;
          const one = await collectCapture(file, opts, (b, p) => progress(index, b, p));
          if (finish(index, one)) return;
        }
      })().catch(reject);
      for (const w of pool) {
        w.on('message', (m: WorkerReply) => {
          if (m.type === 'progress') {
            progress(m.index, m.bytes, m.packets);
            return;
          }
          if (m.type === 'failed') {
            reject(new Error(`worker failed on ${files[m.index]}: ${m.message}`));
            return;
          }
          if (!finish(m.index, { snapshot: m.snapshot, summary: reviveSummary(m.summary) })) give(w);
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
  return { collector: into ?? new Collector(opts.limits), summaries };
}
