/**
 * The fast path: one straight-line pass over the packet shapes that make up
 * nearly all of a node capture of pod traffic, without the layer stack.
 *
 *   Ethernet (up to two 802.1Q/802.1ad tags) | Linux SLL | Linux SLL2
 *     IPv4 (node) ── protocol 4 ─────────────────────────────────── IPv4 (pod)
 *     IPv4 or IPv6 (node)
 *                 └─ UDP, a VXLAN port (RFC 7348) ─ VXLAN ─ Ethernet ─ IPv4 or IPv6 (pod)
 *                 └─ UDP, a Geneve port (RFC 8926) ─ Geneve (any options) ─ Ethernet ─ IPv4 or IPv6 (pod)
 *                                                                         └─ IPv4 or IPv6 (pod)
 *       IPv4 (pod) ── TCP without SYN | UDP on a port that carries no tunnel | ICMP echo
 *       IPv6 (pod) ── the same, ICMPv6 echo
 *     IPv4 or IPv6, unencapsulated ── TCP without SYN | ICMP (ICMPv6) echo
 *
 * IPv6 headers are taken without extension headers (RFC 8200), with a payload
 * length other than 0 (a jumbogram's is 0).
 *
 * It fills a flat FastPacket with the numbers the analysis folds in, and
 * answers false for anything else: IPv6 extension headers, fragments, ICMP but echo, SYNs (their MSS
 * option), unencapsulated UDP (the VXLAN look-alike check), a length that
 * disagrees with its container, a header cut by the snap length (but the
 * pod's TCP header), a nested tunnel. A frame cut after its headers
 * (tcpdump -s 128 keeps headers only) is taken: lengths are checked against
 * the frame on the wire, header reads against what was captured, and payload
 * lengths count what the reference counts (TCP's and UDP's what was sent,
 * ICMP's what was captured). So is a frame cut inside the pod's TCP header
 * (tcpdump -s 96 on VXLAN), as TCP_HEADER_CUT: the reference decodes no TCP
 * layer there, and the analysis counts the packet without its connection.
 * A false answer costs nothing but the bytes read so far: the caller decodes
 * the packet with PacketDecoder, which is the reference. Every packet this
 * accepts must decode there to status OK (or Truncated by the snap length,
 * after its headers or inside the pod's TCP header) with the same numbers;
 * test/decode/fast.test.ts checks that on every sample, corpus capture, on
 * generated packets and on frames cut short.
 */
import { view } from '../bytes.js';
import { LINKTYPE, PORT_GENEVE, PORT_NONE, PORT_VXLAN, type PacketDecoder } from './decoder.js';
import { Proto } from './packet.js';

/** The numbers of one packet the fast path accepted; overwritten by the next. */
export class FastPacket {
  /** SLL2's interface index, -1 for other link layers. */
  ifindex = -1;
  /** SLL/SLL2 direction: 0 unknown, 1 in, 2 out. */
  direction = 0;
  /** Proto.Ipip, Proto.Vxlan or Proto.Geneve; Proto.None for an unencapsulated packet, whose IP header fills both the outer and the inner fields. */
  tunnel: Proto = Proto.None;
  /**
   * Which IP headers are IPv6: OUTER6 (the outer one; the only one of an unencapsulated
   * packet, which sets INNER6 too), INNER6 (the pod's). 0: all IPv4. An IPv6 header's
   * addresses are in outerSrc6/outerDst6 or innerSrc6/innerDst6 (an unencapsulated
   * packet's in the inner ones), and its outerSrc/outerDst or innerSrc/innerDst are 0.
   */
  v6 = 0;
  readonly outerSrc6 = new Uint32Array(4);
  readonly outerDst6 = new Uint32Array(4);
  readonly innerSrc6 = new Uint32Array(4);
  readonly innerDst6 = new Uint32Array(4);
  /**
   * Unencapsulated packets only (not set for tunnelled ones): sender and
   * receiver MAC of the frame (48-bit numbers), -1 where the link layer has
   * none (SLL's receiver, a non-Ethernet sender).
   */
  srcMac = -1;
  dstMac = -1;
  /** Outer UDP destination port (VXLAN, Geneve), 0 for IPIP. */
  port = 0;
  /** VXLAN or Geneve network identifier, -1 for IPIP. */
  vni = -1;
  outerSrc = 0;
  outerDst = 0;
  /** Outer IP total length (IPv6: 40 + payload length). */
  outerLength = 0;
  df = false;
  /** Bytes from the outer IP header to the inner one (the encapsulation overhead). */
  encapLength = 0;
  innerSrc = 0;
  innerDst = 0;
  innerLength = 0;
  /**
   * 6 (TCP), 17 (UDP), 1 (ICMP echo request or reply, over IPv4) or 58 (ICMPv6 echo, over
   * IPv6); or TCP_HEADER_CUT: TCP whose header
   * the snap length cut (tcpdump -s 96 on VXLAN keeps 12 bytes of it), which the reference
   * decodes to no TCP layer. Then ports, numbers, flags and payload length are 0.
   */
  innerProtocol = 0;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  tcpFlags = 0;
  /** TCP payload bytes (as the inner IP length says). */
  payloadLength = 0;
  /** ICMP: 8 (echo request) or 0 (echo reply), ICMPv6: 128 or 129; identifier and sequence number; ports are 0. */
  icmpType = 0;
  echoId = 0;
  echoSeq = 0;
}

/**
 * FastPacket.innerProtocol of a TCP segment whose header the snap length cut. Not an IP
 * protocol number the fast path takes otherwise (6, 17, 1), so flow-cache keys stay apart.
 */
export const TCP_HEADER_CUT = 0x86;

/** FastPacket.v6 bits. */
export const OUTER6 = 1;
export const INNER6 = 2;

const isVlanTpid = (t: number): boolean => t === 0x8100 || t === 0x88a8 || t === 0x9100;

export class FastDecoder {
  readonly packet = new FastPacket();
  private readonly ports: Uint8Array;
  /** The current frame's captured end, and whether the snap length cut it (capLen < wireLen). */
  private end = 0;
  private cut = false;
  /** The total length of the IPv6 header `ipv6` read last (40 + payload length). */
  private total6 = 0;

  /** Shares the decoder's UDP port table, so `--vxlan-port` means the same on both paths. */
  constructor(decoder: PacketDecoder) {
    this.ports = decoder.portKinds;
  }

  /** Fill `packet` from `capLen` bytes at `b[offset]`; false when the packet is not a shape this path takes. */
  decode(b: Uint8Array, offset: number, capLen: number, wireLen: number, linkType: number): boolean {
    // Headers are read before `end`, what was captured; lengths checked against `wend`, the
    // frame on the wire (the same unless the snap length cut it).
    const end = Math.min(offset + capLen, b.length);
    const wend = capLen < wireLen ? offset + wireLen : end;
    this.end = end;
    this.cut = capLen < wireLen;
    const f = this.packet;
    // One load per 16/32-bit field; the DataView is made once per buffer (readers reuse one per chunk).
    const dv = view(b);
    let o = offset;
    let type: number;
    if (linkType === LINKTYPE.ETHERNET) {
      if (end - o < 14) return false;
      type = dv.getUint16(o + 12);
      o += 14;
      f.ifindex = -1;
      f.direction = 0;
    } else if (linkType === LINKTYPE.LINUX_SLL2) {
      if (end - o < 20) return false;
      type = dv.getUint16(o);
      f.ifindex = dv.getUint32(o + 4);
      f.direction = b[o + 10] === 4 ? 2 : 1;
      o += 20;
    } else if (linkType === LINKTYPE.LINUX_SLL) {
      if (end - o < 16) return false;
      type = dv.getUint16(o + 14);
      f.ifindex = -1;
      f.direction = dv.getUint16(o) === 4 ? 2 : 1;
      o += 16;
    } else {
      return false;
    }
    for (let tags = 0; tags < 2 && isVlanTpid(type); tags++) {
      if (end - o < 4) return false;
      type = dv.getUint16(o + 2);
      o += 4;
    }
    const outer = o;
    let v: number;
    let ihl: number;
    let total: number;
    let frag: number;
    let proto: number;
    if (type === 0x0800) {
      // Outer IPv4: complete, unfragmented, its length inside the frame.
      if (end - o < 20) return false;
      v = b[o]!;
      if (v >>> 4 !== 4) return false;
      ihl = (v & 0x0f) * 4;
      if (ihl < 20 || end - o < ihl) return false;
      total = dv.getUint16(o + 2);
      if (total < ihl || o + total > wend) return false;
      frag = dv.getUint16(o + 6);
      if ((frag & 0x3fff) !== 0) return false;
      f.df = (frag & 0x4000) !== 0;
      f.outerSrc = dv.getUint32(o + 12);
      f.outerDst = dv.getUint32(o + 16);
      proto = b[o + 9]!;
      f.v6 = 0;
    } else if (type === 0x86dd) {
      proto = this.ipv6(b, dv, o, wend, end, f.outerSrc6, f.outerDst6);
      if (proto < 0) return false;
      ihl = 40;
      total = this.total6;
      f.df = false;
      f.outerSrc = 0;
      f.outerDst = 0;
      f.v6 = OUTER6;
    } else {
      return false;
    }
    f.outerLength = total;
    // The container's end on the wire, and the end of what was captured of it (the same
    // unless the frame was cut): headers must lie before hend.
    let cend = o + total;
    let hend = cend < end ? cend : end;
    o += ihl;

    if (proto === 6 || proto === 1 || proto === 58) {
      // Unencapsulated (no-encap routing, or a pod's packet on its veth): one IP header.
      // Its conversation is keyed by the frame's MACs (tunnelled packets do without them).
      // MACs read in place, as in decodeEthernet (a 48-bit number returned from a call V8 did
      // not inline is a heap number).
      if (linkType === LINKTYPE.ETHERNET) {
        f.dstMac = dv.getUint16(offset) * 0x100000000 + dv.getUint32(offset + 2);
        f.srcMac = dv.getUint16(offset + 6) * 0x100000000 + dv.getUint32(offset + 8);
      } else if (linkType === LINKTYPE.LINUX_SLL2) {
        f.srcMac = b[offset + 11] === 6 ? dv.getUint16(offset + 12) * 0x100000000 + dv.getUint32(offset + 14) : -1;
        f.dstMac = -1;
      } else {
        f.srcMac = dv.getUint16(offset + 4) === 6 ? dv.getUint16(offset + 6) * 0x100000000 + dv.getUint32(offset + 8) : -1;
        f.dstMac = -1;
      }
      f.tunnel = Proto.None;
      f.port = 0;
      f.vni = -1;
      f.encapLength = 0;
      f.innerLength = total;
      f.innerProtocol = proto;
      f.innerSrc = f.outerSrc;
      f.innerDst = f.outerDst;
      if (f.v6 !== 0) {
        f.v6 = OUTER6 | INNER6;
        copy4(f.innerSrc6, f.outerSrc6);
        copy4(f.innerDst6, f.outerDst6);
      }
      return this.transport(b, dv, o, cend, hend, proto);
    }
    if (proto === 4) {
      // (ipv6 answers no 4: IPIP over IPv6 is the reference's)
      f.tunnel = Proto.Ipip;
      f.port = 0;
      f.vni = -1;
    } else if (proto === 17) {
      if (hend - o < 8) return false;
      const sport = dv.getUint16(o);
      const dport = dv.getUint16(o + 2);
      const len = dv.getUint16(o + 4);
      if (len < 8 || o + len > cend) return false;
      let kind = this.ports[dport]!;
      if (kind === PORT_NONE) kind = this.ports[sport]!;
      if (kind !== PORT_VXLAN && kind !== PORT_GENEVE) return false;
      cend = o + len;
      if (cend < hend) hend = cend;
      o += 8;
      // Both headers are 8 bytes at least, with the 24-bit network identifier at bytes 4-6.
      if (hend - o < 8) return false;
      f.port = dport;
      f.vni = ((b[o + 4]! << 16) | dv.getUint16(o + 5)) >>> 0;
      let innerType: number;
      if (kind === PORT_VXLAN) {
        // VXLAN (RFC 7348), then the pod's Ethernet frame (untagged IPv4 or IPv6 only).
        if (hend - o < 22) return false;
        innerType = dv.getUint16(o + 20);
        f.tunnel = Proto.Vxlan;
        o += 22;
      } else {
        // Geneve (RFC 8926) version 0, options skipped by their length, then the pod's
        // Ethernet frame (protocol 0x6558, untagged IPv4 or IPv6 only) or a bare IPv4 or
        // IPv6 packet (0x0800, 0x86dd).
        v = b[o]!;
        if (v >>> 6 !== 0) return false;
        const head = 8 + (v & 0x3f) * 4;
        innerType = dv.getUint16(o + 2);
        f.tunnel = Proto.Geneve;
        if (innerType === 0x6558) {
          if (hend - o < head + 14) return false;
          innerType = dv.getUint16(o + head + 12);
          o += head + 14;
        } else {
          if (hend - o < head) return false;
          o += head;
        }
      }
      if (innerType !== 0x0800) return innerType === 0x86dd && this.inner6(b, dv, o, outer, cend, hend);
    } else {
      return false;
    }

    // Inner IPv4, inside its container (the outer IP header or the UDP datagram).
    if (hend - o < 20) return false;
    v = b[o]!;
    if (v >>> 4 !== 4) return false;
    ihl = (v & 0x0f) * 4;
    if (ihl < 20 || hend - o < ihl) return false;
    total = dv.getUint16(o + 2);
    if (total < ihl || o + total > cend) return false;
    frag = dv.getUint16(o + 6);
    if ((frag & 0x3fff) !== 0) return false;
    const inner = b[o + 9]!;
    f.encapLength = o - outer;
    f.innerLength = total;
    f.innerProtocol = inner;
    f.innerSrc = dv.getUint32(o + 12);
    f.innerDst = dv.getUint32(o + 16);
    cend = o + total;
    return this.transport(b, dv, o + ihl, cend, cend < hend ? cend : hend, inner);
  }

  /**
   * An IPv6 header at `o` without extension headers, its payload (length not 0) inside `limit`
   * (on the wire), the header before `hend` (captured): its next header, the addresses into
   * `src` and `dst` and its total length into total6; -1 when the fast path does not take it.
   */
  private ipv6(b: Uint8Array, dv: DataView, o: number, limit: number, hend: number, src: Uint32Array, dst: Uint32Array): number {
    if (hend - o < 40 || b[o]! >>> 4 !== 6) return -1;
    const plen = dv.getUint16(o + 4);
    if (plen === 0 || o + 40 + plen > limit) return -1;
    const nh = b[o + 6]!;
    if (nh !== 6 && nh !== 17 && nh !== 58) return -1;
    for (let i = 0; i < 4; i++) {
      src[i] = dv.getUint32(o + 8 + i * 4);
      dst[i] = dv.getUint32(o + 24 + i * 4);
    }
    this.total6 = 40 + plen;
    return nh;
  }

  /** The pod's IPv6 header at `o` (a tunnel's payload, inside `cend`, captured up to `hend`), the outer header at `outer`. */
  private inner6(b: Uint8Array, dv: DataView, o: number, outer: number, cend: number, hend: number): boolean {
    const f = this.packet;
    const nh = this.ipv6(b, dv, o, cend, hend, f.innerSrc6, f.innerDst6);
    if (nh < 0) return false;
    const total = this.total6;
    f.v6 |= INNER6;
    f.encapLength = o - outer;
    f.innerLength = total;
    f.innerProtocol = nh;
    f.innerSrc = 0;
    f.innerDst = 0;
    const end = o + total;
    return this.transport(b, dv, o + 40, end, end < hend ? end : hend, nh);
  }

  /** The pod's TCP (no SYN), UDP or ICMP echo at `o`, inside `cend` (on the wire), its headers before `hend` (captured). */
  private transport(b: Uint8Array, dv: DataView, o: number, cend: number, hend: number, inner: number): boolean {
    const f = this.packet;
    if (inner === 6) {
      if (hend - o < 20) return this.tcpHeaderCut(hend);
      const dataOffset = (b[o + 12]! >>> 4) * 4;
      if (dataOffset < 20) return false;
      if (hend - o < dataOffset) return this.tcpHeaderCut(hend);
      const flags = b[o + 13]!;
      if ((flags & 0x02) !== 0) return false;
      f.tcpFlags = flags;
      f.srcPort = dv.getUint16(o);
      f.dstPort = dv.getUint16(o + 2);
      f.seq = dv.getUint32(o + 4);
      f.ack = dv.getUint32(o + 8);
      f.payloadLength = cend - o - dataOffset; // as the IP header says, in a cut frame too
      return true;
    }
    if (inner === 17) {
      if (hend - o < 8) return false;
      const sport = dv.getUint16(o);
      const dport = dv.getUint16(o + 2);
      const len = dv.getUint16(o + 4);
      if (len < 8 || o + len > cend) return false;
      // A pod's UDP on a tunnel port is a nested tunnel: the reference decoder's business.
      if (this.ports[dport] !== PORT_NONE || this.ports[sport] !== PORT_NONE) return false;
      f.tcpFlags = 0;
      f.srcPort = sport;
      f.dstPort = dport;
      f.seq = 0;
      f.ack = 0;
      f.payloadLength = len - 8;
      return true;
    }
    if (inner === 1 || inner === 58) {
      // Echo only: errors quote a packet, which the reference decoder follows. ICMP over
      // IPv4, ICMPv6 over IPv6 (ICMPv6 in IPv4, or ICMP in IPv6, is the reference's).
      if ((inner === 58) !== ((f.v6 & INNER6) !== 0) || hend - o < 8) return false;
      const type = b[o]!;
      if (inner === 1 ? type !== 0 && type !== 8 : type !== 128 && type !== 129) return false;
      f.icmpType = type;
      f.echoId = dv.getUint16(o + 4);
      f.echoSeq = dv.getUint16(o + 6);
      f.tcpFlags = 0;
      f.srcPort = 0;
      f.dstPort = 0;
      f.seq = 0;
      f.ack = 0;
      f.payloadLength = hend - o - 8;
      return true;
    }
    return false;
  }

  /**
   * The pod's TCP header runs past `hend`: taken (as TCP_HEADER_CUT) when the snap length cut it,
   * that is, the header's container runs to the end of what was captured of a frame that was
   * longer on the wire. The reference calls that Truncated (cutByCapture); anything else is
   * Malformed there, and not taken here.
   */
  private tcpHeaderCut(hend: number): boolean {
    if (!this.cut || hend !== this.end) return false;
    const f = this.packet;
    f.innerProtocol = TCP_HEADER_CUT;
    f.tcpFlags = 0;
    f.srcPort = 0;
    f.dstPort = 0;
    f.seq = 0;
    f.ack = 0;
    f.payloadLength = 0;
    return true;
  }
}

/** Four words from `from` into `to`. */
function copy4(to: Uint32Array, from: Uint32Array): void {
  to[0] = from[0]!;
  to[1] = from[1]!;
  to[2] = from[2]!;
  to[3] = from[3]!;
}
