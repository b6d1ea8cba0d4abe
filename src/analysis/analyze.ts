/**
 * open → decode → analyze: read captures, decode every packet, fold them into
 * the collector, build the report. Used by `podpath analyze`, `diff` and
 * `verify`, and by anyone scripting podpath.
 */
import { readCapture, type CaptureSummary, type ReadOptions } from '../capture/source.js';
import { PacketDecoder } from '../decode/decoder.js';
import { buildReport } from './build-report.js';
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
}

export interface AnalyzeResult {
  report: Report;
  summaries: CaptureSummary[];
}

export async function analyzeCaptures(files: string[], opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const vxlanPorts = [4789, ...(opts.vxlanPorts ?? []).filter((p) => p !== 4789)];
  const decoder = new PacketDecoder({
    vxlanPorts,
    ...(opts.genevePorts ? { genevePorts: [6081, ...opts.genevePorts] } : {}),
  });
  const collector = new Collector({ ...DEFAULT_LIMITS, ...(opts.limits ?? {}) });
  const summaries: CaptureSummary[] = [];
  for (const file of files) {
    collector.beginCapture();
    opts.onFile?.(file);
    let packets = 0;
    const readOpts: ReadOptions = {};
    if (opts.onProgress) {
      const cb = opts.onProgress;
      readOpts.onProgress = (bytes) => cb(file, bytes, packets);
    }
    const summary = await readCapture(
      file,
      (rec) => {
        packets++;
        collector.add(rec, decoder.decodeRecord(rec));
      },
      readOpts,
    );
    summaries.push(summary);
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
