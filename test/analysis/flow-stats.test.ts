/**
 * FlowStats keeps its example frames in fields (an array cost ~180 bytes per
 * conversation): they still read as the first five frames, in order, also
 * after a worker thread's structured clone and the collector's revival.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { collectCapture } from '../../src/analysis/collect.js';
import { Collector, DEFAULT_LIMITS, FlowStats } from '../../src/analysis/collector.js';

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
    const want = [...collector.pathStats, ...collector.plainStats].map((st) => [st.examples, st.protocols]);
    expect(want.length).toBeGreaterThan(1);
    expect(want.some(([ex]) => ex!.length === 5)).toBe(true);
    expect([...merged.pathStats, ...merged.plainStats].map((st) => [st.examples, st.protocols])).toEqual(want);
    expect(merged.pathStats.every((st) => st instanceof FlowStats)).toBe(true);
  });
});
