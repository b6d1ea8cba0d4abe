/**
 * The hot path allocates nothing per packet (DESIGN: "Hot path: no
 * allocation per packet"), on the fast path and on the reference decoder
 * (every packet the fast path does not take). A heap number
 * made on every packet (a double, or an address or MAC word above 2^31,
 * passed to a function V8 did not inline) costs little in the garbage
 * collector but sweeps the young generation through the caches the flow
 * tables need: on ipip-small-5m such a leak was 32 bytes a packet.
 *
 * V8's sampling heap profiler, told to keep what the young-generation
 * collector frees, counts every allocation while the second half of a
 * generated capture is analysed (the first half warms the JIT up). The
 * capture has what makes numbers leave the small-integer range: node
 * addresses in 172.16/16, pod addresses in 192.168/16 (Calico's default
 * pool), MACs whose low word is above 2^31, and microsecond timestamps, over
 * IPIP, VXLAN and no encapsulation, TCP, UDP and ICMP echo. No timing.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectCapture } from '../../src/analysis/collect.js';
import { DEFAULT_LIMITS } from '../../src/analysis/collector.js';
import { ETHERTYPE_IPV4, ethernet, ipv4, podIp, udp, type Underlay } from './craft.js';
import { podTcpIp, TCP_ACK, vxlanOfIp } from './craft-more.js';
import { concat, idb, pcapHeader, shb } from '../capture/build.js';

const dir = mkdtempSync(join(tmpdir(), 'podpath-alloc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NODES: Underlay[] = [
  { srcMac: 'ac:10:8a:00:00:0b', dstMac: 'ac:10:8b:00:00:0c', outerSrc: '172.16.0.11', outerDst: '172.16.0.12' },
  { srcMac: 'ac:10:8b:00:00:0c', dstMac: 'ac:10:8a:00:00:0b', outerSrc: '172.16.0.12', outerDst: '172.16.0.11' },
];

interface Template {
  bytes: Uint8Array;
  /** Offset of the TCP sequence number (-1: not TCP). */
  seqAt: number;
}

/**
 * Frames of `flows` pod connections each way, over each of the three carriers, and pings
 * and UDP between the same pods. Sequence numbers are rewritten per packet, so TCP folds
 * new data and acknowledgements (the checksums of those frames are then wrong: counted, not
 * a problem here).
 */
function templates(flows: number): Template[] {
  const out: Template[] = [];
  for (let f = 0; f < flows; f++) {
    for (const side of [0, 1]) {
      const u = NODES[side]!;
      const a = `192.168.${1 + (f & 7)}.${10 + (f >> 3)}`;
      const b = `192.168.${100 + (f & 7)}.${200 - (f >> 3)}`;
      const [src, dst] = side === 0 ? [a, b] : [b, a];
      const [sp, dp] = side === 0 ? [40000 + f, 443] : [443, 40000 + f];
      const tcp = podTcpIp({ src, dst, srcPort: sp, dstPort: dp, seq: 1, ack: 1, flags: TCP_ACK, payload: [1, 2, 3, 4, 5, 6, 7, 8] });
      const ping = podIp({ src, dst, icmp: { type: side === 0 ? 8 : 0, id: f, seq: 1, dataLength: 16 } });
      const dns = ipv4({ src, dst, protocol: 17, payload: udp(sp, side === 0 ? 53 : dp, [0, 1, 2, 3]) });
      const ipip = (inner: number[]): number[] =>
        ethernet(u.srcMac, u.dstMac, ETHERTYPE_IPV4, ipv4({ src: u.outerSrc, dst: u.outerDst, protocol: 4, df: true, payload: inner }));
      out.push({ bytes: Uint8Array.from((ipip(tcp))), seqAt: 14 + 20 + 20 + 4 });
      out.push({ bytes: Uint8Array.from(vxlanOfIp(u, tcp)), seqAt: 14 + 20 + 8 + 8 + 14 + 20 + 4 });
      out.push({ bytes: Uint8Array.from(ethernet(u.srcMac, u.dstMac, ETHERTYPE_IPV4, tcp)), seqAt: 14 + 20 + 4 });
      out.push({ bytes: Uint8Array.from((ipip(ping))), seqAt: -1 });
      out.push({ bytes: Uint8Array.from(vxlanOfIp(u, ping)), seqAt: -1 });
      out.push({ bytes: Uint8Array.from((ipip(dns))), seqAt: -1 });
    }
  }
  return out;
}

type Format = 'pcap' | 'pcapng' | 'pcapng-ns';

/**
 * A capture of `packets` frames cycling through `ts`, 7 µs apart: classic pcap (microseconds),
 * or pcapng with one interface in microseconds or nanoseconds (Enhanced Packet Blocks).
 */
function writeCapture(path: string, ts: Template[], packets: number, format: Format): void {
  const ng = format !== 'pcap';
  const head = ng ? concat(shb({ order: 'le' }), idb('le', format === 'pcapng-ns' ? { tsresol: 9 } : {})) : pcapHeader({ linkTypeField: 1 });
  const most = Math.max(...ts.map((t) => t.bytes.length));
  const b = Buffer.alloc(head.length + packets * (32 + most + 3));
  b.set(head, 0);
  let o = head.length;
  const sent = new Uint32Array(ts.length);
  for (let i = 0; i < packets; i++) {
    const k = i % ts.length;
    const t = ts[k]!;
    const us = 1_700_000_000_000_000 + i * 7;
    const len = t.bytes.length;
    let at: number; // where the frame goes
    if (ng) {
      const units = format === 'pcapng-ns' ? BigInt(us) * 1000n : BigInt(us);
      const total = 32 + ((len + 3) & ~3);
      b.writeUInt32LE(6, o);
      b.writeUInt32LE(total, o + 4);
      b.writeUInt32LE(0, o + 8);
      b.writeUInt32LE(Number(units >> 32n), o + 12);
      b.writeUInt32LE(Number(units & 0xffffffffn), o + 16);
      b.writeUInt32LE(len, o + 20);
      b.writeUInt32LE(len, o + 24);
      b.fill(0, o + 28 + len, o + total - 4);
      b.writeUInt32LE(total, o + total - 4);
      at = o + 28;
      o += total;
    } else {
      b.writeUInt32LE(Math.floor(us / 1e6), o);
      b.writeUInt32LE(us % 1e6, o + 4);
      b.writeUInt32LE(len, o + 8);
      b.writeUInt32LE(len, o + 12);
      at = o + 16;
      o += 16 + len;
    }
    b.set(t.bytes, at);
    if (t.seqAt >= 0) {
      // Each direction sends 8 new bytes a packet and acknowledges what the other side sent.
      const peer = k ^ 6; // the same carrier, the other direction (six templates per side)
      b.writeUInt32BE((1 + sent[k]! * 8) >>> 0, at + t.seqAt);
      b.writeUInt32BE((1 + sent[peer]! * 8) >>> 0, at + t.seqAt + 4);
      sent[k]!++;
    }
  }
  writeFileSync(path, b.subarray(0, o));
}

interface SampledAllocations {
  bytes: number;
  /** The largest allocation sites, innermost frame last. */
  top: string[];
}

/** Run `body` under V8's sampling heap profiler, counting also what the collectors freed. */
function sampler(): { start: () => void; stop: () => Promise<SampledAllocations> } {
  const s = new Session();
  s.connect();
  const post = <T>(method: string, params?: object): Promise<T> =>
    new Promise((resolve, reject) => s.post(method, params, (err, r) => (err ? reject(err) : resolve(r as T))));
  let started: Promise<unknown> | null = null;
  return {
    start() {
      started ??= post('HeapProfiler.enable').then(() =>
        post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
      );
    },
    async stop() {
      if (!started) throw new Error('sampling never started');
      await started;
      interface Node {
        callFrame: { functionName: string; url: string; lineNumber: number };
        selfSize: number;
        children: Node[];
      }
      const { profile } = await post<{ profile: { head: Node } }>('HeapProfiler.stopSampling');
      s.disconnect();
      const sites: [number, string][] = [];
      const walk = (n: Node, stack: string[]): void => {
        const f = n.callFrame;
        const here = [...stack, `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`];
        if (n.selfSize > 0) sites.push([n.selfSize, here.slice(-3).join(' > ')]);
        for (const c of n.children) walk(c, here);
      };
      walk(profile.head, []);
      sites.sort((x, y) => y[0] - x[0]);
      return { bytes: sites.reduce((n, [b]) => n + b, 0), top: sites.slice(0, 5).map(([b, st]) => `${b} bytes: ${st}`) };
    },
  };
}

describe('allocation on the hot path', () => {
  const cases: [Format, boolean][] = [
    ['pcap', false],
    ['pcapng', false],
    ['pcapng-ns', false],
    ['pcap', true],
    ['pcapng-ns', true],
  ];
  it.each(cases)('%s, reference decoder only %s: analysing a capture allocates nothing per packet once the JIT is warm', async (format, referenceOnly) => {
    const PACKETS = 300_000;
    const file = join(dir, `mixed-${referenceOnly}.${format}`);
    const ts = templates(64);
    writeCapture(file, ts, PACKETS, format);
    const half = statSync(file).size / 2;
    const heap = sampler();
    const { collector, summary } = await collectCapture(file, { vxlanPorts: [4789], limits: DEFAULT_LIMITS, referenceOnly }, (bytes) => {
      if (bytes >= half) heap.start();
    });
    const sampled = await heap.stop();
    expect(summary.error).toBeNull();
    expect(summary.packets).toBe(PACKETS);
    // The packets did take the paths meant: tunnelled TCP, pings answered, conversations.
    const snap = collector.snapshot();
    expect(snap.pathStats.size).toBe(4); // IPIP and VXLAN, each way
    expect(snap.plainStats.size).toBeGreaterThan(0);
    expect(snap.tcpFlows.v4.keys.length / 5).toBe(64);
    expect(snap.pathStats.rtts.length).toBeGreaterThan(0);
    // What the second half allocated, per packet of it. The reads' own bookkeeping (promises
    // and views per 1 MiB piece) comes to ~0.4 bytes a packet of this size; one heap number a
    // packet is 16, one on each echo reply (a sixth of these packets) ~2.7.
    const perPacket = sampled.bytes / (PACKETS / 2);
    expect(perPacket, `${sampled.bytes} bytes sampled over ${PACKETS / 2} packets; largest sites:\n${sampled.top.join('\n')}`).toBeLessThan(1);
  });
});
