/**
 * The per-packet half of the analysis: folds decoded packets into numeric
 * tables (paths, pod pairs, what sits behind each node address, plain IP
 * conversations, ARP bindings). Nothing here makes a string or an object per
 * packet; objects are made only when a table meets a new key. The report
 * (report-builder.ts) turns these tables into the plain-data Report.
 */
import type { CaptureRecord } from '../capture/record.js';
import { type Layer, type PacketView, Proto, SNAPLEN_ISSUE, Status } from '../decode/packet.js';
import { CHECKSUM_BAD, transportChecksum } from '../decode/checksum.js';
import { KeyTable, growF64, growI32, growU32, growU8, leading } from './key-table.js';
import { ipv4String, ipv6String } from '../render/addr.js';
import { microseconds, NO_REF, TcpFlows, type TcpFlowsSnapshot } from './tcp-flows.js';
import { type FastPacket, INNER6, OUTER6, TCP_HEADER_CUT } from '../decode/fast.js';
import { FC_PAIR, FC_PATH, FC_TCP, FlowCache } from './flow-cache.js';
import { DF, DIRECTIONS, ENCAP_BYTES, ICMP, MAX_INNER, plainRef, refRow, StatsTable, TCP, UDP, type StatsSnapshot } from './flow-stats.js';

export const MODE_NONE = 0;
export const MODE_IPIP = 1;
export const MODE_IP6IP = 2;
export const MODE_VXLAN = 3;
export const MODE_GENEVE = 4;
export const MODE_GRE = 5;
export const MODE_WIREGUARD = 6;
export const MODE_NAMES = ['none', 'ipip', 'ip6ip', 'vxlan', 'geneve', 'gre', 'wireguard'] as const;

/** Unknown MAC (SLL carries only the sender's; raw IP captures carry none). */
export const NO_MAC = 0xffffffff;

/** Packets per path whose checksums are verified: enough to see offload trouble, bounded cost. */
export const CHECKSUM_SAMPLE = 64;

export const PROTO_TCP = 0;
export const PROTO_UDP = 1;
export const PROTO_ICMP = 2;
export const PROTO_OTHER = 3;

export interface Limits {
  /** Distinct pod pairs kept across all paths. */
  maxPodPairs: number;
  /** Distinct plain (unencapsulated) IP conversations kept. */
  maxPlain: number;
  /** Distinct paths kept. */
  maxPaths: number;
  /** Distinct pod TCP connections tracked (per address family). */
  maxTcpFlows: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxPodPairs: 100_000,
  maxPlain: 200_000,
  maxPaths: 20_000,
  maxTcpFlows: 100_000,
};

/** One more packet of protocol `i` (PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_OTHER) in row e (`at`: its offset in hot). */
function countProtocol(st: StatsTable, e: number, at: number, i: number): void {
  if (i === PROTO_TCP) st.hot[at + TCP]!++;
  else if (i === PROTO_UDP) st.hot[at + UDP]!++;
  else if (i === PROTO_ICMP) st.hot[at + ICMP]!++;
  else st.otherPackets[e]!++;
}

function protocolIndex(l: Layer): number {
  switch (l.protocol) {
    case 6:
      return PROTO_TCP;
    case 17:
      return PROTO_UDP;
    case 1:
    case 58:
      return PROTO_ICMP;
    default:
      return PROTO_OTHER;
  }
}

/** Write an IP layer's address into five key words: family, then four address words. */
function putAddr(k: Uint32Array, at: number, l: Layer, dst: boolean): void {
  if (l.proto === Proto.Ipv4) {
    // Signed (`| 0`): an address above 2^31 passed as it is would be a heap number whenever V8
    // does not inline putV4 here, which depends on what the compile saw (the allocation test).
    putV4(k, at, (dst ? l.dst : l.src) | 0);
  } else {
    putV6(k, at, dst ? l.dst6 : l.src6);
  }
}

/** putAddr for an IPv6 address's four words. */
function putV6(k: Uint32Array, at: number, a: Uint32Array): void {
  k[at] = 6;
  k[at + 1] = a[0]!;
  k[at + 2] = a[1]!;
  k[at + 3] = a[2]!;
  k[at + 4] = a[3]!;
}

/**
 * An IPv6 address in four words of the IPv6 flow cache's key (stored signed: an Int32Array).
 * Two helpers, IPv6 and IPv4, not one taking an array or null: one that saw both was left
 * unoptimised, and each word above 2^31 it read was a heap number (the allocation test).
 */
function put4(k: Int32Array, at: number, a: Uint32Array): void {
  k[at] = a[0]!;
  k[at + 1] = a[1]!;
  k[at + 2] = a[2]!;
  k[at + 3] = a[3]!;
}

/** put4 for an IPv4 address (signed, `| 0`) and three zeros; 0 for none. */
function put1(k: Int32Array, at: number, v4: number): void {
  k[at] = v4;
  k[at + 1] = 0;
  k[at + 2] = 0;
  k[at + 3] = 0;
}

/**
 * Key words of the IPv6 flow cache (packets with an IPv6 header, FastPacket.v6 not 0):
 * interface, kind (as the IPv4 cache's second word), VNI or the sender MAC's low word,
 * v6 << 16 | the receiver MAC's high 16 bits, its low word, outer addresses (4 + 4 words;
 * 0 for an unencapsulated packet), pod addresses (4 + 4), ports.
 */
const FC6_WIDTH = 22;

/** putAddr for an IPv4 address given as a number (pass it signed: see putAddr). */
function putV4(k: Uint32Array, at: number, ip: number): void {
  k[at] = 4;
  k[at + 1] = ip;
  k[at + 2] = 0;
  k[at + 3] = 0;
  k[at + 4] = 0;
}

/** A stats row's DIRECTIONS bits of a packet: 1 in, 2 out, 0 unknown (the SLL/SLL2 packet type first, then pcapng epb_flags). */
function directionBits(linkDirection: number, recordDirection: number): number {
  const d = linkDirection === 1 || linkDirection === 2 ? linkDirection : recordDirection;
  return d === 1 || d === 2 ? d : 0;
}

const ETH_MAC_EE = 0xeeeeeeeeeeee;

/**
 * Second flow cache key word of an unencapsulated packet: 0x40 | which MACs
 * are unknown (1 sender, 2 receiver) in the top byte (a tunnelled packet's
 * is its tunnel, 13 or 14), the protocol, the sender MAC's top 16 bits.
 */
function plainKeyWord(f: FastPacket): number {
  const s = f.srcMac;
  return ((0x40 | (s < 0 ? 1 : 0) | (f.dstMac < 0 ? 2 : 0)) << 24) | (f.innerProtocol << 16) | (s < 0 ? 0 : Math.floor(s / 0x100000000));
}

/** A packet that ends inside a header: counted, and the first one kept for the report. */
function countHeadersCut(c: CaptureCounters, rec: CaptureRecord, pv: PacketView): void {
  c.headersCut++;
  if (c.firstHeadersCut !== null) return;
  c.firstHeadersCut = {
    frame: rec.index,
    capturedBytes: rec.capLen,
    wireBytes: rec.wireLen,
    issue: pv.issue,
    offset: pv.issueOffset,
    inner: pv.tunnelCount > 0,
  };
}

/** Collector.lastPath when the last packet took neither a tunnel path nor a conversation. */
const NOT_SEEN = -2;

export interface CaptureCounters {
  packets: number;
  /** Packets captured short (status truncated): cut by the snap length, or a frame shorter than its headers. */
  truncated: number;
  /** Of those, the ones that end inside a header, decoded only partway (the rest lost only payload). */
  headersCut: number;
  /** The first of them, for the report to point at; null when none. */
  firstHeadersCut: HeadersCut | null;
  malformed: number;
}

/** A packet that ends inside one of its headers. */
export interface HeadersCut {
  /** Frame number in its capture (1-based). */
  frame: number;
  capturedBytes: number;
  wireBytes: number;
  /** The decoder's code, e.g. "tcp.truncated_header" or "tcp.truncated_options". */
  issue: string;
  /** Where the cut header starts in the frame. */
  offset: number;
  /** Whether the header lies inside a tunnel (the pod's packet). */
  inner: boolean;
}

/**
 * Key layouts (u32 words):
 *   paths:   capture, ifaceSel, mode, port, id+1, outer src (5), outer dst (5)
 *   pairs:   path entry, inner src (5), inner dst (5)
 *   plain:   capture, ifaceSel, srcMac hi, lo, dstMac hi, lo, src (5), dst (5)
 *   arp:     mac hi, lo, address (5): from ARP, and IPv6 neighbour discovery
 * What sits behind each node address, and which inner pairs a capture saw
 * (to spot their plain copies in -i any captures), follow from the pair and
 * path tables at report time: the hot path does two look-ups per packet.
 * ifaceSel is 0x80000000 | ifindex for SLL2 captures, else the capture's interface id.
 * The SYN, echo and TCP tables name the path or conversation that carried a
 * packet by stats reference (flow-stats.ts: path entry e is e, conversation
 * entry e is plainRef(e); NO_REF none).
 */
export class Collector {
  readonly paths: KeyTable;
  /** Statistics of each path entry (row e: path entry e). */
  readonly pathStats: StatsTable;
  readonly pairs: KeyTable;
  /**
   * Narrow indexes in front of the path and pair tables for IPv4 (the usual
   * underlay and pod family): capture, ifaceSel, mode<<16|port, id+1, src, dst
   * -> path entry; path entry, src, dst -> pair entry. A packet hashes 6 or 3
   * words instead of 15 or 11; the wide tables stay the report's source.
   */
  private readonly paths4: KeyTable;
  private paths4Entry: Int32Array = new Int32Array(64);
  private readonly pairs4: KeyTable;
  private pairs4Entry: Int32Array = new Int32Array(1024);
  pairPackets: Float64Array = new Float64Array(1024);
  readonly plain: KeyTable;
  /** Statistics of each conversation entry. */
  readonly plainStats: StatsTable;
  readonly arp: KeyTable;
  /** Outstanding ICMP echo requests: capture, id<<16|seq, src (5), dst (5). */
  readonly echoes: KeyTable;
  private echoTs: Float64Array = new Float64Array(256);
  /** The stats reference (see the class comment) of the path or conversation that carried each echo request; NO_REF none. */
  private echoStats: Int32Array = new Int32Array(256);
  /** Per capture: packets read, truncated, malformed. */
  readonly counters: CaptureCounters[] = [];
  /** Packets that fitted no table (caps reached), by table. */
  overflow = { paths: 0, plain: 0 };
  nonIpPackets = 0;
  /** ICMP fragmentation-needed / packet-too-big / other errors seen (first 1,000 kept). */
  readonly icmpErrors: IcmpError[] = [];
  icmpErrorCount = 0;
  /** UDP packets on ports not configured for VXLAN whose payload has VXLAN's shape, by destination port. */
  readonly vxlanLookalikes = new Map<number, { packets: number; capture: number; frame: number }>();
  /** Pod TCP handshakes: capture, src (5), dst (5), ports, ISN. */
  readonly syns: KeyTable;
  synFirst: Float64Array = new Float64Array(256);
  synLast: Float64Array = new Float64Array(256);
  synCount: Uint32Array = new Uint32Array(256);
  synAnswered: Uint8Array = new Uint8Array(256);
  /** The stats reference (see the class comment) of the path or conversation that carried each SYN. */
  synStats: Int32Array = new Int32Array(256);
  /** TCP sequence tracking (retransmissions, the MTU black hole). */
  readonly tcpFlows: TcpFlows;
  private capture = -1;
  /**
   * The interface selector of the packet `add` is folding in. The reference path's helpers read
   * it here: passed as an argument, a selector above 2^31 (an SLL2 interface index) would be a
   * heap number on every call V8 does not inline. They take the time from the record.
   */
  private ifaceSel = 0;
  /** plainKey's MACs (48-bit numbers, -1 none), set by its caller for the same reason. */
  private keySrcMac = -1;
  private keyDstMac = -1;
  /** Fast-path packets' path, pair and TCP direction entries (see addFast); IPv6 packets' in flowCache6. */
  private readonly flowCache: FlowCache;
  private readonly flowCache6: FlowCache;
  /** The entries the last `add` used, for rememberFast: path or conversation (NOT_SEEN: neither), pod pair, TCP direction. */
  private lastPath = NOT_SEEN;
  private lastPair = -1;
  private lastTcp = -1;
  /** Fast-path packets folded in on a flow cache miss, without the reference decode (for tests). */
  fastMisses = 0;

  /**
   * `flowCacheSlots`, `flowCacheMaxSlots`: the fast path's cache, its
   * starting size and the size it grows to (tests make them tiny to
   * exercise its growth and restarts).
   */
  constructor(
    readonly limits: Limits = DEFAULT_LIMITS,
    flowCacheSlots?: number,
    flowCacheMaxSlots?: number,
  ) {
    this.flowCache = new FlowCache(flowCacheSlots, flowCacheMaxSlots);
    // IPv6 is a small share of most captures: its cache starts at 1,024 slots and grows as the other.
    this.flowCache6 = new FlowCache(flowCacheSlots ?? 1 << 10, flowCacheMaxSlots, FC6_WIDTH);
    this.paths = new KeyTable(15, limits.maxPaths, 64);
    this.pairs = new KeyTable(11, limits.maxPodPairs, 1024);
    this.paths4 = new KeyTable(6, limits.maxPaths, 64);
    this.pairs4 = new KeyTable(3, limits.maxPodPairs, 1024);
    this.plain = new KeyTable(16, limits.maxPlain, 256);
    this.arp = new KeyTable(7, 65_536, 64);
    this.echoes = new KeyTable(12, 100_000, 256);
    this.syns = new KeyTable(13, 100_000, 256);
    this.pathStats = new StatsTable(this.paths.maxEntries);
    this.plainStats = new StatsTable(this.plain.maxEntries);
    this.tcpFlows = new TcpFlows(limits.maxTcpFlows);
  }

  beginCapture(): number {
    this.capture = this.counters.length;
    this.counters.push({ packets: 0, truncated: 0, headersCut: 0, firstHeadersCut: null, malformed: 0 });
    this.flowCache.clear();
    this.flowCache6.clear();
    return this.capture;
  }

  add(rec: CaptureRecord, pv: PacketView): void {
    const c = this.counters[this.capture]!;
    c.packets++;
    if (pv.status === Status.Truncated) {
      c.truncated++;
      if (pv.issue !== SNAPLEN_ISSUE) countHeadersCut(c, rec, pv);
    } else if (pv.status === Status.Malformed) c.malformed++;
    // Signed, as every key word passed to a helper here (the tables store the same bits).
    const ifaceSel = pv.ifindex >= 0 ? 0x80000000 | pv.ifindex : rec.interfaceId;
    this.ifaceSel = ifaceSel;
    this.lastPath = NOT_SEEN;
    this.lastPair = -1;
    this.lastTcp = -1;

    // ARP, and IPv6 neighbour discovery, teach which MAC answers for which node address
    // (no-encap node identity).
    const first = pv.count > 0 ? pv.layers[0]! : null;
    if (pv.count > 0) {
      const last = pv.layers[pv.count - 1]!;
      const arp = last.proto === Proto.Arp && last.senderIp !== 0;
      const ndp = last.proto === Proto.Icmpv6 && (last.icmpType === 135 || last.icmpType === 136) && !last.quoted;
      if ((arp || ndp) && last.senderMac >= 0) {
        const k = this.arp.probe;
        k[0] = Math.floor(last.senderMac / 0x100000000);
        k[1] = last.senderMac >>> 0;
        if (arp) putV4(k, 2, last.senderIp | 0);
        else putV6(k, 2, last.ndpAddr);
        this.arp.lookup();
      }
    }

    if (pv.tunnelCount > 0) {
      this.addTunnelled(rec, pv);
      return;
    }
    // Unencapsulated: the first IP layer (not one quoted in an ICMP error).
    let ip = -1;
    for (let i = 0; i < pv.count; i++) {
      const p = pv.layers[i]!.proto;
      if (p === Proto.Ipv4 || p === Proto.Ipv6) {
        ip = i;
        break;
      }
    }
    if (ip < 0) {
      this.nonIpPackets++;
      return;
    }
    const l = pv.layers[ip]!;
    let srcMac = -1;
    let dstMac = -1;
    if (first && first.proto === Proto.Eth) {
      srcMac = first.srcMac;
      dstMac = first.dstMac;
    } else if (first && (first.proto === Proto.Sll || first.proto === Proto.Sll2)) {
      srcMac = first.srcMac;
    }
    this.keySrcMac = srcMac;
    this.keyDstMac = dstMac;
    const k = this.plainKey(ifaceSel);
    putAddr(k, 6, l, false);
    putAddr(k, 11, l, true);
    const e = this.plain.lookup();
    this.lastPath = e;
    if (e < 0) {
      this.overflow.plain++;
      return;
    }
    const st = this.plainStats;
    if (this.plain.inserted) st.make(e);
    const len = l.totalLength > (l.proto === Proto.Ipv6 ? 40 : 0) ? l.totalLength : rec.wireLen;
    const at = st.add(e, rec, len);
    if (l.df) st.hot[at + DF]!++;
    if (l.mf || l.fragOffset > 0) st.fragments[e]!++;
    countProtocol(st, e, at, protocolIndex(l));
    if (l.protocol !== 6 && l.protocol !== 1 && l.protocol !== 58 && (l.mf || l.fragOffset > 0)) st.tunnelFragments[e]!++;
    if (ip + 1 < pv.count) {
      this.echo(pv, ip, rec, plainRef(e));
      this.tcp(pv, ip, rec, plainRef(e));
      this.icmpError(pv, ip, rec.index);
      this.vxlanLookalike(pv, ip, rec.index);
    }
    st.hot[at + DIRECTIONS]! |= directionBits(pv.direction, rec.direction);
    if (srcMac === ETH_MAC_EE || dstMac === ETH_MAC_EE) st.calicoVethMac[e] = 1;
  }

  private addTunnelled(rec: CaptureRecord, pv: PacketView): void {
    const ifaceSel = this.ifaceSel;
    const t = pv.tunnels[0]!;
    const tl = pv.layers[t]!;
    const oi = pv.outerIpOf(t);
    if (oi < 0) {
      this.nonIpPackets++;
      return;
    }
    const outer = pv.layers[oi]!;
    // The mode, and the tunnel's id + 1 (0: none; tunnelId's) as the key word it is kept as,
    // signed: a GRE key above 2^31 returned from tunnelId (a call V8 did not always inline)
    // was a heap number a packet. WireGuard indexes differ per direction and handshake: not a
    // path identity.
    let mode: number;
    let id1 = 0;
    switch (tl.proto) {
      case Proto.Ipip:
        mode = tl.innerVersion === 6 ? MODE_IP6IP : MODE_IPIP;
        break;
      case Proto.Vxlan:
        mode = MODE_VXLAN;
        id1 = tl.vni + 1;
        break;
      case Proto.Geneve:
        mode = MODE_GENEVE;
        id1 = tl.vni + 1;
        break;
      case Proto.Gre:
        mode = MODE_GRE;
        id1 = (tl.greKey + 1) | 0;
        break;
      default:
        mode = MODE_WIREGUARD;
    }
    let port = 0;
    if (oi + 1 < pv.count && pv.layers[oi + 1]!.proto === Proto.Udp) port = pv.layers[oi + 1]!.dstPort;
    // The pod packet: the innermost IP layer (nested tunnels carry one pod packet).
    let ii = -1;
    for (let i = pv.count - 1; i > t; i--) {
      const l = pv.layers[i]!;
      if ((l.proto === Proto.Ipv4 || l.proto === Proto.Ipv6) && !l.quoted) {
        ii = i;
        break;
      }
    }
    let e: number;
    if (outer.proto === Proto.Ipv4) {
      // IPv4 underlay (nearly always): a 6-word index in front of the 15-word table.
      this.paths4Key(ifaceSel, mode, port, id1, outer.src | 0, outer.dst | 0);
      const ne = this.paths4.lookup();
      if (ne < 0) e = -1;
      else if (!this.paths4.inserted) e = this.paths4Entry[ne]!;
      else {
        e = this.pathLookup(mode, port, id1, outer, ifaceSel);
        if (ne >= this.paths4Entry.length) this.paths4Entry = growI32(this.paths4Entry, this.paths4Entry.length * 2);
        this.paths4Entry[ne] = e;
      }
    } else {
      e = this.pathLookup(mode, port, id1, outer, ifaceSel);
    }
    this.lastPath = e;
    if (e < 0) {
      this.overflow.paths++;
      return;
    }
    const st = this.pathStats;
    if (!st.has(e)) {
      st.make(e);
      const first = pv.layers[0]!;
      if (first.proto === Proto.Eth) st.setMacs(e, first.srcMac, first.dstMac);
    }
    const outerLen = outer.totalLength > (outer.proto === Proto.Ipv6 ? 40 : 0) ? outer.totalLength : rec.wireLen;
    const at = st.add(e, rec, outerLen);
    if (outer.df) st.hot[at + DF]!++;
    if (outer.mf || outer.fragOffset > 0) {
      st.fragments[e]!++;
      st.tunnelFragments[e]!++;
    }
    st.hot[at + DIRECTIONS]! |= directionBits(pv.direction, rec.direction);
    if (ii < 0) {
      // WireGuard (encrypted) or a tunnel whose payload is not IP: overhead by header sizes.
      st.hot[at + ENCAP_BYTES]! += mode === MODE_WIREGUARD ? pv.layers[t]!.offset - outer.offset + 32 : 0;
      st.otherPackets[e]!++;
      return;
    }
    const inner = pv.layers[ii]!;
    st.hot[at + ENCAP_BYTES]! += inner.offset - outer.offset;
    if (inner.totalLength > st.hot[at + MAX_INNER]!) st.hot[at + MAX_INNER] = inner.totalLength;
    countProtocol(st, e, at, protocolIndex(inner));
    if (ii + 1 < pv.count) {
      this.echo(pv, ii, rec, e);
      this.tcp(pv, ii, rec, e);
      if (st.checksumsChecked[e]! < CHECKSUM_SAMPLE) this.checksums(pv, oi, ii, e, rec.direction);
    }

    let pe: number;
    if (inner.proto === Proto.Ipv4) pe = this.pair4(e, inner.src | 0, inner.dst | 0);
    else {
      const pk = this.pairs.probe;
      pk[0] = e;
      putAddr(pk, 1, inner, false);
      putAddr(pk, 6, inner, true);
      pe = this.pairs.lookup();
      this.pairRoom(pe);
    }
    this.lastPair = pe;
    if (pe < 0) st.pairOverflow[e]!++;
    else this.pairPackets[pe]!++;
  }

  /**
   * A conversation key's first words in plain.probe: capture, interface, then the sender's and
   * receiver's MAC, high 16 bits and low 32 (NO_MAC for none, -1). The caller adds the addresses.
   */
  private plainKey(ifaceSel: number): Uint32Array {
    const srcMac = this.keySrcMac;
    const dstMac = this.keyDstMac;
    const k = this.plain.probe;
    k[0] = this.capture;
    k[1] = ifaceSel;
    k[2] = srcMac >= 0 ? Math.floor(srcMac / 0x100000000) : NO_MAC;
    k[3] = srcMac >= 0 ? srcMac >>> 0 : NO_MAC;
    k[4] = dstMac >= 0 ? Math.floor(dstMac / 0x100000000) : NO_MAC;
    k[5] = dstMac >= 0 ? dstMac >>> 0 : NO_MAC;
    return k;
  }

  /** The IPv4-underlay path index's key (paths4.probe). */
  private paths4Key(ifaceSel: number, mode: number, port: number, id1: number, src: number, dst: number): void {
    const n = this.paths4.probe;
    n[0] = this.capture;
    n[1] = ifaceSel;
    n[2] = ((mode << 16) | port) >>> 0;
    n[3] = id1;
    n[4] = src;
    n[5] = dst;
  }

  /**
   * Path e's pod pair of IPv4 addresses: a 3-word index in front of the 11-word table.
   * -1 when a table is full; pairPackets has room for the entry.
   */
  private pair4(e: number, src: number, dst: number): number {
    const n = this.pairs4.probe;
    n[0] = e;
    n[1] = src;
    n[2] = dst;
    const ne = this.pairs4.lookup();
    if (ne < 0) return -1;
    if (!this.pairs4.inserted) return this.pairs4Entry[ne]!;
    const pk = this.pairs.probe;
    pk[0] = e;
    putV4(pk, 1, src);
    putV4(pk, 6, dst);
    const pe = this.pairs.lookup();
    if (ne >= this.pairs4Entry.length) this.pairs4Entry = growI32(this.pairs4Entry, this.pairs4Entry.length * 2);
    this.pairs4Entry[ne] = pe;
    this.pairRoom(pe);
    return pe;
  }

  /** Room in pairPackets for pair entry `pe`. */
  private pairRoom(pe: number): void {
    if (pe >= this.pairPackets.length) this.pairPackets = growF64(this.pairPackets, this.pairPackets.length * 2);
  }

  /**
   * A packet the FastDecoder took, folded in without the reference decode:
   * exactly what `add` does for that packet shape (a tunnelled IPv4 or IPv6
   * pod packet with TCP without SYN, UDP or ICMP echo; an unencapsulated one
   * with TCP without SYN or ICMP echo; either with a TCP header the snap
   * length cut; IPv6 ones through flowCache6). Its path (or conversation), pod pair and TCP direction come
   * from the flow cache, or on a miss from the tables (addFastMiss). False
   * (nothing changed) for the packets only the reference can fold in: a
   * path's first packet, those whose checksums it still samples, and a
   * capture's first packet cut inside a header (the report shows it). Then
   * decode the packet fully, `add` it, then `rememberFast` it.
   */
  addFast(rec: CaptureRecord, f: FastPacket): boolean {
    // The key. Tunnelled: interface, tunnel (Proto.Ipip, Vxlan or Geneve)/protocol/UDP port, VNI, outer
    // addresses, pod addresses, ports. Unencapsulated: interface, plainKeyWord, the MACs' other
    // words, addresses, ports. IPv6 packets' (find6) in flowCache6.
    const plain = f.tunnel === Proto.None;
    // The capture's first packet cut inside a header is the one its report points at: the reference keeps it.
    if (f.innerProtocol === TCP_HEADER_CUT && this.counters[this.capture]!.firstHeadersCut === null) return false;
    const v4 = f.v6 === 0;
    // Every word is passed as a signed 32-bit integer: V8 passes those unboxed, where an
    // address or MAC word above 2^31 would be a heap number allocated on every call.
    const s = !v4
      ? this.find6(rec, f, plain)
      : plain
      ? this.flowCache.find(
          f.ifindex >= 0 ? 0x80000000 | f.ifindex : rec.interfaceId,
          plainKeyWord(f),
          f.srcMac < 0 ? 0 : f.srcMac | 0,
          f.dstMac < 0 ? 0 : Math.floor(f.dstMac / 0x100000000),
          f.dstMac < 0 ? 0 : f.dstMac | 0,
          f.innerSrc | 0,
          f.innerDst | 0,
          (f.srcPort << 16) | f.dstPort,
        )
      : this.flowCache.find(
          f.ifindex >= 0 ? 0x80000000 | f.ifindex : rec.interfaceId,
          (f.tunnel << 24) | (f.innerProtocol << 16) | f.port,
          f.vni,
          f.outerSrc | 0,
          f.outerDst | 0,
          f.innerSrc | 0,
          f.innerDst | 0,
          (f.srcPort << 16) | f.dstPort,
        );
    if (s < 0) return this.addFastMiss(rec, f, plain);
    const slots = v4 ? this.flowCache.slots : this.flowCache6.slots;
    const e = slots[s + FC_PATH]!;
    if (e < 0) {
      this.overflowFast(rec, f, plain);
      return true;
    }
    if (!plain && this.pathStats.checksumsChecked[e]! < CHECKSUM_SAMPLE) return false;
    this.foldFast(rec, f, plain, e, slots[s + FC_PAIR]!, slots[s + FC_TCP]!);
    return true;
  }

  /**
   * addFast on a flow cache miss (the first packet of a flow, or one the
   * cache had to let go): the conversation, or the path (when it is known and
   * done sampling checksums, else false with nothing changed), the pod pair
   * and the TCP direction looked up (made when new) from the FastPacket's
   * numbers as `add` does from the decoded layers, then cached (IPv6 packets in flowCache6). A scan is
   * all such packets: each used to take the reference decode.
   */
  private addFastMiss(rec: CaptureRecord, f: FastPacket, plain: boolean): boolean {
    const ifaceSel = f.ifindex >= 0 ? 0x80000000 | f.ifindex : rec.interfaceId;
    // IPv6 addresses where the packet has them (FastPacket.v6), in the IPv6 cache then.
    const inner6 = (f.v6 & INNER6) !== 0;
    let e: number;
    if (plain) {
      this.keySrcMac = f.srcMac;
      this.keyDstMac = f.dstMac;
      const k = this.plainKey(ifaceSel);
      if (inner6) {
        putV6(k, 6, f.innerSrc6);
        putV6(k, 11, f.innerDst6);
      } else {
        putV4(k, 6, f.innerSrc | 0);
        putV4(k, 11, f.innerDst | 0);
      }
      e = this.plain.lookup();
      if (e >= 0 && this.plain.inserted) this.plainStats.make(e);
    } else {
      // (IPv6 in IPIP, 6in4, is the reference's: an IPv6 packet here is VXLAN or Geneve.)
      const mode = f.tunnel === Proto.Ipip ? MODE_IPIP : f.tunnel === Proto.Vxlan ? MODE_VXLAN : MODE_GENEVE;
      if ((f.v6 & OUTER6) !== 0) {
        // An IPv6 underlay: the full path table (no narrow index).
        const k = this.paths.probe;
        k[0] = this.capture;
        k[1] = ifaceSel;
        k[2] = mode;
        k[3] = f.port;
        k[4] = f.vni + 1;
        putV6(k, 5, f.outerSrc6);
        putV6(k, 10, f.outerDst6);
        e = this.paths.find();
        // A new path (its MACs are in the frame's Ethernet header): the reference.
        if (e < 0) return false;
      } else {
        this.paths4Key(ifaceSel, mode, f.port, f.vni + 1, f.outerSrc | 0, f.outerDst | 0);
        const ne = this.paths4.find();
        // A new path or a full index: the reference.
        if (ne < 0) return false;
        e = this.paths4Entry[ne]!;
      }
      if (e >= 0 && this.pathStats.checksumsChecked[e]! < CHECKSUM_SAMPLE) return false;
    }
    const cache = f.v6 === 0 ? this.flowCache : this.flowCache6;
    if (e < 0) {
      this.overflowFast(rec, f, plain);
      cache.insertMissed(-1, -1, -1);
      return true;
    }
    let dir = -1;
    if (f.innerProtocol === 6) {
      dir = inner6
        ? this.tcpFlows.row6(this.capture, ifaceSel, f.innerSrc6, f.innerDst6, f.srcPort, f.dstPort)
        : this.tcpFlows.row4(this.capture, ifaceSel, f.innerSrc | 0, f.innerDst | 0, f.srcPort, f.dstPort);
    }
    const pe = plain ? -1 : inner6 ? this.pair6(e, f.innerSrc6, f.innerDst6) : this.pair4(e, f.innerSrc | 0, f.innerDst | 0);
    cache.insertMissed(e, pe, dir);
    this.fastMisses++;
    this.foldFast(rec, f, plain, e, pe, dir);
    return true;
  }

  /** addFast's look-up for a packet with an IPv6 header (outer, pod's, or the one of an unencapsulated packet): its key into flowCache6, then its slot (-1: a miss). */
  private find6(rec: CaptureRecord, f: FastPacket, plain: boolean): number {
    const ifaceSel = f.ifindex >= 0 ? 0x80000000 | f.ifindex : rec.interfaceId;
    const cache = this.flowCache6;
    const k = cache.probe;
    k[0] = ifaceSel;
    if (plain) {
      k[1] = plainKeyWord(f);
      k[2] = f.srcMac < 0 ? 0 : f.srcMac | 0;
      k[3] = (f.v6 << 16) | (f.dstMac < 0 ? 0 : Math.floor(f.dstMac / 0x100000000));
      k[4] = f.dstMac < 0 ? 0 : f.dstMac | 0;
      put1(k, 5, 0);
      put1(k, 9, 0);
    } else {
      k[1] = (f.tunnel << 24) | (f.innerProtocol << 16) | f.port;
      k[2] = f.vni;
      k[3] = f.v6 << 16;
      k[4] = 0;
      if ((f.v6 & OUTER6) !== 0) {
        put4(k, 5, f.outerSrc6);
        put4(k, 9, f.outerDst6);
      } else {
        put1(k, 5, f.outerSrc | 0);
        put1(k, 9, f.outerDst | 0);
      }
    }
    if ((f.v6 & INNER6) !== 0) {
      put4(k, 13, f.innerSrc6);
      put4(k, 17, f.innerDst6);
    } else {
      put1(k, 13, f.innerSrc | 0);
      put1(k, 17, f.innerDst | 0);
    }
    k[21] = (f.srcPort << 16) | f.dstPort;
    return cache.findProbe();
  }

  /** Path e's pod pair of IPv6 addresses (as addTunnelled makes it); -1 when the table is full. */
  private pair6(e: number, src: Uint32Array, dst: Uint32Array): number {
    const pk = this.pairs.probe;
    pk[0] = e;
    putV6(pk, 1, src);
    putV6(pk, 6, dst);
    const pe = this.pairs.lookup();
    this.pairRoom(pe);
    return pe;
  }

  /** A fast-path packet whose path or conversation did not fit its table. */
  private overflowFast(rec: CaptureRecord, f: FastPacket, plain: boolean): void {
    this.countFast(rec, f);
    if (plain) this.overflow.plain++;
    else this.overflow.paths++;
  }

  /**
   * A fast-path packet in the capture's counts, as `add` counts it: a frame cut by the snap
   * length is truncated, and one cut inside its TCP header also has a header cut.
   */
  private countFast(rec: CaptureRecord, f: FastPacket): void {
    const c = this.counters[this.capture]!;
    c.packets++;
    if (rec.capLen < rec.wireLen) {
      c.truncated++;
      if (f.innerProtocol === TCP_HEADER_CUT) c.headersCut++;
    }
  }

  /** The rest of addFast, on the packet's path or conversation, pod pair (tunnelled) and TCP direction. */
  private foldFast(rec: CaptureRecord, f: FastPacket, plain: boolean, e: number, pe: number, dir: number): void {
    this.countFast(rec, f);
    const st = plain ? this.plainStats : this.pathStats;
    const ref = plain ? plainRef(e) : e;
    const at = st.add(e, rec, f.outerLength);
    const h = st.hot;
    if (f.df) h[at + DF]!++;
    if (!plain) {
      h[at + ENCAP_BYTES]! += f.encapLength;
      if (f.innerLength > h[at + MAX_INNER]!) h[at + MAX_INNER] = f.innerLength;
    }
    if (f.innerProtocol === 6) {
      h[at + TCP]!++;
      if (dir < 0) this.tcpFlows.overflow++;
      else
        ((f.v6 & INNER6) === 0 ? this.tcpFlows.v4 : this.tcpFlows.v6).fold(
          dir,
          f.tcpFlags,
          f.seq | 0,
          f.ack | 0,
          f.payloadLength,
          f.innerLength,
          microseconds(rec.tsSec | 0, rec.tsNsec),
          rec.index,
          ref,
          !plain,
        );
    } else if (f.innerProtocol === 1) {
      h[at + ICMP]!++;
      this.echoV4(f.icmpType, f.echoId, f.echoSeq, f.innerSrc | 0, f.innerDst | 0, rec, ref, !plain);
    } else if (f.innerProtocol === 58) {
      h[at + ICMP]!++;
      this.echo6(f.icmpType === 128, f.echoId, f.echoSeq, f.innerSrc6, f.innerDst6, rec, ref, !plain);
    } else if (f.innerProtocol === TCP_HEADER_CUT) {
      // TCP, its header cut by the snap length: counted, with no connection to fold it into (as `add`).
      h[at + TCP]!++;
    } else {
      h[at + UDP]!++;
    }
    h[at + DIRECTIONS]! |= directionBits(f.direction, rec.direction);
    if (plain) {
      if (f.srcMac === ETH_MAC_EE || f.dstMac === ETH_MAC_EE) st.calicoVethMac[e] = 1;
    } else if (pe < 0) st.pairOverflow[e]!++;
    else this.pairPackets[pe]!++;
  }

  /**
   * After `add` of a packet addFast turned down: cache the entries `add`
   * used, under the key addFast missed (nothing when addFast found the key
   * and declined for another reason, e.g. checksum sampling).
   */
  rememberFast(): void {
    // Only the cache addFast looked in (IPv4 or IPv6) has a miss to remember: the other's calls do nothing.
    if (this.lastPath === NOT_SEEN) {
      this.flowCache.dropMissed();
      this.flowCache6.dropMissed();
    } else {
      this.flowCache.insertMissed(this.lastPath, this.lastPair, this.lastTcp);
      this.flowCache6.insertMissed(this.lastPath, this.lastPair, this.lastTcp);
    }
  }

  /** The path's entry in the full table (-1: the table is full). */
  private pathLookup(mode: number, port: number, id1: number, outer: Layer, ifaceSel: number): number {
    const k = this.paths.probe;
    k[0] = this.capture;
    k[1] = ifaceSel;
    k[2] = mode;
    k[3] = port;
    k[4] = id1;
    putAddr(k, 5, outer, false);
    putAddr(k, 10, outer, true);
    return this.paths.lookup();
  }

  /**
   * Pair ICMP echo requests with their replies (same capture, id and
   * sequence, addresses swapped) for round-trip times. A request seen again
   * (tcpdump -i any shows it on the veth, then on the NIC) keeps its first
   * time but moves to the tunnel path that carried it.
   */
  private echo(pv: PacketView, ipIndex: number, rec: CaptureRecord, ref: number): void {
    const icmp = pv.layers[ipIndex + 1]!;
    if ((icmp.proto !== Proto.Icmp && icmp.proto !== Proto.Icmpv6) || icmp.echoId < 0 || icmp.quoted) return;
    const t = icmp.icmpType;
    const request = t === 8 || t === 128;
    if (!request && t !== 0 && t !== 129) return;
    const ip = pv.layers[ipIndex]!;
    const k = this.echoes.probe;
    k[0] = this.capture;
    k[1] = ((icmp.echoId << 16) | icmp.echoSeq) >>> 0;
    putAddr(k, 2, ip, !request);
    putAddr(k, 7, ip, request);
    this.echoFold(request, rec, ref, pv.tunnelCount > 0);
  }

  /** `echo` for an IPv4 echo request (type 8) or reply (0) from the fast path. */
  private echoV4(type: number, echoId: number, echoSeq: number, src: number, dst: number, rec: CaptureRecord, ref: number, tunnelled: boolean): void {
    const request = type === 8;
    const k = this.echoes.probe;
    k[0] = this.capture;
    k[1] = ((echoId << 16) | echoSeq) >>> 0;
    k[2] = 4;
    k[3] = request ? src : dst;
    k[4] = 0;
    k[5] = 0;
    k[6] = 0;
    k[7] = 4;
    k[8] = request ? dst : src;
    k[9] = 0;
    k[10] = 0;
    k[11] = 0;
    this.echoFold(request, rec, ref, tunnelled);
  }

  /** `echo` for an ICMPv6 echo request (type 128) or reply (129) from the fast path. */
  private echo6(request: boolean, echoId: number, echoSeq: number, src: Uint32Array, dst: Uint32Array, rec: CaptureRecord, ref: number, tunnelled: boolean): void {
    const k = this.echoes.probe;
    k[0] = this.capture;
    k[1] = ((echoId << 16) | echoSeq) >>> 0;
    putV6(k, 2, request ? src : dst);
    putV6(k, 7, request ? dst : src);
    this.echoFold(request, rec, ref, tunnelled);
  }

  /** After the echo's key is in `echoes.probe`: remember a request, or time the reply to one. */
  private echoFold(request: boolean, rec: CaptureRecord, ref: number, tunnelled: boolean): void {
    const ts = rec.tsSec + rec.tsNsec / 1e9;
    const e = this.echoes.lookup();
    if (e < 0) return;
    if (this.echoes.inserted) {
      if (e >= this.echoTs.length) {
        this.echoTs = growF64(this.echoTs, this.echoTs.length * 2);
        this.echoStats = growI32(this.echoStats, this.echoTs.length);
      }
      this.echoTs[e] = request ? ts : -1;
      this.echoStats[e] = request ? ref : NO_REF;
      return;
    }
    if (request) {
      if (tunnelled) this.echoStats[e] = ref;
      return;
    }
    const owner = this.echoStats[e]!;
    const sent = this.echoTs[e]!;
    if (owner !== NO_REF && sent >= 0 && ts >= sent) {
      this.statsOf(owner).rttRoom(refRow(owner))?.push(ts - sent);
      this.echoStats[e] = NO_REF; // one sample per request
    }
  }

  /** Verify the outer UDP and the inner TCP/UDP checksums of a tunnelled packet. */
  private checksums(pv: PacketView, oi: number, ii: number, e: number, recordDirection: number): void {
    const st = this.pathStats;
    const dir = pv.direction || recordDirection; // 1 in, 2 out, 0 unknown
    let bad = transportChecksum(pv, ii, ii + 1) === CHECKSUM_BAD;
    const outerUdp = pv.layers[oi + 1]!;
    if (outerUdp.proto === Proto.Udp && outerUdp.checksum !== 0 && transportChecksum(pv, oi, oi + 1) === CHECKSUM_BAD) bad = true;
    st.checksumsChecked[e]!++;
    if (bad) {
      if (dir === 1) st.badChecksumsIn[e]!++;
      else if (dir === 2) st.badChecksumsOut[e]!++;
      else st.badChecksumsUnknown[e]!++;
    }
  }

  /** Sequence tracking; SYN MSS and the handshake table behind the SYN-retransmission findings. */
  private tcp(pv: PacketView, ipIndex: number, rec: CaptureRecord, ref: number): void {
    const t = pv.layers[ipIndex + 1]!;
    if (t.proto !== Proto.Tcp || t.quoted) return;
    const ip = pv.layers[ipIndex]!;
    const us = microseconds(rec.tsSec | 0, rec.tsNsec);
    this.tcpFlows.add(this.capture, this.ifaceSel, ip, t, ip.proto === Proto.Ipv6, us, rec.index, ref, pv.tunnelCount > 0);
    this.lastTcp = this.tcpFlows.lastDir;
    if ((t.tcpFlags & 0x02) === 0) return;
    const synAck = (t.tcpFlags & 0x10) !== 0;
    if (!synAck && t.mss >= 0) this.statsOf(ref).seeMss(refRow(ref), t.mss);
    const k = this.syns.probe;
    k[0] = this.capture;
    putAddr(k, 1, ip, synAck);
    putAddr(k, 6, ip, !synAck);
    k[11] = synAck ? ((t.dstPort << 16) | t.srcPort) >>> 0 : ((t.srcPort << 16) | t.dstPort) >>> 0;
    k[12] = synAck ? (t.ack - 1) >>> 0 : t.seq;
    if (synAck) {
      // Answers only: never create an entry for a SYN-ACK whose SYN was not seen.
      const e = this.syns.lookup();
      if (e >= 0 && !this.syns.inserted) this.synAnswered[e] = 1;
      else if (e >= 0) this.synCount[e] = 0;
      return;
    }
    const e = this.syns.lookup();
    if (e < 0) return;
    const ts = rec.tsSec + rec.tsNsec / 1e9;
    this.growSyns(e);
    if (this.syns.inserted) {
      this.synFirst[e] = ts;
      this.synCount[e] = 0;
      this.synAnswered[e] = 0;
      this.synStats[e] = ref;
    }
    // A copy of the same SYN within a millisecond is the same packet seen on another interface (-i any).
    if (this.synCount[e] === 0 || ts - this.synLast[e]! > 0.001) this.synCount[e]!++;
    this.synLast[e] = ts;
    if (pv.tunnelCount > 0) this.synStats[e] = ref;
  }

  /**
   * Everything the report needs from this collector, as plain data that
   * survives postMessage (worker threads): typed arrays, each a copy of its
   * own. The SYN, echo and TCP tables point at path and conversation rows by
   * stats reference (see the class).
   */
  snapshot(): CollectorSnapshot {
    return this.tables(true);
  }

  /**
   * The snapshot of a collector that is done: views on its own arrays, no
   * copies. For a capture's collector about to be merged (in this thread) or
   * handed over (a worker transfers the views' buffers): copies stood beside
   * the tables they copied, so a scan's merge held its tables twice. This
   * collector must not be used afterwards: the views share its arrays, and a
   * transfer empties them.
   */
  release(): CollectorSnapshot {
    return this.tables(false);
  }

  private tables(copy: boolean): CollectorSnapshot {
    const n = this.syns.size;
    return {
      counters: this.counters,
      paths: this.paths.keyWords(copy),
      pathStats: this.pathStats.snapshot(copy),
      pairs: this.pairs.keyWords(copy),
      pairPackets: leading(this.pairPackets, this.pairs.size, copy),
      plain: this.plain.keyWords(copy),
      plainStats: this.plainStats.snapshot(copy),
      arp: this.arp.keyWords(copy),
      syns: this.syns.keyWords(copy),
      synFirst: leading(this.synFirst, n, copy),
      synLast: leading(this.synLast, n, copy),
      synCount: leading(this.synCount, n, copy),
      synAnswered: leading(this.synAnswered, n, copy),
      synStats: leading(this.synStats, n, copy),
      tcpFlows: this.tcpFlows.snapshot(copy),
      overflow: { ...this.overflow },
      nonIpPackets: this.nonIpPackets,
      icmpErrors: this.icmpErrors,
      icmpErrorCount: this.icmpErrorCount,
      vxlanLookalikes: [...this.vxlanLookalikes],
    };
  }

  /**
   * Fold in the snapshot of another collector's captures as the next
   * captures of this one, as if their packets had come here: tables keep
   * their insertion order and their caps, and what no longer fits is
   * counted as overflow. Below the caps the result is exactly that of one
   * collector reading every capture (test/analysis/merge.test.ts). At a cap
   * it can keep a little more: the capture's own collector did not know
   * the room the captures before it had used, so echo replies, ICMP errors
   * and TCP connections of packets whose path no longer fits here were
   * already counted there.
   */
  absorb(snap: CollectorSnapshot): void {
    this.flowCache.clear();
    this.flowCache6.clear();
    const base = this.counters.length;
    for (const c of snap.counters) this.counters.push({ ...c });
    const rekey = (t: KeyTable, words: Uint32Array, e: number, captureWord: number | null): number => {
      const w = t.width;
      const k = t.probe;
      for (let x = 0; x < w; x++) k[x] = words[e * w + x]!;
      if (captureWord !== null) k[0] = captureWord;
      return t.lookup();
    };
    // Paths and conversations: their stats move over; packets of keys that no longer fit become overflow.
    const moveStats = (t: KeyTable, words: Uint32Array, from: StatsSnapshot, to: StatsTable, table: 'paths' | 'plain'): Int32Array => {
      const map = new Int32Array(from.size).fill(-1);
      // Rows move in runs: a key that fits is new here (its capture is), so it takes the next row.
      let runFrom = 0;
      let runTo = 0;
      let run = 0;
      for (let e = 0; e < from.size; e++) {
        const ne = rekey(t, words, e, base + words[e * t.width]!);
        if (ne < 0) this.overflow[table] += StatsTable.packetsOf(from, e);
        else {
          map[e] = ne;
          if (run > 0 && ne === runTo + run && e === runFrom + run) run++;
          else {
            to.copyRows(runTo, from, runFrom, run);
            runFrom = e;
            runTo = ne;
            run = 1;
          }
        }
      }
      to.copyRows(runTo, from, runFrom, run);
      to.copyRtts(from, map);
      return map;
    };
    const pathMap = moveStats(this.paths, snap.paths, snap.pathStats, this.pathStats, 'paths');
    for (let e = 0; e * this.pairs.width < snap.pairs.length; e++) {
      const path = pathMap[snap.pairs[e * this.pairs.width]!]!;
      if (path < 0) continue;
      const ne = rekey(this.pairs, snap.pairs, e, path);
      if (ne < 0) {
        this.pathStats.pairOverflow[path]! += snap.pairPackets[e]!;
        continue;
      }
      if (ne >= this.pairPackets.length) {
        let n = this.pairPackets.length * 2;
        while (ne >= n) n *= 2;
        this.pairPackets = growF64(this.pairPackets, n);
      }
      this.pairPackets[ne] = this.pairPackets[ne]! + snap.pairPackets[e]!;
    }
    const plainMap = moveStats(this.plain, snap.plain, snap.plainStats, this.plainStats, 'plain');
    for (let e = 0; e * this.arp.width < snap.arp.length; e++) rekey(this.arp, snap.arp, e, null);
    // A snapshot's stats reference, as one here (NO_REF when its row did not fit).
    const stats = (r: number): number => {
      if (r === NO_REF) return NO_REF;
      const e = (r >= 0 ? pathMap : plainMap)[refRow(r)]!;
      if (e < 0) return NO_REF;
      return r >= 0 ? e : plainRef(e);
    };
    for (let e = 0; e < snap.synStats.length; e++) {
      const st = stats(snap.synStats[e]!);
      if (st === NO_REF) continue;
      const ne = rekey(this.syns, snap.syns, e, base + snap.syns[e * this.syns.width]!);
      if (ne < 0) continue;
      this.growSyns(ne);
      this.synFirst[ne] = snap.synFirst[e]!;
      this.synLast[ne] = snap.synLast[e]!;
      this.synCount[ne] = snap.synCount[e]!;
      this.synAnswered[ne] = snap.synAnswered[e]!;
      this.synStats[ne] = st;
    }
    // Each table's capture word is rewritten on the way in.
    this.tcpFlows.absorbAt(snap.tcpFlows, base, stats);
    this.overflow.paths += snap.overflow.paths;
    this.overflow.plain += snap.overflow.plain;
    this.nonIpPackets += snap.nonIpPackets;
    for (const x of snap.icmpErrors) if (this.icmpErrors.length < 1000) this.icmpErrors.push({ ...x, capture: base + x.capture });
    this.icmpErrorCount += snap.icmpErrorCount;
    for (const [port, v] of snap.vxlanLookalikes) {
      const seen = this.vxlanLookalikes.get(port);
      if (seen) seen.packets += v.packets;
      else this.vxlanLookalikes.set(port, { ...v, capture: base + v.capture });
    }
    this.capture = this.counters.length - 1;
  }

  private growSyns(e: number): void {
    if (e < this.synFirst.length) return;
    let n = this.synFirst.length * 2;
    while (e >= n) n *= 2;
    this.synFirst = growF64(this.synFirst, n);
    this.synLast = growF64(this.synLast, n);
    this.synCount = growU32(this.synCount, n);
    this.synAnswered = growU8(this.synAnswered, n);
    this.synStats = growI32(this.synStats, n);
  }

  /** The table of a stats reference's row: paths' or conversations'. */
  private statsOf(ref: number): StatsTable {
    return ref >= 0 ? this.pathStats : this.plainStats;
  }

  /** ICMP errors about packets (fragmentation needed, packet too big, unreachable, time exceeded). */
  private icmpError(pv: PacketView, ipIndex: number, frame: number): void {
    const icmp = pv.layers[ipIndex + 1]!;
    if (icmp.proto !== Proto.Icmp && icmp.proto !== Proto.Icmpv6) return;
    const q = ipIndex + 2 < pv.count ? pv.layers[ipIndex + 2]! : null;
    if (!q || !q.quoted) return;
    this.icmpErrorCount++;
    if (this.icmpErrors.length >= 1000) return;
    const ip = pv.layers[ipIndex]!;
    this.icmpErrors.push({
      capture: this.capture,
      frame,
      v6: icmp.proto === Proto.Icmpv6,
      type: icmp.icmpType,
      code: icmp.icmpCode,
      mtu: icmp.mtu,
      from: addrText(ip, false),
      to: addrText(ip, true),
      quotedSrc: addrText(q, false),
      quotedDst: addrText(q, true),
      quotedProtocol: q.protocol,
      quotedLength: q.totalLength,
      quotedDstPort: ipIndex + 3 < pv.count && pv.layers[ipIndex + 3]!.proto === Proto.Udp ? pv.layers[ipIndex + 3]!.dstPort : -1,
    });
  }

  /** VXLAN's header (flags 0x08, reserved zero) and an inner EtherType, on a UDP port not configured for it. */
  private vxlanLookalike(pv: PacketView, ipIndex: number, frame: number): void {
    const u = pv.layers[ipIndex + 1]!;
    if (u.proto !== Proto.Udp || u.quoted || ipIndex + 2 < pv.count) return;
    const b = pv.buf;
    const o = pv.base + u.offset + 8;
    const end = pv.base + pv.capLen;
    if (end - o < 8 + 14) return;
    if ((b[o]! & 0xf7) !== 0 || (b[o]! & 0x08) === 0 || b[o + 1] !== 0 || b[o + 2] !== 0 || b[o + 3] !== 0 || b[o + 7] !== 0) return;
    const et = (b[o + 20]! << 8) | b[o + 21]!;
    if (et !== 0x0800 && et !== 0x86dd && et !== 0x0806) return;
    const port = u.dstPort;
    const seen = this.vxlanLookalikes.get(port);
    if (seen) seen.packets++;
    else this.vxlanLookalikes.set(port, { packets: 1, capture: this.capture, frame });
  }
}

/** A collector's content as plain data (see Collector.snapshot). */
export interface CollectorSnapshot {
  counters: CaptureCounters[];
  paths: Uint32Array;
  pathStats: StatsSnapshot;
  pairs: Uint32Array;
  pairPackets: Float64Array;
  plain: Uint32Array;
  plainStats: StatsSnapshot;
  arp: Uint32Array;
  syns: Uint32Array;
  synFirst: Float64Array;
  synLast: Float64Array;
  synCount: Uint32Array;
  synAnswered: Uint8Array;
  synStats: Int32Array;
  tcpFlows: TcpFlowsSnapshot;
  overflow: { paths: number; plain: number };
  nonIpPackets: number;
  icmpErrors: IcmpError[];
  icmpErrorCount: number;
  vxlanLookalikes: [number, { packets: number; capture: number; frame: number }][];
}

/** Every typed array of a snapshot (a worker transfers their buffers; tests check what they share). */
export function snapshotArrays(s: CollectorSnapshot): (Float64Array | Uint32Array | Int32Array | Uint8Array)[] {
  const t = s.tcpFlows;
  return [
    s.paths,
    s.pairs,
    s.pairPackets,
    s.plain,
    s.arp,
    s.syns,
    s.synFirst,
    s.synLast,
    s.synCount,
    s.synAnswered,
    s.synStats,
    ...s.pathStats.columns,
    ...s.plainStats.columns,
    t.v4.keys,
    t.v4.rows,
    t.v4.refs,
    t.v6.keys,
    t.v6.rows,
    t.v6.refs,
  ];
}

export interface IcmpError {
  capture: number;
  frame: number;
  v6: boolean;
  type: number;
  code: number;
  mtu: number;
  from: string;
  to: string;
  quotedSrc: string;
  quotedDst: string;
  quotedProtocol: number;
  quotedLength: number;
  /** UDP destination port of the quoted packet (-1 when not UDP): tells VXLAN/Geneve apart. */
  quotedDstPort: number;
}

function addrText(l: Layer, dst: boolean): string {
  return l.proto === Proto.Ipv4 ? ipv4String(dst ? l.dst : l.src) : ipv6String(dst ? l.dst6 : l.src6);
}
