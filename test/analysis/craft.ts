/**
 * Crafted captures for the analysis tests: builds Ethernet, IPv4, ICMP, UDP,
 * VXLAN, IPIP and ARP packets field by field, wraps them in Ethernet or
 * LINUX_SLL2 frames, and writes classic pcap files (little-endian,
 * microsecond timestamps) and small pcapng files (named interfaces). Also writes node address files in the shape of
 * `ip -j addr show` (see samples/*\/node-a.addrs.json for the real thing).
 *
 * Nothing here shares code with src/: the bytes are laid out from the RFCs
 * (791 IPv4, 792 ICMP, 768 UDP, 7348 VXLAN, 2003 IPIP, 826 ARP) and the
 * libpcap LINKTYPE_LINUX_SLL2 description.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;

/** SLL2 packet types. */
export const PKT_HOST = 0;
export const PKT_BROADCAST = 1;
export const PKT_OUTGOING = 4;

/** Calico's MAC on every pod veth (node side). */
export const CALICO_VETH_MAC = 'ee:ee:ee:ee:ee:ee';

// ---------------------------------------------------------------------------
// Small byte helpers

export function macBytes(mac: string): number[] {
  const parts = mac.split(':');
  if (parts.length !== 6) throw new Error(`bad MAC ${mac}`);
  return parts.map((p) => parseInt(p, 16));
}

export function ipBytes(ip: string): number[] {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`bad IPv4 ${ip}`);
  return parts;
}

function u16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function u16le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

/** RFC 1071 Internet checksum over bytes. */
export function checksum(b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------------------
// Layers (each returns its header followed by the payload)

export interface Ipv4Spec {
  src: string;
  dst: string;
  /** IP protocol: 1 ICMP, 4 IPIP, 6 TCP, 17 UDP. */
  protocol: number;
  payload: readonly number[];
  ttl?: number;
  /** Don't Fragment; default false. */
  df?: boolean;
  id?: number;
}

/** RFC 791 header, 20 bytes (IHL 5), total length and checksum computed. */
export function ipv4(s: Ipv4Spec): number[] {
  const total = 20 + s.payload.length;
  const h = [
    0x45, // version 4, IHL 5
    0x00, // DSCP/ECN
    ...u16(total), // total length
    ...u16(s.id ?? 0x1234), // identification
    ...u16(s.df ? 0x4000 : 0), // flags (DF) + fragment offset 0
    s.ttl ?? 64, // TTL
    s.protocol, // protocol
    0,
    0, // header checksum, filled below
    ...ipBytes(s.src),
    ...ipBytes(s.dst),
  ];
  const c = checksum(h);
  h[10] = c >>> 8;
  h[11] = c & 0xff;
  return [...h, ...s.payload];
}

export interface IcmpSpec {
  /** 8 echo request (default), 0 echo reply. */
  type?: number;
  id?: number;
  seq?: number;
  /** Bytes of echo data after the 8-byte header (ping's default 56). */
  dataLength?: number;
}

/** RFC 792 echo request/reply. */
export function icmpEcho(s: IcmpSpec = {}): number[] {
  const data = Array.from({ length: s.dataLength ?? 56 }, (_, i) => i & 0xff);
  const m = [s.type ?? 8, 0, 0, 0, ...u16(s.id ?? 0x0a0b), ...u16(s.seq ?? 1), ...data];
  const c = checksum(m);
  m[2] = c >>> 8;
  m[3] = c & 0xff;
  return m;
}

/** RFC 768; checksum 0 (none), as Linux sends VXLAN over IPv4. */
export function udp(srcPort: number, dstPort: number, payload: readonly number[]): number[] {
  return [...u16(srcPort), ...u16(dstPort), ...u16(8 + payload.length), 0, 0, ...payload];
}

/** RFC 7348: flags 0x08 (VNI valid), 24-bit VNI. */
export function vxlan(vni: number, payload: readonly number[]): number[] {
  return [0x08, 0, 0, 0, (vni >>> 16) & 0xff, (vni >>> 8) & 0xff, vni & 0xff, 0, ...payload];
}

export function ethernet(src: string, dst: string, etherType: number, payload: readonly number[]): number[] {
  return [...macBytes(dst), ...macBytes(src), ...u16(etherType), ...payload];
}

export interface ArpSpec {
  /** 1 request, 2 reply. */
  op: 1 | 2;
  senderMac: string;
  senderIp: string;
  /** 00:00:00:00:00:00 in a request. */
  targetMac?: string;
  targetIp: string;
}

/** RFC 826 for Ethernet/IPv4, 28 bytes. */
export function arp(s: ArpSpec): number[] {
  return [
    ...u16(1), // hardware type Ethernet
    ...u16(ETHERTYPE_IPV4), // protocol type
    6, // hardware size
    4, // protocol size
    ...u16(s.op),
    ...macBytes(s.senderMac),
    ...ipBytes(s.senderIp),
    ...macBytes(s.targetMac ?? '00:00:00:00:00:00'),
    ...ipBytes(s.targetIp),
  ];
}

export interface Sll2Spec {
  /** EtherType of the payload. */
  protocol: number;
  ifindex: number;
  /** 0 to us, 1 broadcast, 4 outgoing. */
  pktType: number;
  /** ARPHRD type: 1 Ethernet (default), 768 IPIP tunnel, 65534 none. */
  haType?: number;
  /** Link-layer address of the sender; omitted for devices without one. */
  srcMac?: string;
}

/** LINKTYPE_LINUX_SLL2 header, 20 bytes. */
export function sll2(s: Sll2Spec, payload: readonly number[]): number[] {
  const addr = s.srcMac ? macBytes(s.srcMac) : [];
  return [
    ...u16(s.protocol), // protocol type
    0,
    0, // reserved
    ...u32(s.ifindex), // interface index
    ...u16(s.haType ?? 1), // ARPHRD type
    s.pktType, // packet type
    addr.length, // link-layer address length
    ...addr,
    ...new Array<number>(8 - addr.length).fill(0), // address, padded to 8
    ...payload,
  ];
}

// ---------------------------------------------------------------------------
// Pod packets and their encapsulations

export interface PodPacket {
  src: string;
  dst: string;
  /** ICMP echo fields; an echo request by default. */
  icmp?: IcmpSpec;
  ttl?: number;
  df?: boolean;
}

/** The pod's own IPv4/ICMP packet. */
export function podIp(p: PodPacket): number[] {
  return ipv4({ src: p.src, dst: p.dst, protocol: 1, ttl: p.ttl ?? 63, df: p.df ?? true, payload: icmpEcho(p.icmp ?? {}) });
}

export interface Underlay {
  srcMac: string;
  dstMac: string;
  outerSrc: string;
  outerDst: string;
  /** DF on the outer header (Linux copies it from the inner for IPIP); default true. */
  df?: boolean;
}

/** Ethernet / IPv4 (proto 4) / pod IPv4 / ICMP. */
export function ipipPacket(u: Underlay, pod: PodPacket): number[] {
  return ethernet(u.srcMac, u.dstMac, ETHERTYPE_IPV4, ipipIp(u, pod));
}

/** The outer IPv4 of an IPIP packet (without link layer). */
export function ipipIp(u: Underlay, pod: PodPacket): number[] {
  return ipv4({ src: u.outerSrc, dst: u.outerDst, protocol: 4, df: u.df ?? true, payload: podIp(pod) });
}

export interface VxlanSpec {
  vni?: number;
  srcPort?: number;
  dstPort?: number;
  /** The VTEP MACs of the inner Ethernet header. */
  innerSrcMac?: string;
  innerDstMac?: string;
}

/** The outer IPv4 of a VXLAN packet: IPv4 / UDP / VXLAN / inner Ethernet / pod IPv4 / ICMP. */
export function vxlanIp(u: Underlay, v: VxlanSpec, pod: PodPacket): number[] {
  const inner = ethernet(v.innerSrcMac ?? '66:00:00:00:00:01', v.innerDstMac ?? '66:00:00:00:00:02', ETHERTYPE_IPV4, podIp(pod));
  return ipv4({
    src: u.outerSrc,
    dst: u.outerDst,
    protocol: 17,
    df: u.df ?? false,
    payload: udp(v.srcPort ?? 40000, v.dstPort ?? 4789, vxlan(v.vni ?? 4096, inner)),
  });
}

export function vxlanPacket(u: Underlay, v: VxlanSpec, pod: PodPacket): number[] {
  return ethernet(u.srcMac, u.dstMac, ETHERTYPE_IPV4, vxlanIp(u, v, pod));
}

/** No encapsulation: the pod packet routed between node MACs. */
export function plainPacket(srcMac: string, dstMac: string, pod: PodPacket): number[] {
  return ethernet(srcMac, dstMac, ETHERTYPE_IPV4, podIp(pod));
}

/** An ARP request (broadcast) or reply (unicast) in an Ethernet frame. */
export function arpPacket(s: ArpSpec): number[] {
  const dst = s.op === 1 ? 'ff:ff:ff:ff:ff:ff' : (s.targetMac ?? 'ff:ff:ff:ff:ff:ff');
  return ethernet(s.senderMac, dst, ETHERTYPE_ARP, arp(s));
}

// ---------------------------------------------------------------------------
// Classic pcap

export interface Frame {
  /** Seconds since the epoch (fractions kept to the microsecond). */
  ts: number;
  data: readonly number[];
  /** orig_len; data.length by default. */
  wireLen?: number;
  /** Bytes kept (snaplen cut); all of data by default. */
  capLen?: number;
}

export interface PcapSpec {
  linkType?: number;
  snapLen?: number;
  frames: Frame[];
  /** Cut the file after this many bytes (a capture cut short mid-record). */
  truncateAt?: number;
}

/** Classic pcap, little-endian, microseconds, version 2.4. */
export function pcapBytes(s: PcapSpec): Buffer {
  const out: number[] = [
    ...u32le(0xa1b2c3d4), // magic
    ...u16le(2), // version major
    ...u16le(4), // version minor
    ...u32le(0), // thiszone
    ...u32le(0), // sigfigs
    ...u32le(s.snapLen ?? 262144), // snaplen
    ...u32le(s.linkType ?? LINKTYPE_ETHERNET), // network
  ];
  for (const f of s.frames) {
    const sec = Math.floor(f.ts);
    const usec = Math.round((f.ts - sec) * 1e6);
    const cap = Math.min(f.capLen ?? f.data.length, f.data.length);
    out.push(...u32le(sec), ...u32le(usec), ...u32le(cap), ...u32le(f.wireLen ?? f.data.length));
    for (let i = 0; i < cap; i++) out.push(f.data[i]!);
  }
  const buf = Buffer.from(out);
  return s.truncateAt === undefined ? buf : buf.subarray(0, s.truncateAt);
}

/** Byte length of the file header plus the first n records of a spec (to cut inside record n+1). */
export function pcapOffsetAfter(s: PcapSpec, n: number): number {
  let off = 24;
  for (const f of s.frames.slice(0, n)) off += 16 + Math.min(f.capLen ?? f.data.length, f.data.length);
  return off;
}

// ---------------------------------------------------------------------------
// pcapng (little-endian, microsecond timestamps): one section, named interfaces

export interface PcapngInterface {
  name: string;
  linkType?: number;
}

export interface PcapngFrame extends Frame {
  /** Index into the spec's interfaces. */
  interfaceId: number;
}

export interface PcapngSpec {
  interfaces: PcapngInterface[];
  frames: PcapngFrame[];
}

function pad4(b: number[]): number[] {
  while (b.length % 4 !== 0) b.push(0);
  return b;
}

/** A block: type, total length, body, total length again. */
function block(type: number, body: number[]): number[] {
  const total = 12 + body.length;
  return [...u32le(type), ...u32le(total), ...body, ...u32le(total)];
}

/** Section header, one interface description block per interface (with if_name), one enhanced packet block per frame. */
export function pcapngBytes(s: PcapngSpec): Buffer {
  const out: number[] = [];
  // SHB: byte-order magic, version 1.0, section length -1 (unknown).
  out.push(...block(0x0a0d0d0a, [...u32le(0x1a2b3c4d), ...u16le(1), ...u16le(0), ...u32le(0xffffffff), ...u32le(0xffffffff)]));
  for (const f of s.interfaces) {
    const name = pad4([...Buffer.from(f.name, 'utf8')]);
    const options = [...u16le(2), ...u16le(Buffer.byteLength(f.name)), ...name, ...u16le(0), ...u16le(0)]; // if_name, opt_endofopt
    out.push(...block(1, [...u16le(f.linkType ?? LINKTYPE_ETHERNET), ...u16le(0), ...u32le(262144), ...options]));
  }
  for (const f of s.frames) {
    const us = BigInt(Math.round(f.ts * 1e6));
    const data = pad4([...f.data]);
    out.push(
      ...block(6, [
        ...u32le(f.interfaceId),
        ...u32le(Number(us >> 32n)),
        ...u32le(Number(us & 0xffffffffn)),
        ...u32le(f.data.length),
        ...u32le(f.wireLen ?? f.data.length),
        ...data,
      ]),
    );
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------
// Node address files (`ip -j addr show`)

export interface IfaceSpec {
  ifindex: number;
  name: string;
  /** Omitted: a device without a MAC (tunl0: "link_type": "ipip", address 0.0.0.0). */
  mac?: string;
  /** ether (default with a MAC), ipip, none, loopback. */
  linkType?: string;
  mtu?: number;
  /** "172.16.10.11/24" */
  addrs?: string[];
  /** A veth whose peer is in another namespace: `link_netnsid` as `ip -j addr` prints it. */
  linkNetnsid?: number;
}

/** The JSON `ip -j addr show` prints for these interfaces. */
export function ipAddrJson(ifaces: IfaceSpec[]): string {
  const entries = ifaces.map((f) => {
    const linkType = f.linkType ?? (f.name === 'lo' ? 'loopback' : f.mac ? 'ether' : 'none');
    const e: Record<string, unknown> = {
      ifindex: f.ifindex,
      ifname: f.name,
      flags: f.name === 'lo' ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: f.mtu ?? (f.name === 'lo' ? 65536 : 1500),
      qdisc: 'noqueue',
      operstate: 'UP',
      group: 'default',
      txqlen: 1000,
      link_type: linkType,
    };
    if (f.linkNetnsid !== undefined) e['link_netnsid'] = f.linkNetnsid;
    if (f.mac) {
      e['address'] = f.mac;
      e['broadcast'] = 'ff:ff:ff:ff:ff:ff';
    } else if (linkType === 'ipip') {
      e['address'] = '0.0.0.0';
      e['broadcast'] = '0.0.0.0';
    }
    e['addr_info'] = (f.addrs ?? []).map((a) => {
      const [local, prefix] = a.split('/');
      return {
        family: 'inet',
        local,
        prefixlen: Number(prefix),
        scope: f.name === 'lo' ? 'host' : 'global',
        label: f.name,
        valid_life_time: 4294967295,
        preferred_life_time: 4294967295,
      };
    });
    return e;
  });
  return JSON.stringify(entries, null, 4);
}

// ---------------------------------------------------------------------------
// Temp directories

/** A fresh directory for one test's files; `cleanup()` removes it. */
export class TempDir {
  readonly path: string;
  constructor(prefix = 'podpath-analysis-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
  }

  file(name: string): string {
    return join(this.path, name);
  }

  pcap(name: string, spec: PcapSpec): string {
    const p = this.file(name);
    writeFileSync(p, pcapBytes(spec));
    return p;
  }

  pcapng(name: string, spec: PcapngSpec): string {
    const p = this.file(name);
    writeFileSync(p, pcapngBytes(spec));
    return p;
  }

  nodeAddrs(name: string, ifaces: IfaceSpec[]): string {
    const p = this.file(name);
    writeFileSync(p, ipAddrJson(ifaces));
    return p;
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Frames at ts0, ts0 + step, ... */
export function frames(list: (readonly number[])[], ts0 = 1_700_000_000, step = 0.001): Frame[] {
  return list.map((data, i) => ({ ts: ts0 + i * step, data }));
}
