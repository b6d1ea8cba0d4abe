/**
 * TCP sequence tracking of pod connections, for the MTU black hole: full-size
 * segments sent again and again while smaller ones get through (RFC 9293
 * sequence arithmetic; RFC 2923 describes the black hole).
 *
 * One entry per connection and capture interface (both directions in one
 * entry, so an ACK finds the data it acknowledges without a second look-up);
 * per direction: the highest sequence sent, the highest acknowledged, the
 * largest segment, and the segment sent most often. Numbers only: objects are
 * made when a connection is first seen, never per packet.
 */
import type { Layer } from '../decode/packet.js';
import { KeyTable, growF64, growU32 } from './key-table.js';

const HAS_DATA = 1;
const HAS_ACK = 2;
const PENDING = 4;

/** True when sequence number a comes before b (mod 2^32). */
const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;

/** One side's view at report time. */
export interface TcpDirection<S> {
  /** The statistics object of the path or conversation that carried this direction's data. */
  stats: S;
  /** Data segments sent again (sequence range already sent), copies on other interfaces excluded. */
  retransmissions: number;
  /** The segment sent most often: how many times in all, its payload bytes, its first retransmission's frame. */
  mostSent: number;
  mostSentLength: number;
  mostSentIpLength: number;
  mostSentFrame: number;
  /** Whether that segment was acknowledged in the capture. */
  mostSentAcked: boolean;
  /** Smallest payload among retransmitted segments (0: none). */
  minRetransmittedLength: number;
  /** Largest payload among segments seen to be acknowledged, in this direction and in the other (0: none). */
  maxAckedLength: number;
  peerMaxAckedLength: number;
}

/**
 * Connections of one address family: IPv4 keys are capture, interface,
 * lower address, higher address, ports (5 words); IPv6 keys carry four
 * words per address (11).
 */
class FlowTable<S> {
  readonly keys: KeyTable;
  /** Per direction (entry * 2 + side): */
  private flags: Uint8Array = new Uint8Array(512);
  private highEnd: Uint32Array = new Uint32Array(512);
  private acked: Uint32Array = new Uint32Array(512);
  private maxLen: Uint32Array = new Uint32Array(512);
  private lastSeq: Uint32Array = new Uint32Array(512);
  private lastTs: Float64Array = new Float64Array(512);
  private retrans: Uint32Array = new Uint32Array(512);
  private minRetransLen: Uint32Array = new Uint32Array(512);
  private repeatSeq: Uint32Array = new Uint32Array(512);
  private repeat: Uint32Array = new Uint32Array(512);
  private repeatFrame: Float64Array = new Float64Array(512);
  private mostSeq: Uint32Array = new Uint32Array(512);
  private most: Uint32Array = new Uint32Array(512);
  private mostLen: Uint32Array = new Uint32Array(512);
  private mostIpLen: Uint32Array = new Uint32Array(512);
  private mostFrame: Float64Array = new Float64Array(512);
  private pendingEnd: Uint32Array = new Uint32Array(512);
  private pendingLen: Uint32Array = new Uint32Array(512);
  private maxAckedLen: Uint32Array = new Uint32Array(512);
  private readonly stats: (S | null)[] = [];

  constructor(width: number, maxEntries: number) {
    this.keys = new KeyTable(width, maxEntries, 256);
  }

  private grow(n: number): void {
    const u8 = new Uint8Array(n);
    u8.set(this.flags);
    this.flags = u8;
    this.highEnd = growU32(this.highEnd, n);
    this.acked = growU32(this.acked, n);
    this.maxLen = growU32(this.maxLen, n);
    this.lastSeq = growU32(this.lastSeq, n);
    this.lastTs = growF64(this.lastTs, n);
    this.retrans = growU32(this.retrans, n);
    this.minRetransLen = growU32(this.minRetransLen, n);
    this.repeatSeq = growU32(this.repeatSeq, n);
    this.repeat = growU32(this.repeat, n);
    this.repeatFrame = growF64(this.repeatFrame, n);
    this.mostSeq = growU32(this.mostSeq, n);
    this.most = growU32(this.most, n);
    this.mostLen = growU32(this.mostLen, n);
    this.mostIpLen = growU32(this.mostIpLen, n);
    this.mostFrame = growF64(this.mostFrame, n);
    this.pendingEnd = growU32(this.pendingEnd, n);
    this.pendingLen = growU32(this.pendingLen, n);
    this.maxAckedLen = growU32(this.maxAckedLen, n);
  }

  /** After the key is in `keys.probe`: fold one segment of direction `side` in. */
  add(side: number, ip: Layer, t: Layer, ts: number, frame: number, st: S, tunnelled: boolean): boolean {
    const e = this.keys.lookup();
    if (e < 0) return false;
    const i = e * 2 + side;
    const j = i ^ 1;
    if (j >= this.flags.length) this.grow(this.flags.length * 2);
    if (this.keys.inserted) {
      this.flags[i] = 0;
      this.flags[j] = 0;
      this.retrans[i] = this.retrans[j] = 0;
      this.most[i] = this.most[j] = 0;
      this.maxLen[i] = this.maxLen[j] = 0;
      this.maxAckedLen[i] = this.maxAckedLen[j] = 0;
      this.minRetransLen[i] = this.minRetransLen[j] = 0;
      this.stats[i] = null;
      this.stats[j] = null;
    }
    const flags = t.tcpFlags;
    // The acknowledgement is about the other direction's data.
    if ((flags & 0x10) !== 0) {
      const f = this.flags[j]!;
      if ((f & HAS_ACK) === 0 || before(this.acked[j]!, t.ack)) {
        this.acked[j] = t.ack;
        this.flags[j] = f | HAS_ACK;
      }
      if ((this.flags[j]! & PENDING) !== 0 && !before(t.ack, this.pendingEnd[j]!)) {
        if (this.pendingLen[j]! > this.maxAckedLen[j]!) this.maxAckedLen[j] = this.pendingLen[j]!;
        this.flags[j]! &= ~PENDING;
      }
    }
    const seq = t.seq;
    if ((flags & 0x02) !== 0) {
      // SYN: the sequence space starts here (the SYN takes one number).
      this.highEnd[i] = (seq + 1) >>> 0;
      this.flags[i]! |= HAS_DATA;
      return true;
    }
    const len = t.payloadLength;
    // Keep-alives and window probes (0-1 bytes) say nothing about sizes.
    if (len <= 1) return true;
    const f = this.flags[i]!;
    // The same segment again within a millisecond: one packet seen on two interfaces (-i any).
    if ((f & HAS_DATA) !== 0 && seq === this.lastSeq[i] && ts - this.lastTs[i]! < 0.001 && ts >= this.lastTs[i]!) return true;
    const end = (seq + len) >>> 0;
    if ((f & HAS_DATA) !== 0 && before(seq, this.highEnd[i]!)) {
      this.retrans[i]!++;
      if (this.minRetransLen[i] === 0 || len < this.minRetransLen[i]!) this.minRetransLen[i] = len;
      if (seq === this.repeatSeq[i] && this.repeat[i]! > 0) this.repeat[i]!++;
      else {
        this.repeatSeq[i] = seq;
        this.repeat[i] = 2; // the first sending and this one
        this.repeatFrame[i] = frame;
      }
      if (this.repeat[i]! > this.most[i]!) {
        this.mostFrame[i] = this.repeatFrame[i]!;
        this.most[i] = this.repeat[i]!;
        this.mostSeq[i] = seq;
        this.mostLen[i] = len;
        this.mostIpLen[i] = ip.totalLength;
      }
      if (before(this.highEnd[i]!, end)) this.highEnd[i] = end;
    } else {
      this.highEnd[i] = end;
      this.flags[i] = f | HAS_DATA;
      if ((f & PENDING) === 0) {
        this.pendingEnd[i] = end;
        this.pendingLen[i] = len;
        this.flags[i]! |= PENDING;
      }
    }
    if (len > this.maxLen[i]!) this.maxLen[i] = len;
    this.lastSeq[i] = seq;
    this.lastTs[i] = ts;
    if (this.stats[i] === null || this.stats[i] === undefined || tunnelled) this.stats[i] = st;
    return true;
  }

  *directions(): Generator<TcpDirection<S>> {
    for (let i = 0; i < this.keys.size * 2; i++) {
      const st = this.stats[i];
      if (!st) continue;
      const mostEnd = (this.mostSeq[i]! + this.mostLen[i]!) >>> 0;
      yield {
        stats: st,
        retransmissions: this.retrans[i]!,
        mostSent: this.most[i]!,
        mostSentLength: this.mostLen[i]!,
        mostSentIpLength: this.mostIpLen[i]!,
        mostSentFrame: this.mostFrame[i]!,
        mostSentAcked: (this.flags[i]! & HAS_ACK) !== 0 && !before(this.acked[i]!, mostEnd),
        minRetransmittedLength: this.minRetransLen[i]!,
        maxAckedLength: this.maxAckedLen[i]!,
        peerMaxAckedLength: this.maxAckedLen[i ^ 1]!,
      };
    }
  }
}

/** Both families; the collector writes keys through `v4`/`v6` and calls `add`. */
export class TcpFlows<S> {
  readonly v4: FlowTable<S>;
  readonly v6: FlowTable<S>;
  /** Segments of connections that did not fit the tables. */
  overflow = 0;

  constructor(maxEntries: number) {
    this.v4 = new FlowTable<S>(5, maxEntries);
    this.v6 = new FlowTable<S>(11, maxEntries);
  }

  /** Fold in one TCP segment (`t`) carried by IP layer `ip`, seen on `capture`/`iface`. */
  add(capture: number, iface: number, ip: Layer, t: Layer, v6: boolean, ts: number, frame: number, st: S, tunnelled: boolean): void {
    let side: number;
    let table: FlowTable<S>;
    if (!v6) {
      table = this.v4;
      const k = table.keys.probe;
      const a = ip.src;
      const b = ip.dst;
      side = a < b || (a === b && t.srcPort <= t.dstPort) ? 0 : 1;
      k[0] = capture;
      k[1] = iface;
      k[2] = side === 0 ? a : b;
      k[3] = side === 0 ? b : a;
      k[4] = side === 0 ? ((t.srcPort << 16) | t.dstPort) >>> 0 : ((t.dstPort << 16) | t.srcPort) >>> 0;
    } else {
      table = this.v6;
      const k = table.keys.probe;
      const a = ip.src6;
      const b = ip.dst6;
      let c = 0;
      for (let w = 0; w < 4 && c === 0; w++) c = a[w]! < b[w]! ? -1 : a[w]! > b[w]! ? 1 : 0;
      side = c < 0 || (c === 0 && t.srcPort <= t.dstPort) ? 0 : 1;
      const lo = side === 0 ? a : b;
      const hi = side === 0 ? b : a;
      k[0] = capture;
      k[1] = iface;
      for (let w = 0; w < 4; w++) {
        k[2 + w] = lo[w]!;
        k[6 + w] = hi[w]!;
      }
      k[10] = side === 0 ? ((t.srcPort << 16) | t.dstPort) >>> 0 : ((t.dstPort << 16) | t.srcPort) >>> 0;
    }
    if (!table.add(side, ip, t, ts, frame, st, tunnelled)) this.overflow++;
  }

  *directions(): Generator<TcpDirection<S>> {
    yield* this.v4.directions();
    yield* this.v6.directions();
  }
}
