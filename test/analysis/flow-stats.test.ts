/**
 * StatsTable: the collector's per-path and per-conversation statistics in
 * typed-array columns, one row per table entry. Rows read the same after a
 * worker thread's snapshot (a structured clone) is merged, and the encodings
 * (MACs, MSS, example frames) come back whole.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeCaptures } from '../../src/analysis/analyze.js';
import { collectCapture } from '../../src/analysis/collect.js';
import { Collector, DEFAULT_LIMITS } from '../../src/analysis/collector.js';
import { BYTES, FIRST_TS, LAST_TS, MAX_OUTER, PACKETS, StatsTable, STRIDE, TCP, type PacketTime } from '../../src/analysis/flow-stats.js';
import { ipipPacket, pcapBytes } from './craft.js';

/** A packet's record as StatsTable.add reads it: seconds, nanoseconds, frame number. */
const rec = (tsSec: number, tsNsec: number, index: number): PacketTime => ({ tsSec, tsNsec, index });

/** Every column of rows [0, size) of a table, as plain arrays (for comparisons). */
const rowsOf = (t: StatsTable): unknown => ({ ...t.snapshot(), columns: t.snapshot().columns.map((c) => Array.from(c)) });

describe('StatsTable', () => {
  it('examples are the first five frames, in order; counts, bytes and time span', () => {
    const st = new StatsTable(4);
    st.make(0);
    expect(st.examples(0)).toEqual([]);
    st.add(0, rec(5, 0, 7), 100);
    expect(st.examples(0)).toEqual([7]);
    for (const [i, frame] of [9, 12, 13, 20, 21, 40].entries()) st.add(0, rec(i === 2 ? 3 : 6, 0, frame), 60);
    expect(st.examples(0)).toEqual([7, 9, 12, 13, 20]);
    expect(st.get(0, PACKETS)).toBe(7);
    expect(st.get(0, BYTES)).toBe(100 + 6 * 60);
    expect(st.get(0, MAX_OUTER)).toBe(100);
    // The first packet sets both ends, whatever they were (columns start at 0).
    expect([st.get(0, FIRST_TS), st.get(0, LAST_TS)]).toEqual([3, 6]);
    // Another row is untouched.
    st.make(1);
    st.add(1, rec(10, 0, 99), 1);
    expect(st.examples(1)).toEqual([99]);
    expect([st.get(1, FIRST_TS), st.get(1, LAST_TS)]).toEqual([10, 10]);
  });

  it('rows are made in order: a row made out of turn is a bug, not a silent overwrite', () => {
    const st = new StatsTable(4);
    st.make(0);
    expect(() => st.make(2)).toThrow(/out of order/);
    expect(() => st.make(0)).toThrow(/out of order/);
    expect(st.has(0)).toBe(true);
    expect(st.has(1)).toBe(false);
    for (let e = 1; e < 4; e++) st.make(e);
    expect(() => st.make(4)).toThrow(/past the table/);
  });

  it('past its first 1,024 rows a table takes its full size at once, the rows made so far kept', () => {
    const st = new StatsTable(5000);
    expect(st.capacity).toBe(1024);
    for (let e = 0; e < 1025; e++) {
      st.make(e);
      st.add(e, rec(e, 0, e + 1), 60);
      st.setMacs(e, e, e + 1);
    }
    expect(st.capacity).toBe(5000);
    expect(st.exampleFrames.length).toBe(5000 * 5);
    expect(st.hot.length).toBe(5000 * STRIDE);
    for (const e of [0, 511, 1023, 1024]) {
      expect([st.get(e, PACKETS), st.get(e, FIRST_TS), st.examples(e), st.mac(e, false), st.mac(e, true)]).toEqual([1, e, [e + 1], e, e + 1]);
    }
    expect(new StatsTable(10).capacity).toBe(10);
  });

  it('MACs, MSS and round-trip times: "none" is 0 in the column, and values come back whole', () => {
    const st = new StatsTable(2);
    st.make(0);
    st.make(1);
    expect([st.mac(0, false), st.mac(0, true), st.mss(0)]).toEqual([-1, -1, -1]);
    st.setMacs(0, 0xfeedfacebeef, 0x020180000000);
    expect([st.mac(0, false), st.mac(0, true)]).toEqual([0xfeedfacebeef, 0x020180000000]);
    st.setMacs(1, 0, 0xffffffffffff);
    expect([st.mac(1, false), st.mac(1, true)]).toEqual([0, 0xffffffffffff]);
    st.seeMss(0, 1460);
    st.seeMss(0, 1400);
    st.seeMss(1, 0);
    expect([st.mss(0), st.mss(1)]).toEqual([1460, 0]);
    st.rttRoom(1)?.push(0.002);
    st.rttRoom(1)?.push(0.001);
    expect([st.rttsOf(0), st.rttsOf(1)]).toEqual([[], [0.002, 0.001]]);
    for (let i = 0; i < 5000; i++) st.rttRoom(0)?.push(i);
    expect(st.rttsOf(0)).toHaveLength(4096);
  });

  it("a snapshot's rows copied into another table read the same, round-trip times moved by the map", () => {
    const a = new StatsTable(4);
    for (let e = 0; e < 4; e++) {
      a.make(e);
      for (let i = 0; i <= e * 3; i++) a.add(e, rec(100 + i, 0, 10 * e + i), 60 + e);
      a.setMacs(e, 0x0200000000 + e, 0x0300000000 + e);
      a.hot[e * STRIDE + TCP] = e;
      a.checksumsChecked[e] = 64;
      a.seeMss(e, 1000 + e);
    }
    a.rttRoom(2)?.push(0.5);
    const snap = structuredClone(a.snapshot());
    const b = new StatsTable(4);
    // Row 1 did not fit: row 0 lands in b's row 0, and rows 2 and 3, a run, in b's rows 1 and 2.
    b.copyRows(0, snap, 0, 1);
    b.copyRows(1, snap, 2, 2);
    b.copyRows(3, snap, 0, 0);
    b.copyRtts(snap, Int32Array.from([0, -1, 1, 2]));
    expect(b.size).toBe(3);
    expect(() => b.copyRows(4, snap, 0, 1)).toThrow(/out of order/);
    const moved: [number, number][] = [
      [0, 0],
      [2, 1],
      [3, 2],
    ];
    for (const [from, to] of moved) {
      expect([b.get(to, PACKETS), b.examples(to), b.mac(to, false), b.mac(to, true), b.get(to, TCP), b.checksumsChecked[to], b.mss(to), b.get(to, FIRST_TS), b.get(to, LAST_TS)]).toEqual([
        a.get(from, PACKETS),
        a.examples(from),
        a.mac(from, false),
        a.mac(from, true),
        a.get(from, TCP),
        a.checksumsChecked[from],
        a.mss(from),
        a.get(from, FIRST_TS),
        a.get(from, LAST_TS),
      ]);
    }
    expect([b.rttsOf(0), b.rttsOf(1), b.rttsOf(2)]).toEqual([[], [0.5], []]);
  });

  it("a worker thread's snapshot (a structured clone) absorbed by a collector keeps every row", async () => {
    // tcpdump -i any: tunnel paths, and conversations (the pod packets on veths and tunl0).
    const file = join(import.meta.dirname, '..', '..', 'samples', 'any-sll2', 'node-a.any.pcap');
    const { collector, summary } = await collectCapture(file, { vxlanPorts: [4789], limits: DEFAULT_LIMITS });
    expect(summary.error).toBeNull();
    const merged = new Collector();
    merged.absorb(structuredClone(collector.snapshot()));
    expect(collector.pathStats.size).toBeGreaterThan(0);
    expect(collector.plainStats.size).toBeGreaterThan(0);
    const examples = (t: StatsTable): number[][] => Array.from({ length: t.size }, (_, e) => t.examples(e));
    expect(examples(collector.pathStats).some((ex) => ex.length === 5)).toBe(true);
    expect(examples(collector.plainStats).some((ex) => ex.length === 5)).toBe(true);
    expect(rowsOf(merged.pathStats)).toEqual(rowsOf(collector.pathStats));
    expect(rowsOf(merged.plainStats)).toEqual(rowsOf(collector.plainStats));
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
