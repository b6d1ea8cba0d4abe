/**
 * The packet decoder: a loop over "what comes next" codes, with the protocol
 * graph held in tables (link type, EtherType, IP protocol, UDP port) so that
 * `--vxlan-port 8472` is a table entry, not code. One decoder owns one
 * PacketView and one Cursor and reuses them for every packet: decoding
 * allocates nothing.
 */
import type { CaptureRecord } from '../capture/record.js';
import { addLayer, Cursor, fail, Next, short } from './cursor.js';
import { decodeArp } from './link/arp.js';
import { decodeEthernet, decodeVlan } from './link/ethernet.js';
import { decodeNull } from './link/null.js';
import { decodeSll, decodeSll2 } from './link/sll.js';
import { decodeIcmp, decodeIcmpv6 } from './net/icmp.js';
import { decodeIpv4 } from './net/ipv4.js';
import { decodeIpv6 } from './net/ipv6.js';
import { MAX_TUNNEL_DEPTH, PacketView, Proto, SNAPLEN_ISSUE, Status, StopKind } from './packet.js';
import { decodeTcp } from './transport/tcp.js';
import { decodeUdp } from './transport/udp.js';
import { GENEVE_PORT, decodeGeneve } from './tunnel/geneve.js';
import { decodeGre } from './tunnel/gre.js';
import { VXLAN_PORT, decodeVxlan } from './tunnel/vxlan.js';
import { WIREGUARD_PORTS, decodeWireguard, looksLikeWireguard } from './tunnel/wireguard.js';

export interface DecoderOptions {
  /** UDP ports carrying VXLAN. Default [4789]; add 8472 for flannel / Linux defaults. */
  vxlanPorts?: readonly number[];
  /** UDP ports carrying Geneve. Default [6081]. */
  genevePorts?: readonly number[];
  /** UDP ports where WireGuard is recognised. Default [51820, 51821]. */
  wireguardPorts?: readonly number[];
  /** UDP ports carrying GRE-in-UDP (RFC 8086). Default [4754]. */
  greUdpPorts?: readonly number[];
}

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_BSD12: 12,
  RAW_OPENBSD14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** What a UDP port carries (PacketDecoder.portKinds). */
export const PORT_NONE = 0;
export const PORT_VXLAN = 1;
export const PORT_GENEVE = 2;
const PORT_WIREGUARD = 3;
const PORT_GRE = 4;

export class PacketDecoder {
  readonly view = new PacketView();
  private readonly cur = new Cursor();
  /** UDP port -> PORT_* (what the port carries); shared with the FastDecoder. */
  readonly portKinds = new Uint8Array(65536);

  constructor(opts: DecoderOptions = {}) {
    const t = this.portKinds;
    for (const p of opts.greUdpPorts ?? [4754]) t[p & 0xffff] = PORT_GRE;
    for (const p of opts.wireguardPorts ?? WIREGUARD_PORTS) t[p & 0xffff] = PORT_WIREGUARD;
    for (const p of opts.genevePorts ?? [GENEVE_PORT]) t[p & 0xffff] = PORT_GENEVE;
    for (const p of opts.vxlanPorts ?? [VXLAN_PORT]) t[p & 0xffff] = PORT_VXLAN;
  }

  /** Decode a capture record. The returned view is this decoder's, valid until the next call. */
  decodeRecord(rec: CaptureRecord): PacketView {
    return this.decode(rec.buf, rec.offset, rec.capLen, rec.wireLen, rec.linkType);
  }

  /** Decode `capLen` bytes at `buf[offset]` as a frame of the given link type. */
  decode(buf: Uint8Array, offset: number, capLen: number, wireLen: number, linkType: number): PacketView {
    const pv = this.view;
    const cur = this.cur;
    pv.status = Status.Ok;
    pv.issue = '';
    pv.issueLayer = -1;
    pv.issueOffset = -1;
    pv.count = 0;
    pv.tunnelCount = 0;
    pv.stopKind = StopKind.None;
    pv.stopValue = 0;
    pv.direction = 0;
    pv.ifindex = -1;
    pv.linkType = linkType;
    pv.capLen = capLen;
    pv.wireLen = wireLen;
    pv.buf = buf;
    pv.base = offset;
    cur.off = offset;
    cur.end = cur.capEnd = Math.min(offset + capLen, buf.length);
    cur.value = 0;
    cur.quoted = false;
    cur.partial = false;

    let next: Next;
    switch (linkType) {
      case LINKTYPE.ETHERNET:
        next = Next.Ethernet;
        break;
      case LINKTYPE.LINUX_SLL:
        next = Next.Sll;
        break;
      case LINKTYPE.LINUX_SLL2:
        next = Next.Sll2;
        break;
      case LINKTYPE.RAW:
      case LINKTYPE.RAW_BSD12:
      case LINKTYPE.RAW_OPENBSD14:
        next = Next.IpAny;
        break;
      case LINKTYPE.IPV4:
        next = Next.Ipv4;
        break;
      case LINKTYPE.IPV6:
        next = Next.Ipv6;
        break;
      case LINKTYPE.NULL:
        next = Next.Null;
        break;
      case LINKTYPE.LOOP:
        next = Next.Loop;
        break;
      default:
        pv.stopKind = StopKind.LinkType;
        pv.stopValue = linkType;
        fail(pv, cur, Status.Unsupported, 'link.unsupported_type');
        next = Next.Done;
    }

    const b = buf;
    while (next !== Next.Done) {
      switch (next) {
        case Next.Ethernet:
          next = decodeEthernet(pv, cur, b);
          break;
        case Next.EtherType:
          next = this.etherType(cur.value);
          break;
        case Next.Vlan:
          next = decodeVlan(pv, cur, b);
          break;
        case Next.Arp:
          next = decodeArp(pv, cur, b);
          break;
        case Next.Sll:
          next = decodeSll(pv, cur, b);
          break;
        case Next.Sll2:
          next = decodeSll2(pv, cur, b);
          break;
        case Next.Null:
          next = decodeNull(pv, cur, b, false);
          break;
        case Next.Loop:
          next = decodeNull(pv, cur, b, true);
          break;
        case Next.IpAny:
          next = this.ipByVersion();
          break;
        case Next.Ipv4:
          next = decodeIpv4(pv, cur, b);
          break;
        case Next.Ipv6:
          next = decodeIpv6(pv, cur, b);
          break;
        case Next.IpProto:
          next = this.ipProtocol(cur.value);
          break;
        case Next.Udp:
          next = decodeUdp(pv, cur, b);
          if (next === Next.Udp) next = this.udpPayload();
          break;
        case Next.Tcp:
          next = decodeTcp(pv, cur, b);
          break;
        case Next.Icmp:
          next = decodeIcmp(pv, cur, b);
          break;
        case Next.Icmpv6:
          next = decodeIcmpv6(pv, cur, b);
          break;
        case Next.Vxlan:
          next = decodeVxlan(pv, cur, b);
          if (this.lastIs(Proto.Vxlan) && this.pushTunnel()) next = Next.Done;
          break;
        case Next.Geneve:
          next = decodeGeneve(pv, cur, b);
          if (this.lastIs(Proto.Geneve) && this.pushTunnel()) next = Next.Done;
          break;
        case Next.Gre:
          next = decodeGre(pv, cur, b);
          if (this.lastIs(Proto.Gre) && this.pushTunnel()) next = Next.Done;
          break;
        case Next.Wireguard:
          next = decodeWireguard(pv, cur, b);
          if (this.lastIs(Proto.Wireguard)) this.pushTunnel();
          break;
        default:
          next = Next.Done;
      }
    }
    if (pv.status === Status.Ok && capLen < wireLen) {
      // The cut outranks any note (e.g. a GSO packet's zero length): it is why the packet is incomplete.
      pv.status = Status.Truncated;
      pv.issue = SNAPLEN_ISSUE;
      pv.issueLayer = pv.count;
      pv.issueOffset = capLen;
    }
    return pv;
  }

  private etherType(type: number): Next {
    switch (type) {
      case 0x0800:
        return Next.Ipv4;
      case 0x86dd:
        return Next.Ipv6;
      case 0x0806:
        return Next.Arp;
      case 0x8100:
      case 0x88a8:
      case 0x9100:
        return Next.Vlan;
      case 0x6558:
        return Next.Ethernet;
      default:
        this.view.stopKind = StopKind.EtherType;
        this.view.stopValue = type;
        return Next.Done;
    }
  }

  private ipByVersion(): Next {
    const cur = this.cur;
    if (cur.end - cur.off < 1) return short(this.view, cur, 'raw.truncated_header');
    const v = this.view.buf[cur.off]! >>> 4;
    if (v === 4) return Next.Ipv4;
    if (v === 6) return Next.Ipv6;
    return fail(this.view, cur, Status.Malformed, 'raw.bad_version');
  }

  private ipProtocol(proto: number): Next {
    const pv = this.view;
    const cur = this.cur;
    switch (proto) {
      case 6:
        return Next.Tcp;
      case 17:
        return Next.Udp;
      case 1:
        return Next.Icmp;
      case 58:
        return Next.Icmpv6;
      case 4:
      case 41: {
        if (cur.quoted) return Next.Done;
        // IP in IP has no header of its own: a marker layer holds the tunnel's place in the stack.
        const l = addLayer(pv, cur, Proto.Ipip, 0);
        if (!l) return Next.Done;
        l.innerVersion = proto === 4 ? 4 : 6;
        if (this.pushTunnel()) return Next.Done;
        return proto === 4 ? Next.Ipv4 : Next.Ipv6;
      }
      case 47:
        return cur.quoted ? Next.Done : Next.Gre;
      default:
        pv.stopKind = StopKind.IpProtocol;
        pv.stopValue = proto;
        return Next.Done;
    }
  }

  private udpPayload(): Next {
    const pv = this.view;
    const l = pv.layers[pv.count - 1]!;
    const t = this.portKinds;
    let kind = t[l.dstPort]!;
    if (kind === PORT_NONE) kind = t[l.srcPort]!;
    switch (kind) {
      case PORT_VXLAN:
        return Next.Vxlan;
      case PORT_GENEVE:
        return Next.Geneve;
      case PORT_GRE:
        return Next.Gre;
      case PORT_WIREGUARD:
        return looksLikeWireguard(pv.buf, this.cur.off, this.cur.end) ? Next.Wireguard : Next.Done;
      default:
        return Next.Done;
    }
  }

  private lastIs(proto: Proto): boolean {
    const pv = this.view;
    return pv.count > 0 && pv.layers[pv.count - 1]!.proto === proto;
  }

  /** Push the layer just added onto the encapsulation stack; true when the depth cap stops decoding. */
  private pushTunnel(): boolean {
    const pv = this.view;
    if (pv.tunnelCount >= MAX_TUNNEL_DEPTH) {
      pv.count--;
      fail(pv, this.cur, Status.Unsupported, 'tunnel.max_depth_exceeded');
      return true;
    }
    pv.tunnels[pv.tunnelCount++] = pv.count - 1;
    return false;
  }
}
