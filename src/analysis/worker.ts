/**
 * A worker thread of `analyzeCaptures`: reads, decodes and collects whole
 * captures it is given, one at a time, and sends back each capture's
 * collector snapshot and summary. The main thread merges them in capture
 * order (Collector.absorb), so the report is the same as with one thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { collectCapture, type CollectOptions, type WorkerReply, type WorkerJob, serialiseSummary } from './collect.js';
import { type CollectorSnapshot, snapshotArrays } from './collector.js';

const opts = workerData as CollectOptions;
const port = parentPort!;

/**
 * The buffers under the snapshot's typed arrays (views on the collector's own tables: the
 * collector is done) are handed over, not cloned: a capture that fills the tables has ~45 MB
 * of tables, and the statistics columns besides.
 */
const tablesOf = (snapshot: CollectorSnapshot): ArrayBuffer[] => [...new Set(snapshotArrays(snapshot).map((a) => a.buffer as ArrayBuffer))];

port.on('message', (job: WorkerJob) => {
  collectCapture(job.file, opts, (bytes, packets) => port.postMessage({ type: 'progress', index: job.index, bytes, packets } satisfies WorkerReply)).then(
    ({ collector, summary }) => {
      const snapshot = collector.release();
      port.postMessage({ type: 'done', index: job.index, snapshot, summary: serialiseSummary(summary) } satisfies WorkerReply, tablesOf(snapshot));
    },
    (e: unknown) => port.postMessage({ type: 'failed', index: job.index, message: (e as Error)?.stack ?? String(e) } satisfies WorkerReply),
  );
});
