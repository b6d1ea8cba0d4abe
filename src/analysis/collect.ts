/**
 * One capture, read and decoded into a collector of its own: the unit of
 * work of `analyzeCaptures`, in the main thread or in a worker thread.
 */
import type { Readable } from 'node:stream';
import { CaptureFormatError } from '../capture/errors.js';
import type { RecordSink } from '../capture/record.js';
import { readCapture, readCaptureStream, type CaptureSummary, type ReadOptions } from '../capture/source.js';
import { PacketDecoder } from '../decode/decoder.js';
import { FastDecoder } from '../decode/fast.js';
import { Collector, type CollectorSnapshot, type Limits } from './collector.js';

export interface CollectOptions {
  vxlanPorts: number[];
  genevePorts?: number[];
  limits: Limits;
  /** Decode every packet with the reference decoder (no fast path): for tests that compare the two. */
  referenceOnly?: boolean;
  /** The fast path's flow cache: starting size, and the size it grows to before it starts again (tests only). */
  flowCacheSlots?: number;
  flowCacheMaxSlots?: number;
}

/**
 * Read `file` (a path, or "-" for stdin) into a collector of its own. With
 * `input`, the capture's bytes come from that stream instead (a pipe, a
 * socket), and `file` only names it in the summary and in errors.
 */
export async function collectCapture(
  file: string,
  opts: CollectOptions,
  onProgress?: (bytes: number, packets: number) => void,
  input?: Readable | AsyncIterable<Uint8Array>,
): Promise<{ collector: Collector; summary: CaptureSummary }> {
  const decoder = new PacketDecoder({ vxlanPorts: opts.vxlanPorts, ...(opts.genevePorts ? { genevePorts: opts.genevePorts } : {}) });
  const collector = new Collector(opts.limits, opts.flowCacheSlots, opts.flowCacheMaxSlots);
  const fast = opts.referenceOnly ? null : new FastDecoder(decoder);
  const fp = fast?.packet;
  collector.beginCapture();
  let packets = 0;
  const readOpts: ReadOptions = {};
  if (onProgress) readOpts.onProgress = (bytes) => onProgress(bytes, packets);
  const sink: RecordSink =
    fast && fp
      ? (rec) => {
          packets++;
          if (!fast.decode(rec.buf, rec.offset, rec.capLen, rec.wireLen, rec.linkType)) {
            collector.add(rec, decoder.decodeRecord(rec));
          } else if (!collector.addFast(rec, fp)) {
            collector.add(rec, decoder.decodeRecord(rec));
            collector.rememberFast();
          }
        }
      : (rec) => {
          packets++;
          collector.add(rec, decoder.decodeRecord(rec));
        };
  const summary = input ? await readCaptureStream(input, file, sink, readOpts) : await readCapture(file, sink, readOpts);
  return { collector, summary };
}

/** A summary whose error (a class with getters) survives postMessage. */
export type SerialisedSummary = Omit<CaptureSummary, 'error'> & { error: { code: string; detail: string; offset: number; packet: number; file: string } | null };

export function serialiseSummary(s: CaptureSummary): SerialisedSummary {
  const e = s.error;
  return { ...s, error: e ? { code: e.code, detail: e.detail, offset: e.offset, packet: e.packet, file: e.file } : null };
}

export function reviveSummary(s: SerialisedSummary): CaptureSummary {
  const e = s.error;
  return { ...s, error: e ? new CaptureFormatError(e.code as CaptureFormatError['code'], e.detail, e.offset, e.packet, e.file) : null };
}

export interface WorkerJob {
  index: number;
  file: string;
}

export type WorkerReply =
  | { type: 'progress'; index: number; bytes: number; packets: number }
  | { type: 'done'; index: number; snapshot: CollectorSnapshot; summary: SerialisedSummary }
  | { type: 'failed'; index: number; message: string };
