/**
 * Per-packet output for `podpath packets`: one text line, tunnel-aware, in
 * the spirit of `tcpdump -n`; or one JSON object (NDJSON) whose shape is part
 * of the --json contract (see README).
 */
import { PROTO_NAMES, PKTTYPE_NAMES, STATUS_NAMES, type Layer, type PacketView, Proto, StopKind } from '../decode/packet.js';
import { tunnelId, tunnelMode } from '../decode/tunnels.js';
import { daySecond, hex16, isoSecond } from './addr.js';
import { TextBytes } from './text-bytes.js';
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

/** TCP flags as letters, tcpdump's order ("S", "P.", "none"). */
export function tcpFlagString(flags: number): string {
  return TCP_FLAG_TEXT[flags & 0xff]!;
}

/** tcpFlagString of every flags byte, made once. */
const TCP_FLAG_TEXT = Array.from({ length: 256 }, (_, flags) => {
  let s = '';
  for (const [bit, c] of TCP_FLAG_LETTERS) if (flags & bit) s += c;
  return s || 'none';
});

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

/** One line: frame, time, interface and direction, then every layer (without its newline). */
export function packetLine(pv: PacketView, meta: PacketMeta, opts: LineOptions = {}): string {
  packetLineBytes(scratch, pv, meta, opts);
  return scratch.takeString();
}

/** The last interface name written and its escaped text (names change rarely within a capture). */
let labelOf: string | null = null;
let labelText = '';

/** A pcapng if_name is the capture's text: escaped, so it cannot break the line or drive the terminal. */
function ifaceLabel(name: string): string {
  if (name !== labelOf) {
    // (A name with a newline split the packet's line in two; found by test/fuzz.)
    labelText = sanitize(name).replace(/\n/g, '\\x0a');
    labelOf = name;
  }
  return labelText;
}

/** Where packetLineBytes is in its line: whether the current segment has words, and whether any part was written. */
const line = { inSeg: false, anyPart: false };

/** Before a word: a space inside a segment, else a new part (after " | " when not the first). */
function word(w: TextBytes): void {
  if (line.inSeg) w.byte(32);
  else {
    if (line.anyPart) w.ascii(' | ');
    line.inSeg = true;
    line.anyPart = true;
  }
}

/** Before a tunnel's own part: the segment before it ends. */
function part(w: TextBytes): void {
  if (line.anyPart) w.ascii(' | ');
  line.anyPart = true;
  line.inSeg = false;
}

/**
 * packetLine onto `w`, as bytes: `podpath packets` built each line from strings (a template
 * literal per layer, a string per number) and spent a fifth of its time in the garbage
 * collector. Segments of a line are layers' words joined by spaces; tunnels and the layers
 * between them are parts joined by " | ".
 */
export function packetLineBytes(w: TextBytes, pv: PacketView, meta: PacketMeta, opts: LineOptions = {}): void {
  w.decPad(meta.frame, 5);
  w.ascii('  ');
  w.ascii(daySecond(meta.tsSec));
  const digits = opts.timeDigits ?? 6;
  const nsec = meta.tsNsec;
  if (nsec >= 0 && nsec < 1e9 && nsec === (nsec | 0) && digits >= 0 && digits <= 9 && digits === (digits | 0)) {
    w.nine(nsec);
    w.drop(9 - digits);
  } else w.text(String(nsec).padStart(9, '0').slice(0, digits));
  w.ascii('  ');
  if (meta.interfaceName !== null) w.text(ifaceLabel(meta.interfaceName));
  else if (pv.ifindex >= 0) w.decField('if', pv.ifindex);
  const dir = direction(pv, meta);
  if (dir) {
    w.byte(32);
    w.ascii(dir);
  }
  w.ascii('  ');
  line.inSeg = false;
  line.anyPart = false;
  let quoting = false;
  for (let i = 0; i < pv.count; i++) {
    const l = pv.layers[i]!;
    const next = i + 1 < pv.count ? pv.layers[i + 1]! : null;
    if (l.quoted && !quoting) {
      word(w);
      w.ascii('[quoted');
      quoting = true;
    }
    switch (l.proto) {
      case Proto.Eth:
        if (opts.link) {
          word(w);
          w.mac(l.srcMac);
          w.ascii(' > ');
          w.mac(l.dstMac);
        }
        break;
      case Proto.Sll:
      case Proto.Sll2:
        if (opts.link) {
          word(w);
          const name = PKTTYPE_NAMES[l.pktType];
          if (name !== undefined) w.ascii(name);
          else {
            w.decField('pkttype ', l.pktType);
          }
          if (l.srcMac >= 0) {
            w.byte(32);
            w.mac(l.srcMac);
          }
        }
        break;
      case Proto.Null:
        break;
      case Proto.Vlan:
        word(w);
        w.decField('vlan ', l.vlanId);
        if (l.tpid === 0x88a8) w.ascii(' (802.1ad)');
        break;
      case Proto.Arp:
        word(w);
        if (l.arpOp === 1) {
          w.ascii('ARP who-has ');
          w.ipv4(l.targetIp);
          w.ascii(' tell ');
          w.ipv4(l.senderIp);
        } else if (l.arpOp === 2) {
          w.ascii('ARP ');
          w.ipv4(l.senderIp);
          w.ascii(' is-at ');
          w.mac(l.senderMac);
        } else {
          w.decField('ARP op ', l.arpOp);
        }
        break;
      case Proto.Ipv4:
      case Proto.Ipv6: {
        const v4 = l.proto === Proto.Ipv4;
        const t = next && (next.proto === Proto.Udp || next.proto === Proto.Tcp) && next.quoted === l.quoted ? next : null;
        word(w);
        w.ascii(v4 ? 'IPv4 ' : 'IPv6 ');
        if (v4) w.ipv4(l.src);
        else w.ipv6(l.src6);
        if (t) {
          w.byte(46);
          w.dec(t.srcPort);
        }
        w.ascii(' > ');
        if (v4) w.ipv4(l.dst);
        else w.ipv6(l.dst6);
        if (t) {
          w.byte(46);
          w.dec(t.dstPort);
        }
        w.decField(' len ', l.totalLength);
        if (l.fragOffset > 0 || l.mf) {
          w.decField(' frag id ', l.ipId);
          w.decField(' off ', l.fragOffset);
          if (l.mf) w.byte(43);
        }
        const known = next && next.quoted === l.quoted && (t || next.proto === Proto.Icmp || next.proto === Proto.Icmpv6 || isTunnel(next.proto));
        if (!known && l.fragOffset === 0) w.decField(' proto ', l.protocol);
        break;
      }
      case Proto.Udp:
        word(w);
        w.ascii('UDP');
        break;
      case Proto.Tcp:
        word(w);
        if (l.quoted) {
          w.ascii('TCP');
          break;
        }
        w.ascii('TCP [');
        w.ascii(tcpFlagString(l.tcpFlags));
        w.decField('] seq ', l.seq);
        if (l.tcpFlags & 0x10) w.decField(' ack ', l.ack);
        w.decField(' win ', l.window);
        if (l.mss >= 0) w.decField(' mss ', l.mss);
        w.decField(' payload ', l.payloadLength);
        break;
      case Proto.Icmp:
      case Proto.Icmpv6:
        word(w);
        w.ascii(l.proto === Proto.Icmp ? 'ICMP ' : 'ICMPv6 ');
        w.ascii(icmpName(l));
        if (l.echoId >= 0) {
          w.decField(' id ', l.echoId);
          w.decField(' seq ', l.echoSeq);
        }
        if (l.mtu >= 0) w.decField(' mtu ', l.mtu);
        break;
      case Proto.Ipip: {
        part(w);
        const outer = pv.outerIpOf(i);
        const ov = outer >= 0 && pv.layers[outer]!.proto === Proto.Ipv6 ? 6 : 4;
        if (ov === 4 && l.innerVersion === 4) w.ascii('IPIP');
        else {
          w.dec(l.innerVersion);
          w.ascii(ov === 4 ? 'in4' : 'in6');
        }
        break;
      }
      case Proto.Vxlan:
        part(w);
        w.decField('VXLAN vni ', l.vni);
        break;
      case Proto.Geneve:
        part(w);
        w.decField('Geneve vni ', l.vni);
        if (l.geneveOptionsLength) {
          w.decField(' opts ', l.geneveOptionsLength);
          w.byte(66);
        }
        break;
      case Proto.Gre:
        part(w);
        w.ascii(l.greVersion ? 'GREv1' : 'GRE');
        if (l.greKey >= 0) w.decField(' key ', l.greKey);
        w.byte(32);
        w.hex16(l.payloadType);
        break;
      case Proto.Wireguard:
        part(w);
        w.ascii('WireGuard ');
        w.ascii(WG_TYPES[l.wgType] ?? '');
        w.ascii(' (encrypted)');
        break;
    }
  }
  if (quoting) {
    // The closing bracket ends the last segment, or is a part of its own after a tunnel.
    if (!line.inSeg) part(w);
    w.byte(93);
  }
  // The stop and the status; with no layer words at all, the stop's parenthesis starts the body.
  const stop = stopText(pv);
  w.ascii(line.anyPart || stop === '' ? stop : stop.slice(1));
  if (pv.status !== 0) {
    w.ascii(' [');
    w.ascii(STATUS_NAMES[pv.status]!);
    w.ascii(': ');
    w.text(pv.issue);
    w.byte(93);
  } else if (pv.issue) {
    w.ascii(' [');
    w.text(pv.issue);
    w.byte(93);
  }
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

/**
 * The --json forms are written as bytes directly (TextBytes): `podpath packets --json` spent
 * most of its time building an object tree per packet for JSON.stringify, and then in the
 * garbage collector (250,000 VXLAN packets: 3.7 s). The object forms (`layerJson`,
 * `packetJson`, the library's) are that text read back, so the two cannot disagree. Strings
 * from the capture (the file name, a pcapng interface name, an issue code) go through
 * JSON.stringify; every other string here is made of letters, digits, dots, colons, spaces and
 * underscores, which JSON writes as they are.
 */

/** Scratch writer of layerJson, packetJson and their text forms. */
const scratch = new TextBytes(4096);

/** One layer as plain JSON data. */
export function layerJson(pv: PacketView, i: number): Record<string, unknown> {
  return JSON.parse(layerJsonText(pv, i)) as Record<string, unknown>;
}

/** `JSON.stringify(layerJson(pv, i))`. */
export function layerJsonText(pv: PacketView, i: number): string {
  layerJsonBytes(scratch, pv, i);
  return scratch.takeString();
}

/** One packet as plain JSON data (a line of `podpath packets --json`). */
export function packetJson(pv: PacketView, meta: PacketMeta): Record<string, unknown> {
  return JSON.parse(packetJsonText(pv, meta)) as Record<string, unknown>;
}

/** `JSON.stringify(packetJson(pv, meta))`: a line of `podpath packets --json`, without its newline. */
export function packetJsonText(pv: PacketView, meta: PacketMeta): string {
  packetJsonBytes(scratch, pv, meta);
  return scratch.takeString();
}

/** Layer i's JSON object, onto `w`. */
export function layerJsonBytes(w: TextBytes, pv: PacketView, i: number): void {
  const l = pv.layers[i]!;
  // (Every protocol has a name; SLL and SLL2 both write "sll", with a version.)
  w.ascii('{"proto":"');
  w.ascii(l.proto === Proto.Sll2 ? 'sll' : PROTO_NAMES[l.proto]!);
  w.byte(34);
  switch (l.proto) {
    case Proto.Eth:
      w.ascii(',"src":"');
      w.mac(l.srcMac);
      w.ascii('","dst":"');
      w.mac(l.dstMac);
      w.ascii('","etherType":"');
      w.hex16(l.etherType);
      w.byte(34);
      break;
    case Proto.Vlan:
      w.numField(',"id":', l.vlanId);
      w.numField(',"pcp":', l.pcp);
      w.ascii(',"tpid":"');
      w.hex16(l.tpid);
      w.ascii('","etherType":"');
      w.hex16(l.etherType);
      w.byte(34);
      break;
    case Proto.Sll:
    case Proto.Sll2: {
      const pkt = PKTTYPE_NAMES[l.pktType];
      w.ascii(l.proto === Proto.Sll2 ? ',"version":2,"pktType":' : ',"version":1,"pktType":');
      if (pkt === undefined) w.num(l.pktType);
      else {
        w.byte(34);
        w.ascii(pkt);
        w.byte(34);
      }
      w.ascii(',"ifindex":');
      if (l.proto === Proto.Sll2) w.num(l.ifindex);
      else w.ascii('null');
      w.numField(',"haType":', l.haType);
      w.ascii(',"src":');
      if (l.srcMac >= 0) {
        w.byte(34);
        w.mac(l.srcMac);
        w.byte(34);
      } else w.ascii('null');
      w.ascii(',"etherType":"');
      w.hex16(l.etherType);
      w.byte(34);
      break;
    }
    case Proto.Null:
      w.numField(',"family":', l.etherType);
      break;
    case Proto.Arp:
      w.ascii(',"op":');
      if (l.arpOp === 1) w.ascii('"request"');
      else if (l.arpOp === 2) w.ascii('"reply"');
      else w.num(l.arpOp);
      w.ascii(',"senderMac":"');
      w.mac(l.senderMac);
      w.ascii('","senderIp":"');
      w.ipv4(l.senderIp);
      w.ascii('","targetMac":"');
      w.mac(l.targetMac);
      w.ascii('","targetIp":"');
      w.ipv4(l.targetIp);
      w.byte(34);
      break;
    case Proto.Ipv4:
      w.ascii(',"src":"');
      w.ipv4(l.src);
      w.ascii('","dst":"');
      w.ipv4(l.dst);
      w.numField('","protocol":', l.protocol);
      w.numField(',"ttl":', l.ttl);
      w.numField(',"id":', l.ipId);
      w.numField(',"totalLength":', l.totalLength);
      w.ascii(l.df ? ',"df":true' : ',"df":false');
      w.ascii(l.mf ? ',"mf":true' : ',"mf":false');
      w.numField(',"fragOffset":', l.fragOffset);
      if (l.ihl > 20) {
        w.numField(',"optionsLength":', l.ihl - 20);
      }
      break;
    case Proto.Ipv6:
      w.ascii(',"src":"');
      w.ipv6(l.src6);
      w.ascii('","dst":"');
      w.ipv6(l.dst6);
      w.numField('","nextHeader":', l.protocol);
      w.numField(',"hopLimit":', l.ttl);
      w.numField(',"payloadLength":', l.totalLength - 40);
      if (l.fragmentHeader) {
        w.numField(',"fragment":{"offset":', l.fragOffset);
        w.ascii(l.mf ? ',"mf":true,"id":' : ',"mf":false,"id":');
        w.num(l.ipId);
        w.byte(125);
      }
      break;
    case Proto.Udp:
      w.numField(',"srcPort":', l.srcPort);
      w.numField(',"dstPort":', l.dstPort);
      w.numField(',"length":', l.udpLength);
      break;
    case Proto.Tcp:
      w.numField(',"srcPort":', l.srcPort);
      w.numField(',"dstPort":', l.dstPort);
      w.numField(',"seq":', l.seq);
      if (!l.quoted) {
        w.numField(',"ack":', l.ack);
        w.ascii(',"flags":"');
        w.ascii(tcpFlagString(l.tcpFlags));
        w.numField('","window":', l.window);
        if (l.mss >= 0) {
          w.numField(',"mss":', l.mss);
        }
        w.numField(',"payloadLength":', l.payloadLength);
      }
      break;
    case Proto.Icmp:
    case Proto.Icmpv6:
      w.numField(',"type":', l.icmpType);
      w.numField(',"code":', l.icmpCode);
      w.ascii(',"name":"');
      w.ascii(icmpName(l));
      w.byte(34);
      if (l.echoId >= 0) {
        w.numField(',"id":', l.echoId);
        w.numField(',"seq":', l.echoSeq);
      }
      if (l.mtu >= 0) {
        w.numField(',"mtu":', l.mtu);
      }
      break;
    case Proto.Ipip:
      w.ascii(l.innerVersion === 6 ? ',"inner":"ipv6","mode":"' : ',"inner":"ipv4","mode":"');
      w.ascii(tunnelMode(pv, i));
      w.byte(34);
      break;
    case Proto.Vxlan:
      w.numField(',"vni":', l.vni);
      w.numField(',"flags":', l.tunnelFlags);
      break;
    case Proto.Geneve:
      w.numField(',"vni":', l.vni);
      w.ascii(',"protocolType":"');
      w.hex16(l.payloadType);
      w.numField('","optionsLength":', l.geneveOptionsLength);
      break;
    case Proto.Gre:
      w.numField(',"version":', l.greVersion);
      w.ascii(',"protocolType":"');
      w.hex16(l.payloadType);
      w.ascii('","key":');
      if (l.greKey >= 0) w.num(l.greKey);
      else w.ascii('null');
      w.ascii(',"seq":');
      if (l.greSeq >= 0) w.num(l.greSeq);
      else w.ascii('null');
      break;
    case Proto.Wireguard: {
      const type = WG_TYPES[l.wgType];
      w.ascii(',"messageType":');
      if (type === undefined) w.num(l.wgType);
      else {
        w.byte(34);
        w.ascii(type.replace(/ /g, '_'));
        w.byte(34);
      }
      w.numField(',"index":', l.wgReceiver);
      w.ascii(',"encrypted":true');
      break;
    }
  }
  if (l.quoted) w.ascii(',"quoted":true');
  w.byte(125);
}

/** The capture's own strings as JSON text, kept for the next packet (they change once per capture, or not at all). */
let fileText = '""';
let fileOf = '';
let ifaceText = 'null';
let ifaceOf: string | null = null;

/** The packet's JSON object (a line of `podpath packets --json`, without its newline), onto `w`. */
export function packetJsonBytes(w: TextBytes, pv: PacketView, meta: PacketMeta): void {
  if (meta.file !== fileOf) {
    fileOf = meta.file;
    fileText = JSON.stringify(meta.file);
  }
  if (meta.interfaceName !== ifaceOf) {
    ifaceOf = meta.interfaceName;
    ifaceText = JSON.stringify(meta.interfaceName);
  }
  w.ascii('{"file":');
  w.text(fileText);
  w.numField(',"frame":', meta.frame);
  w.numField(',"ts":', meta.tsSec + meta.tsNsec / 1e9);
  w.ascii(',"time":"');
  const second = isoSecond(meta.tsSec);
  if (second !== '') {
    w.ascii(second);
    w.nine(meta.tsNsec);
    w.byte(90);
  }
  w.numField('","capLen":', meta.capLen);
  w.numField(',"wireLen":', meta.wireLen);
  w.ascii(',"interface":');
  w.text(ifaceText);
  w.ascii(',"ifindex":');
  if (pv.ifindex >= 0) w.num(pv.ifindex);
  else w.ascii('null');
  const dir = direction(pv, meta);
  w.ascii(dir === 'in' ? ',"direction":"in"' : dir === 'out' ? ',"direction":"out"' : ',"direction":null');
  w.ascii(',"layers":[');
  for (let i = 0; i < pv.count; i++) {
    if (i > 0) w.byte(44);
    layerJsonBytes(w, pv, i);
  }
  w.ascii('],"tunnels":[');
  for (let t = 0; t < pv.tunnelCount; t++) {
    const i = pv.tunnels[t]!;
    const outer = pv.outerIpOf(i);
    const ol = outer >= 0 ? pv.layers[outer]! : null;
    const id = tunnelId(pv, i);
    w.ascii(t === 0 ? '{"mode":"' : ',{"mode":"');
    w.ascii(tunnelMode(pv, i));
    w.ascii('","outerSrc":');
    ipJson(w, ol, false);
    w.ascii(',"outerDst":');
    ipJson(w, ol, true);
    w.ascii(',"id":');
    if (id >= 0) w.num(id);
    else w.ascii('null');
    w.byte(125);
  }
  w.ascii('],"status":"');
  w.ascii(STATUS_NAMES[pv.status]!);
  w.byte(34);
  if (pv.issue) {
    w.ascii(',"issue":{"code":');
    w.text(JSON.stringify(pv.issue));
    w.numField(',"offset":', pv.issueOffset);
    w.byte(125);
  }
  if (pv.stopKind !== StopKind.None) {
    w.ascii(',"undecoded":');
    switch (pv.stopKind) {
      case StopKind.EtherType:
        w.ascii('{"etherType":"');
        w.hex16(pv.stopValue);
        w.ascii('"}');
        break;
      case StopKind.IpProtocol:
        w.numField('{"ipProtocol":', pv.stopValue);
        w.byte(125);
        break;
      case StopKind.LinkType:
        w.numField('{"linkType":', pv.stopValue);
        w.byte(125);
        break;
      default:
        w.ascii('{"llc":true}');
    }
  }
  w.byte(125);
}

/** An IP layer's source (or destination) address as a JSON string; null for no layer. */
function ipJson(w: TextBytes, l: Layer | null, dst: boolean): void {
  if (!l) {
    w.ascii('null');
    return;
  }
  w.byte(34);
  if (l.proto === Proto.Ipv4) w.ipv4(dst ? l.dst : l.src);
  else w.ipv6(dst ? l.dst6 : l.src6);
  w.byte(34);
}
