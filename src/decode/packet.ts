/**
 * The reused packet view the decoder fills. One instance per decoder; every
 * field is overwritten by the next decode and is not to be trusted after a
 * packet whose status is not OK beyond the layers it lists (gopacket's
 * DecodingLayerParser contract).
 *
 * Layers are preallocated structs with a field for every protocol; a layer's
 * `proto` says which fields mean something. Addresses are numbers (IPv4 as
 * u32, MAC as 48-bit number, IPv6 as four u32 words in a preallocated array):
 * strings are made only by the renderers.
 */

export const enum Proto {
  None = 0,
  Eth,
  Vlan,
  Sll,
  Sll2,
  Null,
  Arp,
  Ipv4,
  Ipv6,
  Udp,
  Tcp,
  Icmp,
  Icmpv6,
  Ipip,
  Vxlan,
  Geneve,
  Gre,
  Wireguard,
}

/** Names used in JSON and in issue codes: stable, part of the --json contract. */
export const PROTO_NAMES: readonly string[] = [
  'none',
  'eth',
  'vlan',
  'sll',
  'sll2',
  'null',
  'arp',
  'ipv4',
  'ipv6',
  'udp',
  'tcp',
  'icmp',
  'icmpv6',
  'ipip',
  'vxlan',
  'geneve',
  'gre',
  'wireguard',
];

export const enum Status {
  Ok = 0,
  /** Fewer bytes captured than the headers need (snaplen, cut frame). */
  Truncated = 1,
  /** A header contradicts itself or its container (bad length, bad version). */
  Malformed = 2,
  /** Decoding stopped at something podpath does not decode (link type, depth cap). */
  Unsupported = 3,
}

/** The issue of a frame the snap length cut after its headers: every header decoded, payload missing. */
export const SNAPLEN_ISSUE = 'frame.snaplen';

export const STATUS_NAMES: readonly string[] = ['ok', 'truncated', 'malformed', 'unsupported'];

/** SLL/SLL2 packet types (direction as the capturing host saw it). */
export const PKTTYPE_NAMES: readonly string[] = ['host', 'broadcast', 'multicast', 'otherhost', 'outgoing'];

export const MAX_LAYERS = 32;
/** Nested tunnels beyond this stop decoding (Zeek's tunnel.max_depth_exceeded). */
export const MAX_TUNNEL_DEPTH = 8;

export class Layer {
  proto: Proto = Proto.None;
  /** Header start, relative to the first byte of the packet. */
  offset = 0;
  /** Header length in bytes (0 for the IPIP marker). */
  length = 0;
  /** Part of the original packet quoted inside an ICMP/ICMPv6 error. */
  quoted = false;

  // Ethernet / SLL / ARP
  srcMac = 0;
  dstMac = 0;
  etherType = 0;
  // 802.1Q / 802.1ad
  tpid = 0;
  vlanId = 0;
  pcp = 0;
  // SLL / SLL2
  pktType = 0;
  ifindex = 0;
  haType = 0;
  // IPv4 / IPv6
  src = 0;
  dst = 0;
  readonly src6 = new Uint32Array(4);
  readonly dst6 = new Uint32Array(4);
  /** IPv4 protocol, or the IPv6 upper-layer header after the extension headers. */
  protocol = 0;
  ttl = 0;
  tos = 0;
  ihl = 0;
  /** IPv4 total length, or IPv6 payload length + 40. */
  totalLength = 0;
  ipId = 0;
  df = false;
  mf = false;
  /** Fragment offset in bytes. */
  fragOffset = 0;
  /** IPv6: a fragment header was present. */
  fragmentHeader = false;
  flowLabel = 0;
  // UDP / TCP
  srcPort = 0;
  dstPort = 0;
  /** UDP length field. */
  udpLength = 0;
  checksum = 0;
  seq = 0;
  ack = 0;
  tcpFlags = 0;
  window = 0;
  /** TCP MSS option on a SYN; -1 when absent. */
  mss = -1;
  /** Transport payload bytes (as far as the IP/UDP lengths say, not the capture). */
  payloadLength = 0;
  // ICMP / ICMPv6
  icmpType = 0;
  icmpCode = 0;
  /** Next-hop MTU (frag-needed) or packet-too-big MTU; -1 when not that message. */
  mtu = -1;
  echoId = -1;
  echoSeq = -1;
  // IPIP marker: version of the inner header (4 or 6)
  innerVersion = 0;
  // VXLAN / Geneve / GRE / WireGuard
  vni = -1;
  tunnelFlags = 0;
  /** Geneve protocol type / GRE protocol type. */
  payloadType = 0;
  geneveOptionsLength = 0;
  greVersion = 0;
  greKey = -1;
  greSeq = -1;
  wgType = 0;
  wgReceiver = 0;
  // ARP; senderMac also for IPv6 neighbour discovery (below)
  arpOp = 0;
  senderIp = 0;
  targetIp = 0;
  senderMac = 0;
  targetMac = 0;
  /**
   * ICMPv6 neighbour solicitation (135) or advertisement (136): the IPv6 address whose MAC the
   * message tells, in senderMac (-1: it tells none). An advertisement's target with its
   * target link-layer address option; a solicitation's sender (the IPv6 source) with its
   * source link-layer address option (RFC 4861 sections 4.3, 4.4, 4.6.1).
   */
  readonly ndpAddr = new Uint32Array(4);
}

/** What the decoder stopped at when the next header is outside its scope. */
export const enum StopKind {
  None = 0,
  EtherType = 1,
  IpProtocol = 2,
  LinkType = 3,
  Llc = 4,
}

export class PacketView {
  status: Status = Status.Ok;
  /** Anomaly code, e.g. "ipv4.truncated_header"; '' when none. */
  issue = '';
  /** Index of the layer the issue belongs to (may equal `count` when that layer could not be added). */
  issueLayer = -1;
  /** Byte offset in the packet where the issue was found. */
  issueOffset = -1;

  count = 0;
  readonly layers: Layer[] = Array.from({ length: MAX_LAYERS }, () => new Layer());
  /** Indices into `layers` of each tunnel layer, outermost first (the encapsulation stack). */
  readonly tunnels = new Int8Array(MAX_TUNNEL_DEPTH);
  tunnelCount = 0;

  /** Where decoding ended if it met something out of scope. */
  stopKind: StopKind = StopKind.None;
  stopValue = 0;

  /** Direction from SLL/SLL2 (0 unknown, 1 in, 2 out); pcapng epb_flags are on the record. */
  direction = 0;
  /** Interface index from SLL2; -1 when the link layer carries none. */
  ifindex = -1;

  linkType = 0;
  capLen = 0;
  wireLen = 0;
  /** The bytes decoded: buf[base, base + capLen). Valid until the next record. */
  buf: Uint8Array = new Uint8Array(0);
  base = 0;

  layer(i: number): Layer {
    return this.layers[i]!;
  }

  /** Index of the nearest IP layer before layer i (the tunnel's outer header), or -1. */
  outerIpOf(i: number): number {
    for (let j = i - 1; j >= 0; j--) {
      const p = this.layers[j]!.proto;
      if (p === Proto.Ipv4 || p === Proto.Ipv6) return j;
    }
    return -1;
  }

  /** Index of the innermost non-quoted IP layer, or -1. */
  innermostIp(): number {
    for (let j = this.count - 1; j >= 0; j--) {
      const l = this.layers[j]!;
      if ((l.proto === Proto.Ipv4 || l.proto === Proto.Ipv6) && !l.quoted) return j;
    }
    return -1;
  }
}
