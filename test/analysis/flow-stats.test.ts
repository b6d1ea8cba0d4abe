/**
 * FlowStats keeps its example frames in fields (an array cost ~180 bytes per
 * conversation): they still read as the first five frames, in order, also
 * after a worker thread's structured clone and the collector's revival.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeCaptures } from '../../src/analysis/analyze.js';
import { collectCapture } from '../../src/analysis/collect.js';
import { Collector, DEFAULT_LIMITS, FlowStats } from '../../src/analysis/collector.js';
import { ipipPacket, pcapBytes } from './craft.js';

describe('FlowStats', () => {
  it('examples are the first five frames, in order', () => {
    const st = new FlowStats();
    expect(st.examples).toEqual([]);
    st.add(1, 100, 7);
    expect(st.examples).toEqual([7]);
    for (const frame of [9, 12, 13, 20, 21, 40]) st.add(2, 60, frame);
    expect(st.examples).toEqual([7, 9, 12, 13, 20]);
    expect(st.packets).toBe(7);
    expect(st.bytes).toBe(100 + 6 * 60);
  });

  it("a worker thread's snapshot (a structured clone) absorbed by a collector keeps them", async () => {
    const file = join(import.meta.dirname, '..', '..', 'samples', 'vxlan', 'node-a.eth1.pcap');
    const { collector, summary } = await collectCapture(file, { vxlanPorts: [4789], limits: DEFAULT_LIMITS });
    expect(summary.error).toBeNull();
    const snap = structuredClone(collector.snapshot());
    expect(snap.pathStats[0]).not.toBeInstanceOf(FlowStats);
    const merged = new Collector();
    merged.absorb(snap);
    const want = [...collector.pathStats, ...collector.plainStats].map((st) => [st.examples, st.tcpPackets, st.udpPackets, st.icmpPackets, st.otherPackets]);
    expect(want.length).toBeGreaterThan(1);
    expect(want.some(([ex]) => (ex as number[]).length === 5)).toBe(true);
    expect([...merged.pathStats, ...merged.plainStats].map((st) => [st.examples, st.tcpPackets, st.udpPackets, st.icmpPackets, st.otherPackets])).toEqual(want);
    expect(merged.pathStats.every((st) => st instanceof FlowStats)).toBe(true);
  });

  it("a path's MACs come out whole whatever their low 32 bits (kept as a signed integer)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podpath-macs-'));
    const file = join(dir, 'macs.pcap');
    // Low words 0xfacebeef and 0x80000000: negative as signed 32-bit integers.
    const u = { srcMac: 'fe:ed:fa:ce:be:ef', dstMac: '02:01:80:00:00:00', outerSrc: '172.16.0.11', outerDst: '172.16.0.12' };
    const frames = [0, 1, 2].map((i) => ({ ts: 1_700_000_000 + i, data: ipipPacket(u, { src: '10.244.0.5', dst: '10.244.1.7', icmp: { seq: i } }) }));
    writeFileSync(file, pcapBytes({ frames }));
    const { report } = await analyzeCaptures([file]);
    expect(report.paths.map((p) => [p.mode, p.srcMac, p.dstMac])).toEqual([['ipip', 'fe:ed:fa:ce:be:ef', '02:01:80:00:00:00']]);
  });
});
