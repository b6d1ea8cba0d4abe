/**
 * Several captures: each is collected on its own and merged in capture order
 * (Collector.absorb), in this thread or in worker threads. The merged report
 * must be the one a single collector fed every capture in turn gives, and a
 * snapshot that went through structured cloning (what postMessage does to it
 * on the way back from a worker) must merge to the same report.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures, PARALLEL_MIN_BYTES, threadsFor } from '../../src/analysis/analyze.js';
import { buildReport } from '../../src/analysis/build-report.js';
import { collectCapture } from '../../src/analysis/collect.js';
import { Collector, DEFAULT_LIMITS, type Limits, snapshotArrays } from '../../src/analysis/collector.js';
import { loadNodeAddrs, NodeAddrsIndex } from '../../src/analysis/node-addrs.js';
import type { Report } from '../../src/analysis/report.js';
import { readCapture, type CaptureSummary } from '../../src/capture/source.js';
import { PacketDecoder } from '../../src/decode/decoder.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const s = (...p: string[]): string => join(SAMPLES, ...p);
const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'captures', 'formats');

const VXLAN_PORTS = [4789];

async function options(addrFiles: string[]) {
  const addrs = await Promise.all(addrFiles.map((f) => loadNodeAddrs(f)));
  return { nodeAddrs: addrs.length ? new NodeAddrsIndex(addrs) : null, interfaceName: null, podCidrs: [], blockSize: 26, vxlanPorts: VXLAN_PORTS, topPairs: 10 };
}

/** The reference: one collector fed every capture in turn. */
async function oneCollector(files: string[], addrFiles: string[], limits: Limits): Promise<Report> {
  const decoder = new PacketDecoder({ vxlanPorts: VXLAN_PORTS });
  const col = new Collector(limits);
  const summaries: CaptureSummary[] = [];
  for (const f of files) {
    col.beginCapture();
    summaries.push(await readCapture(f, (rec) => col.add(rec, decoder.decodeRecord(rec))));
  }
  return buildReport(col, summaries, await options(addrFiles));
}

/** Per-capture collectors, their snapshots cloned as postMessage clones them, merged. */
async function clonedMerge(files: string[], addrFiles: string[], limits: Limits): Promise<Report> {
  const col = new Collector(limits);
  const summaries: CaptureSummary[] = [];
  for (const f of files) {
    const one = await collectCapture(f, { vxlanPorts: VXLAN_PORTS, limits });
    col.absorb(structuredClone(one.collector.snapshot()));
    summaries.push(one.summary);
  }
  return buildReport(col, summaries, await options(addrFiles));
}

const SETS: [string, string[], string[]][] = [
  ['three-nics-storage: two NICs of one node', [s('three-nics-storage', 'node-a.ens4.pcap'), s('three-nics-storage', 'node-a.ens5.pcap')], [s('three-nics-storage', 'node-a.addrs.json'), s('three-nics-storage', 'node-b.addrs.json')]],
  ['before-after-nic before + after (pcapng, the same pod pair twice)', [s('before-after-nic', 'before', 'node-a.pcapng'), s('before-after-nic', 'after', 'node-a.pcapng')], []],
  ['five scenarios at once (VXLAN, IPIP, SLL2, TCP black hole, ICMP errors)', ['vxlan/node-a.eth1.pcap', 'ipip-two-nics/node-a.eth1.pcap', 'any-sll2/node-a.any.pcap', 'mtu-blackhole/node-a.eth1.pcap', 'mtu-icmp-frag-needed/node-a.eth1.pcap'].map((f) => s(f)), []],
  ['the same capture twice', [s('mtu-blackhole', 'node-a.eth1.pcap'), s('mtu-blackhole', 'node-a.eth1.pcap')], [s('mtu-blackhole', 'node-a.addrs.json'), s('mtu-blackhole', 'node-b.addrs.json')]],
  ['twelve corpus captures', readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort().slice(0, 12).map((f) => join(CORPUS, f)), []],
];

describe('several captures merge to the report of one collector', () => {
  for (const [name, files, addrs] of SETS) {
    it(name, async () => {
      expect(files.length).toBeGreaterThanOrEqual(2);
      const want = await oneCollector(files, addrs, DEFAULT_LIMITS);
      const nodeAddrs = await Promise.all(addrs.map((f) => loadNodeAddrs(f)));
      const { report } = await analyzeCaptures(files, { nodeAddrs, jobs: 1 });
      expect(report).toEqual(want);
      expect(await clonedMerge(files, addrs, DEFAULT_LIMITS)).toEqual(want);
      expect(report.captures.map((c) => c.file)).toEqual(files);
    });
  }

  it.each([
    ['vxlan/node-a.eth1.pcap', []],
    ['three-nics-storage/node-a.ens5.pcap', ['three-nics-storage/node-a.addrs.json', 'three-nics-storage/node-b.addrs.json']],
    ['any-sll2/node-a.any.pcap', []],
  ] as [string, string[]][])('one capture (%s): its own collector makes the report a merge of it makes', async (file, addrFiles) => {
    // analyzeCaptures does not merge a lone capture's collector into an empty one; nothing may change for it.
    const files = [s(file)];
    const addrs = addrFiles.map((f) => s(f));
    const nodeAddrs = await Promise.all(addrs.map((f) => loadNodeAddrs(f)));
    const { report, summaries } = await analyzeCaptures(files, { nodeAddrs, jobs: 1 });
    expect(report.totals.packets).toBeGreaterThan(0);
    expect(summaries.map((x) => x.file)).toEqual(files);
    expect(report).toEqual(await clonedMerge(files, addrs, DEFAULT_LIMITS));
    expect(report).toEqual(await oneCollector(files, addrs, DEFAULT_LIMITS));
  });

  it('release() is the snapshot without copies: the same tables, as views on the collector\'s own buffers', async () => {
    // What analyzeCaptures merges in this thread and what a worker hands over: a copy beside
    // every table held a scan's tables twice (two scans with --jobs 1 peaked at 323 MiB, 193 without).
    const { collector } = await collectCapture(s('mtu-blackhole', 'node-a.eth1.pcap'), { vxlanPorts: VXLAN_PORTS, limits: DEFAULT_LIMITS });
    const copy = collector.snapshot();
    const views = collector.release();
    const again = collector.release();
    expect(views).toEqual(copy);
    expect(copy.tcpFlows.v4.rows.length).toBeGreaterThan(0);
    const [c, v, w] = [copy, views, again].map(snapshotArrays);
    expect(v).toHaveLength(c!.length);
    for (let i = 0; i < v!.length; i++) {
      expect(w![i]!.buffer, `array ${i}`).toBe(v![i]!.buffer);
      expect(c![i]!.buffer, `array ${i}`).not.toBe(v![i]!.buffer);
    }
    // A second snapshot is a copy of its own too.
    expect(snapshotArrays(collector.snapshot())[0]!.buffer).not.toBe(c![0]!.buffer);
  });

  it('tables at their caps: what did not fit is counted, and the clone merges like the original', async () => {
    // At a cap the per-capture collectors cannot know what the captures before them used up, so the
    // side tables (echo replies, ICMP errors on conversations that did not fit) may keep a little
    // more than one collector would: the merged report differs from oneCollector() there, by design
    // (see Collector.absorb). What must hold: nothing is lost from the totals, and a cloned snapshot
    // (worker threads) merges exactly like the original (this thread).
    const [, files] = SETS[2]!;
    const limits: Limits = { maxPaths: 3, maxPodPairs: 4, maxPlain: 3, maxTcpFlows: 2 };
    const full = await oneCollector(files, [], DEFAULT_LIMITS);
    const { report } = await analyzeCaptures(files, { limits, jobs: 1 });
    expect(await clonedMerge(files, [], limits)).toEqual(report);
    expect(report.paths).toHaveLength(3);
    expect(report.totals.packets).toBe(full.totals.packets);
    expect(report.totals.overflowPackets).toBeGreaterThan(0);
    expect(report.totals.podPackets + report.totals.nodeTrafficPackets + report.totals.otherPackets + report.totals.overflowPackets + report.totals.duplicatePodPackets).toBe(
      full.totals.podPackets + full.totals.nodeTrafficPackets + full.totals.otherPackets + full.totals.duplicatePodPackets,
    );
    expect(report.findings.find((f) => f.code === 'analysis.limits_reached')?.message).toContain('TCP segments of further connections were not checked');
  });
});

describe('how many threads several captures get', () => {
  it('as many as asked, at most one per capture; one thread means none started', () => {
    expect(threadsFor(3, 2, 8, 0)).toBe(2);
    expect(threadsFor(3, 8, 2, 0)).toBe(3);
    expect(threadsFor(3, 1, 8, 1e12)).toBe(0);
    expect(threadsFor(1, 8, 8, 1e12)).toBe(0);
  });

  it('unasked: one per core when the captures add up to 256 MiB, else this thread alone', () => {
    expect(PARALLEL_MIN_BYTES).toBe(256 * 2 ** 20);
    expect(threadsFor(2, undefined, 2, PARALLEL_MIN_BYTES)).toBe(2);
    expect(threadsFor(4, undefined, 2, PARALLEL_MIN_BYTES * 4)).toBe(2);
    expect(threadsFor(2, undefined, 2, PARALLEL_MIN_BYTES - 1)).toBe(0);
    expect(threadsFor(2, undefined, 1, PARALLEL_MIN_BYTES * 4)).toBe(0);
  });
});
