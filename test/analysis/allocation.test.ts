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
 * pool), MACs whose low word is above 2^31, TCP sequence and acknowledgement
 * numbers above 2^31 and across the wrap, and microsecond timestamps, over
 * IPIP, VXLAN and no encapsulation, TCP, UDP and ICMP echo. A second mix
 * covers the rest of the reference path: IPv6 pods (over VXLAN on an IPv6
 * underlay, and unencapsulated), ICMPv6 echo, Geneve, VXLAN on Flannel's port
 * 8472, IPIP on an 802.1Q VLAN and fragmented, GRE with a key, WireGuard, ARP,
 * on Ethernet and on Linux cooked SLL and SLL2. Captures are classic pcap and
 * pcapng, little- and big-endian, in micro- and nanoseconds and a binary
 * resolution, with timestamps from 2023 and from 2039 (past 2^31 seconds), and
 * cut short by a snap length (tcpdump -s).
 * The first mix is also read from a gzip copy, through a pipe as a Node stream
 * (`cat file |`, where Node hands out a fresh buffer per piece), and through a
 * FIFO read as the command reads a pipe on stdin (`ssh node tcpdump -w - |`:
 * a ring of reused buffers): there what the reads allocate is held to a bound
 * per piece, and what the per-record work allocates to the packet count. A scan (every packet a
 * new flow) covers the new-flow paths: with its tables filling, and with them
 * full (every packet counted as overflow).
 *
 * Whether V8 inlines a call depends on what the compile saw and on the
 * caller's inlining budget, so a leak at a call it may or may not inline
 * shows in some runs only: putV4 taking an address above 2^31 did, in about
 * one run in five. vitest.config.ts runs this file twice: as it is, and
 * with V8 inlining only the functions it always inlines (the smallest), where
 * every such leak shows every run. No timing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ipaddr from 'ipaddr.js';
import { afterAll, describe, expect, it } from 'vitest';
import { collectCapture } from '../../src/analysis/collect.js';
import { DEFAULT_LIMITS, type CollectorSnapshot, type Limits } from '../../src/analysis/collector.js';
import { FIRST_TS } from '../../src/analysis/flow-stats.js';
import { READ_CHUNK, socketChunks } from '../../src/capture/source.js';
import { arp, checksum, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethernet, ipv4, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL2, macBytes, podIp, sll2, udp, vxlan, type Underlay } from './craft.js';
import { podTcpIp, TCP_ACK, TCP_SYN, vxlanOfIp, wireguardData } from './craft-more.js';
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
  /** Offset of an IPv4 header whose destination is the packet's own (a scan), checksum redone; absent: as it is. */
  dstAt?: number;
  /** Offset of an IPv4 header whose source is the packet before's own destination (an answer in a scan), checksum redone. */
  srcAt?: number;
}

interface Direction {
  /** The connection (0 to flows - 1) and its direction (0: from the client, on node 11). */
  f: number;
  side: number;
  u: Underlay;
  /** The pod addresses (Calico's default pool) and ports in this direction. */
  src: string;
  dst: string;
  sp: number;
  dp: number;
}

/** Each of `flows` pod connections, each way. */
function* directions(flows: number): Generator<Direction> {
  for (let f = 0; f < flows; f++) {
    const a = `192.168.${1 + (f & 7)}.${10 + (f >> 3)}`;
    const b = `192.168.${100 + (f & 7)}.${200 - (f >> 3)}`;
    yield { f, side: 0, u: NODES[0]!, src: a, dst: b, sp: 40000 + f, dp: 443 };
    yield { f, side: 1, u: NODES[1]!, src: b, dst: a, sp: 443, dp: 40000 + f };
  }
}

/**
 * Frames of `flows` pod connections each way, over each of the three carriers, and pings
 * and UDP between the same pods. Sequence numbers are rewritten per packet, so TCP folds
 * new data and acknowledgements (the checksums of those frames are then wrong: counted, not
 * a problem here).
 */
function templates(flows: number): Template[] {
  const out: Template[] = [];
  for (const { f, side, u, src, dst, sp, dp } of directions(flows)) {
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
  return out;
}

const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const LINKTYPE_LINUX_SLL = 113;

const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const v6 = (a: string): number[] => ipaddr.parse(a).toByteArray();

/** An IPv6 header (no extension headers) before `payload`. */
function ipv6(src: string, dst: string, next: number, payload: readonly number[]): number[] {
  return [0x60, 0, 0, 0, ...be16(payload.length), next, 63, ...v6(src), ...v6(dst), ...payload];
}

/** A 20-byte TCP header with 8 bytes of data; the sequence numbers are rewritten per packet, the checksum left 0. */
function tcpHeader(sp: number, dp: number): number[] {
  return [...be16(sp), ...be16(dp), 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xfa, 0xf0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
}
/** From the end of a frame that ends in `tcpHeader(...)`, where its sequence number is. */
const TCP_SEQ_FROM_END = 28 - 4;

/** RFC 8926 Geneve header (no options, protocol Transparent Ethernet Bridging) before `payload`. */
function geneve(vni: number, payload: readonly number[]): number[] {
  return [0, 0, 0x65, 0x58, (vni >>> 16) & 0xff, (vni >>> 8) & 0xff, vni & 0xff, 0, ...payload];
}

/** One direction's frame as an Ethernet frame: EtherType and what follows it (an 802.1Q tag first when `vlan`). */
interface L3Frame {
  etherType: number;
  l3: number[];
  vlan?: number;
  tcp: boolean;
}

/**
 * Frames for everything the first capture mix does not carry, all of it over the reference
 * decoder's path or the fast path's other branches: IPv6 pods over VXLAN on an IPv6 underlay
 * (Calico's vxlan-v6.calico), in IPv4 (protocol 41) and unencapsulated, ICMPv6 echo, Geneve,
 * Flannel's VXLAN port 8472, IPIP on an 802.1Q VLAN, GRE, WireGuard, and ARP. Each as Ethernet,
 * Linux cooked SLL or SLL2 (`tcpdump -i any`).
 */
function otherFrames(flows: number): L3Frame[] {
  const out: L3Frame[] = [];
  for (const { f, side, u, src, dst, sp, dp } of directions(flows)) {
    const [n6a, n6b] = side === 0 ? ['fd00:172:16::11', 'fd00:172:16::12'] : ['fd00:172:16::12', 'fd00:172:16::11'];
    const a6 = `fd5f:1801:b6e3:8a${(f & 7).toString(16).padStart(2, '0')}::${(0x8000 + f).toString(16)}`;
    const b6 = `fd5f:1801:b6e3:9c${(f & 7).toString(16).padStart(2, '0')}::${(0xf000 - f).toString(16)}`;
    const [s6, d6] = side === 0 ? [a6, b6] : [b6, a6];
    const tcp6 = ipv6(s6, d6, 6, tcpHeader(sp, dp));
    const ping6 = ipv6(s6, d6, 58, [side === 0 ? 128 : 129, 0, 0, 0, ...be16(f), 0, 1, ...new Array<number>(16).fill(0x5a)]);
    const tcp4 = ipv4({ src, dst, protocol: 6, ttl: 63, df: true, payload: tcpHeader(sp, dp) });
    const inner = (ethType: number, ip: number[]): number[] => ethernet('66:00:00:00:00:01', '66:00:00:00:00:02', ethType, ip);
    out.push({ etherType: ETHERTYPE_IPV6, l3: ipv6(n6a, n6b, 17, udp(50000 + f, 4789, vxlan(4096, inner(ETHERTYPE_IPV6, tcp6)))), tcp: true });
    out.push({ etherType: ETHERTYPE_IPV6, l3: tcp6, tcp: true });
    out.push({ etherType: ETHERTYPE_IPV6, l3: ping6, tcp: false });
    const outer4 = (protocol: number, payload: number[]): number[] => ipv4({ src: u.outerSrc, dst: u.outerDst, protocol, df: true, payload });
    out.push({ etherType: ETHERTYPE_IPV4, l3: outer4(17, udp(50000 + f, 6081, geneve(7, inner(ETHERTYPE_IPV4, tcp4)))), tcp: true });
    out.push({ etherType: ETHERTYPE_IPV4, l3: outer4(17, udp(50000 + f, 8472, vxlan(1, inner(ETHERTYPE_IPV4, tcp4)))), tcp: true });
    out.push({ etherType: ETHERTYPE_IPV4, l3: outer4(4, tcp4), vlan: 10, tcp: true });
    out.push({ etherType: ETHERTYPE_IPV4, l3: outer4(41, tcp6), tcp: true }); // IPv6 in IPv4
    // GRE with a key and a sequence number, WireGuard with its receiver index: 32-bit words,
    // above 2^31 here (a WireGuard index is random: half the time).
    out.push({ etherType: ETHERTYPE_IPV4, l3: outer4(47, [0x30, 0, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x80, 0, ...be16(f), ...tcp4]), tcp: true });
    out.push({ etherType: ETHERTYPE_IPV4, l3: outer4(17, udp(51820, 51820, wireguardData(0x80001000 + f, f))), tcp: false });
    out.push({ etherType: ETHERTYPE_ARP, l3: arp({ op: 2, senderMac: u.srcMac, senderIp: u.outerSrc, targetMac: u.dstMac, targetIp: u.outerDst }), tcp: false });
    // An IPIP packet in two fragments (the outer header's more-fragments flag, then an offset).
    out.push({ etherType: ETHERTYPE_IPV4, l3: fragment(outer4(4, tcp4.slice(0, 24)), 0x2000), tcp: false });
    out.push({ etherType: ETHERTYPE_IPV4, l3: fragment(outer4(4, tcp4.slice(24)), 24 / 8), tcp: false });
  }
  return out;
}
/** otherFrames' frames per flow and side. */
const OTHER_PER_SIDE = 12;

/** IPv4 header + payload `ip` with its flags and fragment offset word set to `word` (DF cleared), checksum redone. */
function fragment(ip: number[], word: number): number[] {
  const h = ip.slice();
  h[6] = word >>> 8;
  h[7] = word & 0xff;
  h[10] = 0;
  h[11] = 0;
  const c = checksum(h.slice(0, 20));
  h[10] = c >>> 8;
  h[11] = c & 0xff;
  return h;
}

/** otherFrames' `frames` on link type `link`: Ethernet (with their VLAN tags), SLL or SLL2 (tags taken off, as Linux does). */
function onLink(frames: L3Frame[], link: number): Template[] {
  return frames.map((fr, i) => {
    const side = Math.floor(i / OTHER_PER_SIDE) % 2;
    const u = NODES[side]!;
    let bytes: number[];
    if (link === LINKTYPE_ETHERNET) {
      const l2 = fr.vlan === undefined ? fr.l3 : [...be16(fr.vlan), ...be16(fr.etherType), ...fr.l3];
      bytes = ethernet(u.srcMac, u.dstMac, fr.vlan === undefined ? fr.etherType : ETHERTYPE_VLAN, l2);
    } else if (link === LINKTYPE_LINUX_SLL2) {
      bytes = sll2({ protocol: fr.etherType, ifindex: 3, pktType: side === 0 ? 4 : 0, srcMac: u.srcMac }, fr.l3);
    } else {
      // LINKTYPE_LINUX_SLL: packet type, ARPHRD_ETHER, address length 6, the address padded to 8, protocol.
      bytes = [0, side === 0 ? 4 : 0, 0, 1, 0, 6, ...macBytes(u.srcMac), 0, 0, ...be16(fr.etherType), ...fr.l3];
    }
    return { bytes: Uint8Array.from(bytes), seqAt: fr.tcp ? bytes.length - TCP_SEQ_FROM_END : -1 };
  });
}

/** Template k's first sequence number: spread over the 32-bit space (half above 2^31); template 0's wraps past 2^32 after 32 packets. */
const seqBase = (k: number): number => (k === 0 ? 0xffffff00 : Math.imul(k, 0x9e3779b9) >>> 0);

/**
 * A scan, like bench's ipip-scan-2m and direct-scan-1m: one pod to a new address every
 * packet (writeCapture sets it), so nearly every packet is a new flow, pod pair or
 * conversation, and TCP connection. Eight templates: SYNs over IPIP (each answered by a
 * SYN-ACK, the next packet, on the path back) and unencapsulated, other TCP segments over
 * IPIP, VXLAN and unencapsulated, a ping over IPIP and UDP over VXLAN. A quarter of the
 * packets are SYNs and an eighth pings, so the SYN and echo tables (100,000 each) never fill
 * here; the test sets the others' limits.
 */
function scanTemplates(): Template[] {
  const [u, back] = [NODES[0]!, NODES[1]!];
  const pod = { src: '192.168.1.10', dst: '10.0.0.0', srcPort: 40000, dstPort: 443, seq: 1, ack: 1 };
  const syn = podTcpIp({ ...pod, ack: 0, flags: TCP_SYN });
  const synAck = podTcpIp({ src: pod.dst, dst: pod.src, srcPort: 443, dstPort: 40000, seq: 7, ack: 2, flags: TCP_SYN | TCP_ACK });
  const ack = podTcpIp({ ...pod, flags: TCP_ACK, payload: [1, 2, 3, 4] });
  const ping = podIp({ src: pod.src, dst: pod.dst, icmp: { type: 8, id: 7, seq: 1, dataLength: 16 } });
  const dns = ipv4({ src: pod.src, dst: pod.dst, protocol: 17, payload: udp(40000, 53, [0, 1, 2, 3]) });
  const ipip = (inner: number[], n = u): Uint8Array =>
    Uint8Array.from(ethernet(n.srcMac, n.dstMac, ETHERTYPE_IPV4, ipv4({ src: n.outerSrc, dst: n.outerDst, protocol: 4, df: true, payload: inner })));
  const vx = (inner: number[]): Uint8Array => Uint8Array.from(vxlanOfIp(u, inner));
  const plain = (ip: number[]): Uint8Array => Uint8Array.from(ethernet(u.srcMac, u.dstMac, ETHERTYPE_IPV4, ip));
  const IPIP = 14 + 20;
  const VXLAN = 14 + 20 + 8 + 8 + 14;
  return [
    { bytes: ipip(syn), seqAt: -1, dstAt: IPIP },
    { bytes: ipip(synAck, back), seqAt: -1, srcAt: IPIP },
    { bytes: vx(ack), seqAt: -1, dstAt: VXLAN },
    { bytes: plain(ack), seqAt: -1, dstAt: 14 },
    { bytes: ipip(ping), seqAt: -1, dstAt: IPIP },
    { bytes: vx(dns), seqAt: -1, dstAt: VXLAN },
    { bytes: ipip(ack), seqAt: -1, dstAt: IPIP },
    { bytes: plain(syn), seqAt: -1, dstAt: 14 },
  ];
}

/**
 * Classic pcap in microseconds, or pcapng with one interface in microseconds or nanoseconds
 * (Enhanced Packet Blocks). pcapng-ns2: two interfaces (the same link type), packets
 * alternating between them. -be: big-endian (as written on a big-endian host). pcapng-bin: a
 * binary resolution (2^-20 s, if_tsresol 0x94).
 */
type Format = 'pcap' | 'pcap-be' | 'pcapng' | 'pcapng-ns' | 'pcapng-ns2' | 'pcapng-be' | 'pcapng-bin';
/**
 * How the capture reaches the reader: the file, a gzip copy of it, `cat file |` as a Node
 * stream, or `cat` writing into a FIFO read as the command reads a pipe on stdin (a ring of
 * reused buffers: `ssh node tcpdump -w - | podpath analyze -`).
 */
type Source = 'file' | 'gzip' | 'pipe' | 'stdin-pipe';

/** Captures start in November 2023 (microseconds since 1970) ... */
const NOW_US = 1_700_000_000_000_000;
/** ... or in September 2039: seconds above 2^31, past a signed 32-bit integer (2038-01-19). */
const AFTER_2038_US = 2_200_000_000_000_000;

/** A capture of `packets` frames cycling through `ts`, 7 µs apart from `startUs`, as `format`. */
function writeCapture(path: string, ts: Template[], packets: number, format: Format, link = LINKTYPE_ETHERNET, perSide = 6, startUs = NOW_US, snapLen = 0): void {
  const ng = format.startsWith('pcapng');
  const ns = format === 'pcapng-ns' || format === 'pcapng-ns2' || format === 'pcapng-be';
  const bin = format === 'pcapng-bin';
  const order = format.endsWith('-be') ? 'be' : 'le';
  const w32 = (v: number, at: number): number => (order === 'be' ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
  const iface = idb(order, { linkType: link, ...(ns ? { tsresol: 9 } : bin ? { tsresol: 0x80 | 20 } : {}) });
  const head = ng ? concat(shb({ order }), iface, ...(format === 'pcapng-ns2' ? [iface] : [])) : pcapHeader({ order, linkTypeField: link });
  const most = Math.max(...ts.map((t) => t.bytes.length));
  const b = Buffer.alloc(head.length + packets * (32 + most + 3));
  b.set(head, 0);
  let o = head.length;
  const sent = new Uint32Array(ts.length);
  for (let i = 0; i < packets; i++) {
    const k = i % ts.length;
    const t = ts[k]!;
    const us = startUs + i * 7;
    const wire = t.bytes.length;
    const len = snapLen > 0 ? Math.min(wire, snapLen) : wire; // captured
    let at: number; // where the frame goes
    if (ng) {
      const units = ns ? BigInt(us) * 1000n : bin ? (BigInt(us) << 20n) / 1_000_000n : BigInt(us);
      const total = 32 + ((len + 3) & ~3);
      w32(6, o);
      w32(total, o + 4);
      w32(format === 'pcapng-ns2' ? i & 1 : 0, o + 8);
      w32(Number(units >> 32n), o + 12);
      w32(Number(units & 0xffffffffn), o + 16);
      w32(len, o + 20);
      w32(wire, o + 24);
      b.fill(0, o + 28 + len, o + total - 4);
      w32(total, o + total - 4);
      at = o + 28;
      o += total;
    } else {
      w32(Math.floor(us / 1e6), o);
      w32(us % 1e6, o + 4);
      w32(len, o + 8);
      w32(wire, o + 12);
      at = o + 16;
      o += 16 + len;
    }
    b.set(t.bytes.subarray(0, len), at);
    // (Only what was captured: a snap length may have cut the frame short.)
    if ((t.dstAt !== undefined || t.srcAt !== undefined) && (t.dstAt ?? t.srcAt)! + 20 <= len) {
      // Packet i goes to 10.0.0.0 + i, or answers from packet i - 1's; the header checksum is
      // redone over the new address.
      const ip = at + (t.dstAt ?? t.srcAt)!;
      if (t.dstAt !== undefined) b.writeUInt32BE((0x0a000000 + i) >>> 0, ip + 16);
      else b.writeUInt32BE((0x0a000000 + i - 1) >>> 0, ip + 12);
      b.writeUInt16BE(0, ip + 10);
      b.writeUInt16BE(checksum(b.subarray(ip, ip + 20)), ip + 10);
    }
    if (t.seqAt >= 0 && t.seqAt + 8 <= len) {
      // Each direction sends 8 new bytes a packet and acknowledges what the other side sent.
      // Sequence numbers start all over the 32-bit space, most above 2^31 (as real initial
      // sequence numbers are half the time), and some wrap past 2^32.
      const peer = k % (2 * perSide) < perSide ? k + perSide : k - perSide; // the same carrier, the other direction
      b.writeUInt32BE((seqBase(k) + sent[k]! * 8) >>> 0, at + t.seqAt);
      b.writeUInt32BE((seqBase(peer) + sent[peer]! * 8) >>> 0, at + t.seqAt + 4);
      sent[k]!++;
    }
  }
  writeFileSync(path, b.subarray(0, o));
}

interface SampledAllocations {
  bytes: number;
  /**
   * Of those, what was allocated under a record's parse: in the format parsers, or below
   * them in the decoders and the collector. The rest is the reads' (per piece read, not per
   * packet: promises, buffers, stream bookkeeping, a record cut by a piece's end kept).
   */
  recordBytes: number;
  /** The largest allocation sites, innermost frame last. */
  top: string[];
}

/** Frames of the per-record work: the format parsers (pcap.ts, pcapng.ts) and what they call. */
const RECORD_FRAME = /^(pcap|pcapng)\.ts$/;

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
      let recordBytes = 0;
      const walk = (n: Node, stack: string[], inRecord: boolean): void => {
        const f = n.callFrame;
        // The profiler's own start (the first time in a process) is not the capture's.
        if (f.url === 'node:inspector') return;
        const script = f.url.split('/').pop()!;
        const here = [...stack, `${f.functionName || '(anonymous)'} ${script}:${f.lineNumber + 1}`];
        const record = inRecord || RECORD_FRAME.test(script);
        if (n.selfSize > 0) {
          sites.push([n.selfSize, `${here.slice(-3).join(' > ')}${record ? ' (under a record)' : ''}`]);
          if (record) recordBytes += n.selfSize;
        }
        for (const c of n.children) walk(c, here, record);
      };
      walk(profile.head, [], false);
      sites.sort((x, y) => y[0] - x[0]);
      return { bytes: sites.reduce((n, [b]) => n + b, 0), recordBytes, top: sites.slice(0, 5).map(([b, st]) => `${b} bytes: ${st}`) };
    },
  };
}

const PACKETS = 300_000;

/** How many interfaces the keys of a table (`width` words each, the interface selector second) name. */
function interfaces(keys: Uint32Array, width: number): number {
  const seen = new Set<number>();
  for (let at = 1; at < keys.length; at += width) seen.add(keys[at]!);
  return seen.size;
}

/** What the second half of a capture allocated (see measure). */
interface Measured {
  snap: CollectorSnapshot;
  /** Packets analysed while sampling, the bytes sampled, and those under a record (SampledAllocations). */
  packets: number;
  bytes: number;
  recordBytes: number;
  /** Pieces of the capture handed to the parser while sampling (each a new buffer from a pipe or zlib). */
  pieces: number;
  why: string;
}

/** How measure reads a capture: from where, with which limits, its packets from when. */
interface Reading {
  source?: Source;
  limits?: Limits;
  startUs?: number;
  /** Bytes captured of each frame (tcpdump -s); 0: all. */
  snapLen?: number;
}

/**
 * Analyse `ts` cycled over PACKETS packets, read from `source`, and sample what the second
 * half allocates (the first half warms the JIT up).
 */
async function measure(
  name: string,
  ts: Template[],
  perSide: number,
  format: Format,
  link: number,
  referenceOnly: boolean,
  { source = 'file', limits = DEFAULT_LIMITS, startUs = NOW_US, snapLen = 0 }: Reading = {},
): Promise<Measured> {
  let file = join(dir, `${name}-${link}-${referenceOnly}-${snapLen}.${format}`);
  writeCapture(file, ts, PACKETS, format, link, perSide, startUs, snapLen);
  if (source === 'gzip') {
    const plain = file;
    file += '.gz';
    writeFileSync(file, gzipSync(readFileSync(plain), { level: 1 }));
    rmSync(plain);
  }
  // Progress counts the source's bytes (compressed ones for gzip), once per piece read.
  const half = statSync(file).size / 2;
  const heap = sampler();
  let before = -1; // packets analysed when sampling started
  let reads = 0; // progress calls since
  const cat = source === 'pipe' ? spawn('cat', [file], { stdio: ['ignore', 'pipe', 'inherit'] }) : null;
  const fifo = source === 'stdin-pipe' ? catIntoFifo(file) : null;
  const { collector, summary } = await collectCapture(
    file,
    { vxlanPorts: [4789, 8472], limits, referenceOnly },
    (bytes, packets) => {
      if (before < 0 && bytes >= half) {
        before = packets;
        heap.start();
      }
      if (before >= 0) reads++;
    },
    cat?.stdout ?? fifo ?? undefined,
  );
  const sampled = await heap.stop();
  expect(summary.error).toBeNull();
  expect(summary.packets).toBe(PACKETS);
  expect(summary.compressed).toBe(source === 'gzip');
  rmSync(file);
  const packets = PACKETS - before;
  // A file or a pipe: a piece per progress call. Gzip: zlib's pieces of READ_CHUNK inflated bytes.
  const pieces = source === 'gzip' ? Math.ceil((summary.captureBytes * packets) / PACKETS / READ_CHUNK) + 1 : reads;
  return {
    snap: collector.snapshot(),
    pieces,
    packets,
    recordBytes: sampled.recordBytes,
    bytes: sampled.bytes,
    why: `${sampled.bytes} bytes sampled (${sampled.recordBytes} under a record) over ${packets} packets in ${pieces} pieces; largest sites:\n${sampled.top.join('\n')}`,
  };
}

/**
 * `cat file` writing into a FIFO, and its read end as the command reads a pipe on stdin. The
 * read end is opened first (non-blocking, so with no writer yet), then the write end for cat:
 * cat is then the only writer, and the reader sees the end when it exits.
 */
function catIntoFifo(file: string): AsyncIterable<Uint8Array> {
  const fifo = `${file}.fifo`;
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  spawn('cat', [file], { stdio: ['ignore', writer, 'inherit'] });
  closeSync(writer);
  rmSync(fifo);
  return socketChunks(reader);
}

/**
 * Per packet: a single heap number made on every packet is 16 bytes; one on each echo reply
 * (a sixth of the first mix's packets) ~2.7.
 *
 * From a file, everything sampled counts: the reads' own bookkeeping (promises and views per
 * 1 MiB piece) comes to ~0.4 bytes a packet. From a pipe or zlib, Node hands out a fresh buffer
 * per piece (64 KiB from a pipe) with its stream bookkeeping (~4 KiB a piece from a pipe,
 * ~12-17 KiB per 1 MiB inflated): per piece, not per packet, so only what was allocated under a
 * record is held to the packet count there, less what a new buffer costs a record's parse (its
 * DataViews: ~100-250 bytes a piece), and the rest is held to a bound per piece. A pipe read
 * as stdin is (a ring of reused buffers): its pieces cost ~2 KiB each (promises, views, the
 * record tail copied at a piece's end), also per piece, so it is held to the same bounds.
 */
function expectNothingPerPacket(m: Measured, source: Source): void {
  if (source === 'file') expect(m.bytes / m.packets, m.why).toBeLessThan(1);
  expect(m.recordBytes, m.why).toBeLessThan(0.25 * m.packets + 512 * m.pieces);
  expect(m.bytes, m.why).toBeLessThan(0.25 * m.packets + 32768 * m.pieces);
}

describe('allocation on the hot path', () => {
  const cases: [Format, boolean, Source][] = [
    ['pcap', false, 'file'],
    ['pcapng', false, 'file'],
    ['pcapng-ns', false, 'file'],
    ['pcap', true, 'file'],
    ['pcapng-ns', true, 'file'],
    ['pcapng-ns2', false, 'file'],
    ['pcap-be', false, 'file'],
    ['pcapng-be', true, 'file'],
    ['pcapng-bin', false, 'file'],
    ['pcap', false, 'gzip'],
    ['pcapng-ns', false, 'gzip'],
    ['pcap', false, 'pipe'],
    ['pcapng-ns', true, 'pipe'],
    ['pcap', false, 'stdin-pipe'],
    ['pcapng-ns', true, 'stdin-pipe'],
  ];
  it.each(cases)('%s, reference decoder only %s, from %s: analysing a capture allocates nothing per packet once the JIT is warm', async (format, referenceOnly, source) => {
    const m = await measure('mixed', templates(64), 6, format, LINKTYPE_ETHERNET, referenceOnly, { source });
    const snap = m.snap;
    // The packets did take the paths meant: tunnelled TCP, pings answered, conversations.
    // IPIP and VXLAN, each way. On two interfaces (a template's packets keep to one: the
    // interface alternates per packet and a direction has six templates), IPIP's TCP is on
    // one and its ping and UDP on the other, VXLAN's TCP and ping likewise: each path and
    // TCP connection twice.
    const ifaces = format === 'pcapng-ns2' ? 2 : 1;
    expect(interfaces(snap.paths, 15)).toBe(ifaces);
    expect(snap.pathStats.size).toBe(4 * ifaces);
    expect(snap.plainStats.size).toBeGreaterThan(0);
    expect(snap.tcpFlows.v4.keys.length / 5).toBe(64 * ifaces);
    expect(snap.pathStats.rtts.length).toBeGreaterThan(0);
    expectNothingPerPacket(m, source);
  });

  const links: [string, Format, boolean, number][] = [
    ['Ethernet', 'pcap', false, LINKTYPE_ETHERNET],
    ['Ethernet', 'pcap', true, LINKTYPE_ETHERNET],
    ['SLL2', 'pcap', false, LINKTYPE_LINUX_SLL2],
    ['SLL2', 'pcapng-ns', true, LINKTYPE_LINUX_SLL2],
    ['Ethernet', 'pcapng-ns2', false, LINKTYPE_ETHERNET], // SLL2 would name its own interface index
    ['SLL', 'pcap', false, LINKTYPE_LINUX_SLL],
  ];
  it.each(links)('IPv6 pods, Geneve, VXLAN 8472, VLAN, GRE, WireGuard, ARP on %s, %s, reference decoder only %s: nothing per packet either', async (_name, format, referenceOnly, link) => {
    const m = await measure('other', onLink(otherFrames(64), link), OTHER_PER_SIDE, format, link, referenceOnly);
    const snap = m.snap;
    // VXLAN over IPv6, Geneve, VXLAN 8472, IPIP (on the VLAN, and fragmented), IPv6 in IPv4,
    // GRE, WireGuard: each way. On two interfaces each template keeps to one (twelve a
    // direction): of the four IPv4 TCP carriers Flannel's VXLAN is on the other interface from
    // the rest, and the first IPIP fragment on the other from the IPIP on the VLAN (a path
    // more each way).
    const ifaces = format === 'pcapng-ns2' ? 2 : 1;
    expect(interfaces(snap.paths, 15)).toBe(ifaces);
    expect(snap.pathStats.size).toBe(ifaces === 2 ? 16 : 14);
    // Every fragment counted (the statistics' third column): the first, which carries the pod
    // packet's header, on its IPIP path; the second (an offset, no header) on the node
    // addresses' conversation. One packet in twelve each.
    const fragments = (st: CollectorSnapshot['pathStats']): number => (st.columns[2] as Uint32Array).reduce((n, x) => n + x, 0);
    expect(fragments(snap.pathStats)).toBe(PACKETS / OTHER_PER_SIDE);
    expect(fragments(snap.plainStats)).toBe(PACKETS / OTHER_PER_SIDE);
    expect(snap.plainStats.size).toBeGreaterThan(0); // IPv6 pods unencapsulated
    expect(snap.tcpFlows.v4.keys.length / 5).toBe(64 * ifaces);
    expect(snap.tcpFlows.v6.keys.length).toBeGreaterThan(0);
    expect(snap.arp.length / 7).toBe(2); // each node's MAC and address, from its ARP replies
    // The GRE paths (one each way, on one interface) keep their key (+ 1, word 4 of a path's key) whole.
    let greKeyed = 0;
    for (let at = 0; at < snap.paths.length; at += 15) if (snap.paths[at + 4] === 0xdeadbeef + 1) greKeyed++;
    expect(greKeyed).toBe(2);
    expectNothingPerPacket(m, 'file');
  });

  // Limits the scan outgrows within its first 20,000 packets (the second half then folds every
  // packet into overflow counts), or never reaches (the second half inserts every packet, and
  // the tables grow). A scan that fills them halfway costs an allocation burst while V8
  // optimises the new branches: not per packet, and not measured here.
  const small: Limits = { ...DEFAULT_LIMITS, maxPodPairs: 10_000, maxPlain: 2_000, maxTcpFlows: 10_000 };
  const large: Limits = { ...DEFAULT_LIMITS, maxPodPairs: 1_000_000, maxPlain: 1_000_000, maxTcpFlows: 1_000_000 };
  const scans: [string, Format, boolean, Limits][] = [
    ['full', 'pcap', false, small],
    ['full', 'pcap', true, small],
    ['full', 'pcapng-ns', false, small],
    ['filling', 'pcap', false, large],
    ['filling', 'pcap', true, large],
    ['filling', 'pcapng-ns', false, large],
  ];
  it.each(scans)('a scan (every packet a new flow), tables %s, on %s, reference decoder only %s: nothing per packet either', async (_name, format, referenceOnly, limits) => {
    const m = await measure('scan', scanTemplates(), 8, format, LINKTYPE_ETHERNET, referenceOnly, { limits });
    const snap = m.snap;
    const tcp = snap.tcpFlows.v4.keys.length / 5;
    const pairs = snap.pairs.length / 11;
    const eighth = PACKETS / 8;
    // New conversations: two packets in eight (the unencapsulated ones); new TCP connections:
    // five (all TCP but the SYN-ACK, whose connection is its SYN's); new pod pairs: six (all
    // but the unencapsulated; the SYN-ACK's is the way back). Up to the limits, the rest
    // counted; an unencapsulated packet whose conversation did not fit goes no further.
    const plain = Math.min(2 * eighth, limits.maxPlain);
    expect(snap.plainStats.size).toBe(plain);
    expect(snap.overflow.plain).toBe(2 * eighth - plain);
    expect(tcp).toBe(Math.min(5 * eighth, limits.maxTcpFlows));
    expect(pairs).toBe(Math.min(6 * eighth, limits.maxPodPairs));
    // Each TCP packet (six in eight) folded into its connection's row or counted as overflow.
    const rows = snap.tcpFlows.v4.rows;
    let segments = 0;
    for (let at = 0; at < rows.length; at += 48) segments += rows[at + 7]! + rows[at + 8 + 7]!;
    expect(segments + snap.tcpFlows.overflow).toBe(6 * eighth - snap.overflow.plain);
    expect(snap.tcpFlows.overflow > 0).toBe(limits === small);
    // Two SYNs in eight, the IPIP one answered by the SYN-ACK after it; the unencapsulated one
    // kept while its conversation is (half the conversations are those SYNs').
    expect(snap.syns.length / 13).toBe(eighth + plain / 2);
    expect(snap.synAnswered.reduce((n, x) => n + x, 0)).toBe(eighth);
    expectNothingPerPacket(m, 'file');
  });

  // A capture from 2038 on (a clock set wrong does it too): every record's seconds are above
  // 2^31, a heap number wherever they are passed to or returned from a call V8 does not inline
  // (the pcap reader's header words and StatsTable.add's time were, ~30 bytes a packet).
  const late: [string, Format, boolean][] = [
    ['mixed', 'pcap', false],
    ['mixed', 'pcapng-ns', true],
    ['other', 'pcap', false],
    ['other', 'pcapng', true],
  ];
  it.each(late)('timestamps from 2039 (seconds above 2^31), %s on %s, reference decoder only %s: nothing per packet either', async (mix, format, referenceOnly) => {
    const ts = mix === 'mixed' ? templates(64) : onLink(otherFrames(64), LINKTYPE_ETHERNET);
    const m = await measure(`${mix}-late`, ts, mix === 'mixed' ? 6 : OTHER_PER_SIDE, format, LINKTYPE_ETHERNET, referenceOnly, { startUs: AFTER_2038_US });
    // The times were read as they are: a path's first packet in the capture's first second.
    const first = m.snap.pathStats.columns[0]![FIRST_TS]!;
    expect(Math.floor(first)).toBe(AFTER_2038_US / 1e6);
    expectNothingPerPacket(m, 'file');
  });

  // Captures cut short by a snap length (tcpdump -s 96, to keep headers only, or a small
  // -s by mistake): the fast path takes the frames cut after their headers, and those cut
  // inside the pod's TCP header (VXLAN at 96, IPIP at 64, unencapsulated at 40); where the
  // snap length cuts an earlier header, the reference decodes what is there.
  const snaps: [string, number, Format][] = [
    ['mixed', 96, 'pcap'],
    ['mixed', 64, 'pcapng-ns'],
    ['mixed', 40, 'pcap'],
    ['other', 96, 'pcap'],
    ['other', 60, 'pcapng'],
  ];
  it.each(snaps)('%s, every frame cut at %d bytes, on %s: nothing per packet either', async (mix, snapLen, format) => {
    const ts = mix === 'mixed' ? templates(64) : onLink(otherFrames(64), LINKTYPE_ETHERNET);
    const m = await measure(`${mix}-snap`, ts, mix === 'mixed' ? 6 : OTHER_PER_SIDE, format, LINKTYPE_ETHERNET, false, { snapLen });
    expect(m.snap.counters[0]!.truncated).toBeGreaterThan(0);
    expect(m.snap.pathStats.size).toBeGreaterThan(0);
    expectNothingPerPacket(m, 'file');
  });
});
