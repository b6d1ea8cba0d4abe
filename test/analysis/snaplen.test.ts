/**
 * Headers-only captures. Large node captures are often taken with a snap
 * length (`tcpdump -s 128`): every header is kept, the payloads are not.
 * Lengths come from the headers (the IP total length, as tcpdump and tshark
 * print them), so such a capture must give the report the whole capture
 * gives: the same paths, pod pairs, TCP findings (retransmissions, the
 * largest segment acknowledged: the MTU findings). Only the capture's own
 * byte count, its truncated packets and the capture.snaplen note differ.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/analyze.js';
import type { Report } from '../../src/analysis/report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'podpath-snaplen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A little-endian classic pcap with every frame cut to its first `snap` bytes (the record keeps its length on the wire). */
function cut(pcap: Buffer, snap: number): { bytes: Buffer; cutFrames: number } {
  const magic = pcap.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not a little-endian classic pcap');
  const out = Buffer.alloc(pcap.length);
  pcap.copy(out, 0, 0, 24);
  out.writeUInt32LE(snap, 16);
  let p = 24;
  let q = 24;
  let cutFrames = 0;
  while (p + 16 <= pcap.length) {
    const capLen = pcap.readUInt32LE(p + 8);
    const kept = Math.min(capLen, snap);
    if (kept < capLen) cutFrames++;
    pcap.copy(out, q, p, p + 16);
    out.writeUInt32LE(kept, q + 8);
    pcap.copy(out, q + 16, p + 16, p + 16 + kept);
    p += 16 + capLen;
    q += 16 + kept;
  }
  return { bytes: out.subarray(0, q), cutFrames };
}

/** The report with what a snap length may change taken out, and the capture named FILE. */
function comparable(r: Report, file: string): unknown {
  const captures = r.captures.map(({ file: _f, bytes: _b, truncatedPackets: _t, ...rest }) => rest);
  const findings = r.findings.filter((f) => f.code !== 'capture.snaplen');
  return JSON.parse(JSON.stringify({ ...r, captures, findings }).split(file).join('FILE'));
}

describe('a capture cut after its headers gives the report of the whole capture', () => {
  const samples: [string, number, string[]][] = [
    // The MTU findings need each segment's size: from the IP header, not from what was kept.
    ['mtu-blackhole/node-a.eth1.pcap', 128, ['mtu.full_size_segments_lost']],
    ['mtu-fragmented/node-a.eth1.pcap', 128, ['mtu.fragmented_outer', 'mtu.mss_too_large']],
    ['mtu-icmp-frag-needed/node-a.eth1.pcap', 128, ['mtu.icmp_fragmentation_needed']],
    ['ipip-two-nics/node-a.eth1.pcap', 96, []],
    ['vxlan/node-a.eth1.pcap', 128, []],
    // -i any over VXLAN: a SYN's header (40 bytes with its options) ends at byte 130.
    ['any-sll2/node-a.any.pcap', 160, []],
    ['no-encap/node-a.eth1.pcap', 96, []],
  ];
  it.each(samples)('%s cut at %d bytes', async (name, snap, mtuFindings) => {
    const whole = join(ROOT, 'samples', name);
    const { bytes, cutFrames } = cut(readFileSync(whole), snap);
    const file = join(dir, name.replace(/\W+/g, '-'));
    writeFileSync(file, bytes);
    const a = (await analyzeCaptures([whole])).report;
    const b = (await analyzeCaptures([file])).report;
    expect(cutFrames).toBeGreaterThan(0);
    expect(b.captures[0]!.truncatedPackets).toBe(cutFrames);
    expect(b.findings.some((f) => f.code === 'capture.snaplen')).toBe(true);
    // The samples' MTU findings hold in both.
    for (const code of mtuFindings) {
      expect(a.findings.some((f) => f.code === code)).toBe(true);
      expect(b.findings.some((f) => f.code === code), code).toBe(true);
    }
    expect(comparable(b, file)).toEqual(comparable(a, whole));
  });
});
