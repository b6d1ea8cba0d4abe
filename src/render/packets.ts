/**
 * Per-packet output for `podpath packets`: one text line, tunnel-aware, in
 * the spirit of `tcpdump -n`; or one JSON object (NDJSON) whose shape is part
 * of the --json contract (see README).
 */
import { PROTO_NAMES, PKTTYPE_NAMES, STATUS_NAMES, type Layer, type PacketView, Proto, StopKind } from '../decode/packet.js';
import { tunnelId, tunnelMode } from '../decode/tunnels.js';
import { hex16, ipv4String, ipv6String, isoTime, macString, timeOfDay } from './addr.js';
import { sanitize } from './format.js';

/** What the packet renderers need to know about the record beside the decoded view. */
export interface PacketMeta {
  file: string;
  frame: number;
  tsSec: number;
  tsNsec: number;
  capLen: number;
  wireLen: number;
  /** Interface name where the capture has one (pcapng if_name, --interface). */
  interfaceName: string | null;
  /** pcapng epb_flags direction (0 unknown, 1 in, 2 out). */
  recordDirection: number;
}

/** A blank PacketMeta to fill per record (one object reused for a whole run). */
export function emptyPacketMeta(): PacketMeta {
  return { file: '', frame: 0, tsSec: 0, tsNsec: 0, capLen: 0, wireLen: 0, interfaceName: null, recordDirection: 0 };
}

const DIRECTIONS = [null, 'in', 'out'] as const;

export function direction(pv: PacketView, meta: PacketMeta): 'in' | 'out' | null {
  return DIRECTIONS[pv.direction || meta.recordDirection] ?? null;
}

function ipSrc(l: Layer): string {
  return l.proto === Proto.Ipv4 ? ipv4String(l.src) : ipv6String(l.src6);
}

function ipDst(l: Layer): string {
  return l.proto === Proto.Ipv4 ? ipv4String(l.dst) : ipv6String(l.dst6);
}

const TCP_FLAG_LETTERS: [number, string][] = [
  [0x02, 'S'],
  [0x01, 'F'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
  [0x10, '.'],
];

export function tcpFlagString(flags: number): string {
  let s = '';
  for (const [bit, c] of TCP_FLAG_LETTERS) if (flags & bit) s += c;
  return s || 'none';
}

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
  13: 'timestamp request',
  14: 'timestamp reply',
};

const ICMP_UNREACH: Record<number, string> = {
  0: 'net unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  9: 'net prohibited',
  10: 'host prohibited',
  13: 'administratively prohibited',
};

const ICMPV6_TYPES: Record<number, string> = {
  1: 'unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  143: 'MLDv2 report',
};

export function icmpName(l: Layer): string {
  if (l.proto === Proto.Icmpv6) return ICMPV6_TYPES[l.icmpType] ?? `type ${l.icmpType} code ${l.icmpCode}`;
  if (l.icmpType === 3) return ICMP_UNREACH[l.icmpCode] ?? `unreachable code ${l.icmpCode}`;
  return ICMP_TYPES[l.icmpType] ?? `type ${l.icmpType} code ${l.icmpCode}`;
}

const WG_TYPES = ['', 'handshake initiation', 'handshake response', 'cookie reply', 'transport data'];

function isTunnel(p: Proto): boolean {
  return p === Proto.Ipip || p === Proto.Vxlan || p === Proto.Geneve || p === Proto.Gre || p === Proto.Wireguard;
}

export interface LineOptions {
  /** Show link-layer headers (Ethernet MACs, SLL), like tcpdump -e. */
  link?: boolean;
  /** Digits of the seconds fraction in the time column. */
  timeDigits?: number;
}

/** One line: frame, time, interface and direction, then every layer. */
export function packetLine(pv: PacketView, meta: PacketMeta, opts: LineOptions = {}): string {
  // A pcapng if_name is the capture's text: escaped, so it cannot break the line or drive the
  // terminal (a name with a newline split the packet's line in two; found by test/fuzz).
  const iface = meta.interfaceName !== null ? sanitize(meta.interfaceName).replace(/\n/g, '\\x0a') : pv.ifindex >= 0 ? `if${pv.ifindex}` : '';
  const dir = direction(pv, meta) ?? '';
  const head = `${String(meta.frame).padStart(5)}  ${timeOfDay(meta.tsSec, meta.tsNsec, opts.timeDigits ?? 6)}  ${iface}${dir ? ' ' + dir : ''}`;
  const parts: string[] = [];
  let seg = '';
  const flush = (): void => {
    if (seg) parts.push(seg);
    seg = '';
  };
  const add = (s: string): void => {
    seg = seg ? `${seg} ${s}` : s;
  };
  let quoting = false;
  for (let i = 0; i < pv.count; i++) {
    const l = pv.layers[i]!;
    const next = i + 1 < pv.count ? pv.layers[i + 1]! : null;
    if (l.quoted && !quoting) {
      add('[quoted');
      quoting = true;
    }
    switch (l.proto) {
      case Proto.Eth:
        if (opts.link) add(`${macString(l.srcMac)} > ${macString(l.dstMac)}`);
        break;
      case Proto.Sll:
      case Proto.Sll2:
        if (opts.link) add(`${PKTTYPE_NAMES[l.pktType] ?? `pkttype ${l.pktType}`}${l.srcMac >= 0 ? ' ' + macString(l.srcMac) : ''}`);
        break;
      case Proto.Null:
        break;
      case Proto.Vlan:
        add(`vlan ${l.vlanId}${l.tpid === 0x88a8 ? ' (802.1ad)' : ''}`);
        break;
      case Proto.Arp:
        if (l.arpOp === 1) add(`ARP who-has ${ipv4String(l.targetIp)} tell ${ipv4String(l.senderIp)}`);
        else if (l.arpOp === 2) add(`ARP ${ipv4String(l.senderIp)} is-at ${macString(l.senderMac)}`);
        else add(`ARP op ${l.arpOp}`);
        break;
      case Proto.Ipv4:
      case Proto.Ipv6: {
        const v = l.proto === Proto.Ipv4 ? 'IPv4' : 'IPv6';
        const t = next && (next.proto === Proto.Udp || next.proto === Proto.Tcp) && next.quoted === l.quoted ? next : null;
        const sp = t ? `.${t.srcPort}` : '';
        const dp = t ? `.${t.dstPort}` : '';
        add(`${v} ${ipSrc(l)}${sp} > ${ipDst(l)}${dp} len ${l.totalLength}`);
        if (l.fragOffset > 0 || l.mf) add(`frag id ${l.ipId} off ${l.fragOffset}${l.mf ? '+' : ''}`);
        const known = next && next.quoted === l.quoted && (t || next.proto === Proto.Icmp || next.proto === Proto.Icmpv6 || isTunnel(next.proto));
        if (!known && l.fragOffset === 0) add(`proto ${l.protocol}`);
        break;
      }
      case Proto.Udp:
        add('UDP');
        break;
      case Proto.Tcp:
        if (l.quoted) {
          add('TCP');
          break;
        }
        add(`TCP [${tcpFlagString(l.tcpFlags)}] seq ${l.seq}${l.tcpFlags & 0x10 ? ` ack ${l.ack}` : ''} win ${l.window}${l.mss >= 0 ? ` mss ${l.mss}` : ''} payload ${l.payloadLength}`);
        break;
      case Proto.Icmp:
      case Proto.Icmpv6: {
        let s = `${l.proto === Proto.Icmp ? 'ICMP' : 'ICMPv6'} ${icmpName(l)}`;
        if (l.echoId >= 0) s += ` id ${l.echoId} seq ${l.echoSeq}`;
        if (l.mtu >= 0) s += ` mtu ${l.mtu}`;
        add(s);
        break;
      }
      case Proto.Ipip: {
        flush();
        const outer = pv.outerIpOf(i);
        const ov = outer >= 0 && pv.layers[outer]!.proto === Proto.Ipv6 ? 6 : 4;
        parts.push(ov === 4 && l.innerVersion === 4 ? 'IPIP' : `${l.innerVersion}in${ov}`);
        break;
      }
      case Proto.Vxlan:
        flush();
        parts.push(`VXLAN vni ${l.vni}`);
        break;
      case Proto.Geneve:
        flush();
        parts.push(`Geneve vni ${l.vni}${l.geneveOptionsLength ? ` opts ${l.geneveOptionsLength}B` : ''}`);
        break;
      case Proto.Gre:
        flush();
        parts.push(`GRE${l.greVersion ? 'v1' : ''}${l.greKey >= 0 ? ` key ${l.greKey}` : ''} ${hex16(l.payloadType)}`);
        break;
      case Proto.Wireguard:
        flush();
        parts.push(`WireGuard ${WG_TYPES[l.wgType] ?? ''} (encrypted)`);
        break;
    }
  }
  if (quoting) seg += ']';
  flush();
  let tail = stopText(pv);
  if (pv.status !== 0) tail += ` [${STATUS_NAMES[pv.status]}: ${pv.issue}]`;
  else if (pv.issue) tail += ` [${pv.issue}]`;
  const body = parts.join(' | ');
  return `${head}  ${body}${body ? tail : tail.replace(/^ \(/, '(')}`;
}

function stopText(pv: PacketView): string {
  switch (pv.stopKind) {
    case StopKind.EtherType:
      return ` (ethertype ${hex16(pv.stopValue)}, not decoded)`;
    case StopKind.IpProtocol:
      return ` (ip proto ${pv.stopValue}, not decoded)`;
    case StopKind.LinkType:
      return ` (link type ${pv.stopValue}, not decoded)`;
    case StopKind.Llc:
      return ' (802.3/LLC, not decoded)';
    default:
      return '';
  }
}

/** One layer as plain JSON data. */
export function layerJson(pv: PacketView, i: number): Record<string, unknown> {
  const l = pv.layers[i]!;
  const o: Record<string, unknown> = { proto: PROTO_NAMES[l.proto] };
  switch (l.proto) {
    case Proto.Eth:
      o.src = macString(l.srcMac);
      o.dst = macString(l.dstMac);
      o.etherType = hex16(l.etherType);
      break;
    case Proto.Vlan:
      o.id = l.vlanId;
      o.pcp = l.pcp;
      o.tpid = hex16(l.tpid);
      o.etherType = hex16(l.etherType);
      break;
    case Proto.Sll:
    case Proto.Sll2:
      o.proto = 'sll';
      o.version = l.proto === Proto.Sll2 ? 2 : 1;
      o.pktType = PKTTYPE_NAMES[l.pktType] ?? l.pktType;
      o.ifindex = l.proto === Proto.Sll2 ? l.ifindex : null;
      o.haType = l.haType;
      o.src = l.srcMac >= 0 ? macString(l.srcMac) : null;
      o.etherType = hex16(l.etherType);
      break;
    case Proto.Null:
      o.family = l.etherType;
      break;
    case Proto.Arp:
      o.op = l.arpOp === 1 ? 'request' : l.arpOp === 2 ? 'reply' : l.arpOp;
      o.senderMac = macString(l.senderMac);
      o.senderIp = ipv4String(l.senderIp);
      o.targetMac = macString(l.targetMac);
      o.targetIp = ipv4String(l.targetIp);
      break;
    case Proto.Ipv4:
      o.src = ipv4String(l.src);
      o.dst = ipv4String(l.dst);
      o.protocol = l.protocol;
      o.ttl = l.ttl;
      o.id = l.ipId;
      o.totalLength = l.totalLength;
      o.df = l.df;
      o.mf = l.mf;
      o.fragOffset = l.fragOffset;
      if (l.ihl > 20) o.optionsLength = l.ihl - 20;
      break;
    case Proto.Ipv6:
      o.src = ipv6String(l.src6);
      o.dst = ipv6String(l.dst6);
      o.nextHeader = l.protocol;
      o.hopLimit = l.ttl;
      o.payloadLength = l.totalLength - 40;
      if (l.fragmentHeader) o.fragment = { offset: l.fragOffset, mf: l.mf, id: l.ipId };
      break;
    case Proto.Udp:
      o.srcPort = l.srcPort;
      o.dstPort = l.dstPort;
      o.length = l.udpLength;
      break;
    case Proto.Tcp:
      o.srcPort = l.srcPort;
      o.dstPort = l.dstPort;
      o.seq = l.seq;
      if (!l.quoted) {
        o.ack = l.ack;
        o.flags = tcpFlagString(l.tcpFlags);
        o.window = l.window;
        if (l.mss >= 0) o.mss = l.mss;
        o.payloadLength = l.payloadLength;
      }
      break;
    case Proto.Icmp:
    case Proto.Icmpv6:
      o.type = l.icmpType;
      o.code = l.icmpCode;
      o.name = icmpName(l);
      if (l.echoId >= 0) {
        o.id = l.echoId;
        o.seq = l.echoSeq;
      }
      if (l.mtu >= 0) o.mtu = l.mtu;
      break;
    case Proto.Ipip:
      o.inner = l.innerVersion === 6 ? 'ipv6' : 'ipv4';
      o.mode = tunnelMode(pv, i);
      break;
    case Proto.Vxlan:
      o.vni = l.vni;
      o.flags = l.tunnelFlags;
      break;
    case Proto.Geneve:
      o.vni = l.vni;
      o.protocolType = hex16(l.payloadType);
      o.optionsLength = l.geneveOptionsLength;
      break;
    case Proto.Gre:
      o.version = l.greVersion;
      o.protocolType = hex16(l.payloadType);
      o.key = l.greKey >= 0 ? l.greKey : null;
      o.seq = l.greSeq >= 0 ? l.greSeq : null;
      break;
    case Proto.Wireguard:
      o.messageType = WG_TYPES[l.wgType]?.replace(/ /g, '_') ?? l.wgType;
      o.index = l.wgReceiver;
      o.encrypted = true;
      break;
  }
  if (l.quoted) o.quoted = true;
  return o;
}

/** One packet as plain JSON data (a line of `podpath packets --json`). */
export function packetJson(pv: PacketView, meta: PacketMeta): Record<string, unknown> {
  const layers: Record<string, unknown>[] = [];
  for (let i = 0; i < pv.count; i++) layers.push(layerJson(pv, i));
  const tunnels: Record<string, unknown>[] = [];
  for (let t = 0; t < pv.tunnelCount; t++) {
    const i = pv.tunnels[t]!;
    const outer = pv.outerIpOf(i);
    const ol = outer >= 0 ? pv.layers[outer]! : null;
    const id = tunnelId(pv, i);
    tunnels.push({
      mode: tunnelMode(pv, i),
      outerSrc: ol ? ipSrc(ol) : null,
      outerDst: ol ? ipDst(ol) : null,
      id: id >= 0 ? id : null,
    });
  }
  const o: Record<string, unknown> = {
    file: meta.file,
    frame: meta.frame,
    ts: meta.tsSec + meta.tsNsec / 1e9,
    time: isoTime(meta.tsSec, meta.tsNsec),
    capLen: meta.capLen,
    wireLen: meta.wireLen,
    interface: meta.interfaceName,
    ifindex: pv.ifindex >= 0 ? pv.ifindex : null,
    direction: direction(pv, meta),
    layers,
    tunnels,
    status: STATUS_NAMES[pv.status],
  };
  if (pv.issue) o.issue = { code: pv.issue, offset: pv.issueOffset };
  if (pv.stopKind !== StopKind.None) o.undecoded = stopJson(pv);
  return o;
}

function stopJson(pv: PacketView): Record<string, unknown> {
  switch (pv.stopKind) {
    case StopKind.EtherType:
      return { etherType: hex16(pv.stopValue) };
    case StopKind.IpProtocol:
      return { ipProtocol: pv.stopValue };
    case StopKind.LinkType:
      return { linkType: pv.stopValue };
    default:
      return { llc: true };
  }
}
