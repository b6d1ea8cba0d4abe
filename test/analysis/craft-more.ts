/**
 * More crafted packets for the findings tests, next to ./craft.ts (which they
 * build on): TCP segments with an MSS option (RFC 793, RFC 879), IPv4
 * fragments (RFC 791 flags and fragment offset), WireGuard messages (the
 * WireGuard paper, section 5.4: type, reserved zeros, little-endian indices),
 * pod TCP carried in IPIP or VXLAN, and ICMPv6 (RFC 8200 header, RFC 4443
 * checksum over the pseudo-header; RFC 4861 neighbour discovery).
 *
 * Like craft.ts, nothing here shares code with src/: the bytes are laid out
 * from the specifications.
 */
import ipaddr from 'ipaddr.js';
import { checksum, ETHERTYPE_IPV4, ethernet, ipBytes, ipv4, udp, type Underlay, vxlan } from './craft.js';

export const ETHERTYPE_IPV6 = 0x86dd;

function u16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}


export const TCP_SYN = 0x02;
export const TCP_ACK = 0x10;

export interface TcpSpec {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  /** SYN, ACK, ... (default: SYN). */
  flags?: number;
  /** MSS option (kind 2, length 4); omitted: no options. */
  mss?: number;
  payload?: readonly number[];
}

/** RFC 793 segment: 20-byte header (+ 4 with MSS), checksum over the RFC 793 pseudo-header. */
export function tcpSegment(s: TcpSpec): number[] {
  const options = s.mss !== undefined ? [2, 4, ...u16(s.mss)] : [];
  const headerLength = 20 + options.length;
  const payload = s.payload ?? [];
  const h = [
    ...u16(s.srcPort),
    ...u16(s.dstPort),
    ...u32(s.seq),
    ...u32(s.ack ?? 0),
    (headerLength / 4) << 4, // data offset, reserved
    s.flags ?? TCP_SYN,
    ...u16(64240), // window
    0,
    0, // checksum, filled below
    0,
    0, // urgent pointer
    ...options,
  ];
  const pseudo = [...ipBytes(s.src), ...ipBytes(s.dst), 0, 6, ...u16(headerLength + payload.length)];
  const c = checksum([...pseudo, ...h, ...payload]);
  h[16] = c >>> 8;
  h[17] = c & 0xff;
  return [...h, ...payload];
}

/** The pod's IPv4/TCP packet (inner TTL 63, DF, as a pod's routed packet). */
export function podTcpIp(s: TcpSpec): number[] {
  return ipv4({ src: s.src, dst: s.dst, protocol: 6, ttl: 63, df: true, payload: tcpSegment(s) });
}

/** Ethernet / IPv4 (proto 4) / pod IPv4 / TCP. */
export function ipipTcpPacket(u: Underlay, s: TcpSpec): number[] {
  return ethernet(u.srcMac, u.dstMac, ETHERTYPE_IPV4, ipv4({ src: u.outerSrc, dst: u.outerDst, protocol: 4, df: u.df ?? true, payload: podTcpIp(s) }));
}

/**
 * Ethernet / IPv4 / UDP 4789 / VXLAN / inner Ethernet / pod IPv4 of any payload (e.g. a big ping),
 * or IPv6 with `etherType` ETHERTYPE_IPV6.
 */
export function vxlanOfIp(u: Underlay, inner: readonly number[], v: { vni?: number; srcPort?: number; dstPort?: number; etherType?: number } = {}): number[] {
  const frame = ethernet('66:00:00:00:00:01', '66:00:00:00:00:02', v.etherType ?? ETHERTYPE_IPV4, inner);
  return ethernet(
    u.srcMac,
    u.dstMac,
    ETHERTYPE_IPV4,
    ipv4({ src: u.outerSrc, dst: u.outerDst, protocol: 17, df: u.df ?? false, payload: udp(v.srcPort ?? 40000, v.dstPort ?? 4789, vxlan(v.vni ?? 4096, frame)) }),
  );
}

/**
 * IPv6 (hop limit 255, as neighbour discovery sends) carrying ICMPv6 of `type`, code 0, and
 * `body` after the 4-byte type/code/checksum: e.g. 133 router solicitation, 135 neighbour
 * solicitation, 136 neighbour advertisement.
 */
export function icmpv6Ip(src: string, dst: string, type: number, body: readonly number[]): number[] {
  const s = ipv6Bytes(src);
  const d = ipv6Bytes(dst);
  const msg = [type, 0, 0, 0, ...body];
  const sum = checksum([...s, ...d, ...u32(msg.length), 0, 0, 0, 58, ...msg]);
  msg[2] = sum >>> 8;
  msg[3] = sum & 0xff;
  return [0x60, 0, 0, 0, ...u16(msg.length), 58, 255, ...s, ...d, ...msg];
}

/** An IPv6 address's 16 bytes. */
export function ipv6Bytes(ip: string): number[] {
  return ipaddr.IPv6.parse(ip).toByteArray();
}

export interface FragmentSpec {
  src: string;
  dst: string;
  protocol: number;
  id: number;
  /** Fragment offset in bytes (a multiple of 8). */
  offset: number;
  moreFragments: boolean;
  /** The bytes of the original datagram's payload this fragment carries. */
  data: readonly number[];
}

/** RFC 791 fragment: flags MF, fragment offset in 8-byte units, header checksum. */
export function ipv4Fragment(f: FragmentSpec): number[] {
  const h = [
    0x45,
    0x00,
    ...u16(20 + f.data.length),
    ...u16(f.id),
    ...u16((f.moreFragments ? 0x2000 : 0) | (f.offset / 8)),
    64,
    f.protocol,
    0,
    0,
    ...ipBytes(f.src),
    ...ipBytes(f.dst),
  ];
  const c = checksum(h);
  h[10] = c >>> 8;
  h[11] = c & 0xff;
  return [...h, ...f.data];
}

/**
 * WireGuard transport data (type 4): type, three reserved zeros, the
 * receiver's index (little-endian), an 8-byte counter, then the encrypted
 * packet and its 16-byte Poly1305 tag (here: `length` bytes of noise).
 */
export function wireguardData(receiver: number, counter: number, length = 96): number[] {
  const body = Array.from({ length: length + 16 }, (_, i) => (i * 131 + counter) & 0xff);
  return [4, 0, 0, 0, ...u32le(receiver), ...u32le(counter), ...u32le(0), ...body];
}

/** Ethernet / IPv4 / UDP 51820 → 51820 / WireGuard transport data. */
export function wireguardPacket(u: Underlay, receiver: number, counter: number): number[] {
  return ethernet(u.srcMac, u.dstMac, ETHERTYPE_IPV4, ipv4({ src: u.outerSrc, dst: u.outerDst, protocol: 17, df: false, payload: udp(51820, 51820, wireguardData(receiver, counter)) }));
}
