/**
 * A worker thread of `analyzeCaptures`: reads, decodes and collects whole
 * captures it is given, one at a time, and sends back each capture's
 * collector snapshot and summary. The main thread merges them in capture
 * order (Collector.absorb), so the report is the same as with one thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { collectCapture, type CollectOptions, type WorkerReply, type WorkerJob, serialiseSummary } from './collect.js';
import type { CollectorSnapshot } from './collector.js';

const opts = workerData as CollectOptions;
const port = parentPort!;

/**
 * The snapshot's typed arrays (each a copy of its own) are handed over, not cloned: a capture
 * that fills the tables has ~45 MB of tables, and the statistics columns besides.
 */
function tablesOf(snapshot: CollectorSnapshot): ArrayBuffer[] {
  const t = snapshot.tcpFlows;
  const arrays = [
    snapshot.paths,
    snapshot.pairs,
    snapshot.pairPackets,
    snapshot.plain,
    snapshot.arp,
    snapshot.syns,
    snapshot.synFirst,
    snapshot.synLast,
    snapshot.synCount,
    snapshot.synAnswered,
    snapshot.synStats,
    ...snapshot.pathStats.columns,
    ...snapshot.plainStats.columns,
    t.v4.keys,
    t.v4.rows,
    t.v4.refs,
    t.v6.keys,
    t.v6.rows,
    t.v6.refs,
  ];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

port.on('message', (job: WorkerJob) => {
  collectCapture(job.file, opts, (bytes, packets) => port.postMessage({ type: 'progress', index: job.index, bytes, packets } satisfies WorkerReply)).then(
    ({ collector, summary }) => {
      const snapshot = collector.snapshot();
      port.postMessage({ type: 'done', index: job.index, snapshot, summary: serialiseSummary(summary) } satisfies WorkerReply, tablesOf(snapshot));
    },
    (e: unknown) => port.postMessage({ type: 'failed', index: job.index, message: (e as Error)?.stack ?? String(e) } satisfies WorkerReply),
  );
});
