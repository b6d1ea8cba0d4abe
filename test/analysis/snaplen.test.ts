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
import { captureDamageItems } from '../../src/render/format.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'podpath-snaplen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each record of a little-endian classic pcap: its 16-byte header and its bytes as captured. */
function records(pcap: Buffer): { head: Buffer; data: Buffer }[] {
  const magic = pcap.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not a little-endian classic pcap');
  const out: { head: Buffer; data: Buffer }[] = [];
  for (let p = 24; p + 16 <= pcap.length; ) {
    const capLen = pcap.readUInt32LE(p + 8);
    out.push({ head: pcap.subarray(p, p + 16), data: pcap.subarray(p + 16, p + 16 + capLen) });
    p += 16 + capLen;
  }
  return out;
}

/** A little-endian classic pcap with every frame cut to its first `snap` bytes (the record keeps its length on the wire). */
function cut(pcap: Buffer, snap: number): { bytes: Buffer; cutFrames: number } {
  const global = Buffer.from(pcap.subarray(0, 24));
  global.writeUInt32LE(snap, 16);
  const parts: Buffer[] = [global];
  let cutFrames = 0;
  for (const { head, data } of records(pcap)) {
    const kept = Math.min(data.length, snap);
    if (kept < data.length) cutFrames++;
    const h = Buffer.from(head);
    h.writeUInt32LE(kept, 8);
    parts.push(h, data.subarray(0, kept));
  }
  return { bytes: Buffer.concat(parts), cutFrames };
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
    // Every header was whole: a note, nothing to do, no damage.
    expect(b.captures[0]!.headersCutPackets).toBe(0);
    const note = b.findings.find((f) => f.code === 'capture.snaplen')!;
    expect(note.severity).toBe('info');
    expect(note.message).toContain(`${cutFrames} packets were cut by the capture's snaplen after their headers (a headers-only capture)`);
    expect(note.remedy).toBeUndefined();
    expect(captureDamageItems(b.captures[0]!)).toEqual([]);
    // The samples' MTU findings hold in both.
    for (const code of mtuFindings) {
      expect(a.findings.some((f) => f.code === code)).toBe(true);
      expect(b.findings.some((f) => f.code === code), code).toBe(true);
    }
    expect(comparable(b, file)).toEqual(comparable(a, whole));
  });
});

describe('a capture cut inside its headers says how many, and where the first was cut', () => {
  it('vxlan/node-a.eth1.pcap cut at 96 bytes: the pod TCP headers are cut (from byte 84), the pings are not', async () => {
    const whole = readFileSync(join(ROOT, 'samples', 'vxlan', 'node-a.eth1.pcap'));
    // From the bytes: Ethernet / IPv4 (no options) / UDP 4789 / VXLAN / Ethernet / IPv4 (no options)
    // puts the pod's protocol at byte 73 and its header at byte 84. TCP needs 20 bytes from
    // there (cut at 96); an ICMP echo header needs 8 (whole).
    const snap = 96;
    const headersCut: number[] = [];
    let afterHeaders = 0;
    const frames = records(whole).map((r) => r.data);
    frames.forEach((f, i) => {
      if (f.length <= snap) return;
      const vxlan = f.readUInt16BE(12) === 0x0800 && f[14] === 0x45 && f[23] === 17 && f.readUInt16BE(36) === 4789;
      if (!vxlan || f.readUInt16BE(62) !== 0x0800 || f[64] !== 0x45) throw new Error(`frame ${i + 1}: not the shape this test reads`);
      if (f[73] === 6) headersCut.push(i + 1);
      else if (f[73] === 1) afterHeaders++;
      else throw new Error(`frame ${i + 1}: pod protocol ${f[73]}`);
    });
    expect(headersCut.length).toBeGreaterThan(0);
    expect(afterHeaders).toBeGreaterThan(0);

    const { bytes, cutFrames } = cut(whole, snap);
    const file = join(dir, 'vxlan-96.pcap');
    writeFileSync(file, bytes);
    const r = (await analyzeCaptures([file])).report;
    const c = r.captures[0]!;
    expect(c).toMatchObject({ truncatedPackets: cutFrames, headersCutPackets: headersCut.length });
    expect(cutFrames).toBe(headersCut.length + afterHeaders);
    const f = r.findings.find((x) => x.code === 'capture.snaplen')!;
    expect(f.severity).toBe('warning');
    const first = frames[headersCut[0]! - 1]!;
    expect(f.message).toContain(
      `${file}: ${headersCut.length} of the ${cutFrames} packets captured short end inside a header (the first: frame ${headersCut[0]}, 96 of ${first.length} bytes captured, cut inside the inner TCP header, which starts at byte 84)`,
    );
    expect(f.remedy).toContain('-s 256');
    expect(captureDamageItems(c)).toEqual([`${headersCut.length} packets cut inside a header`]);
  });
});
