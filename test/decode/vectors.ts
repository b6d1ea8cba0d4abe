/**
 * Hand-built packets, one per decoder case, annotated field by field
 * (node_pcap's convention). Each vector names its link type and what the
 * decoder should make of it: the layer sequence with key fields, the status
 * and issue code, the tunnel stack and where decoding stopped.
 *
 * Addresses follow one small cluster throughout: nodes 172.16.10.11 and
 * 172.16.10.12 (IPv6 2001:db8::11, ::12), pods 10.244.1.2 (block
 * 10.244.1.0/26) and 10.244.2.67 (block 10.244.2.64/26), IPv6 pods
 * fd00:10:244:1::2 and fd00:10:244:2::43. Checksums are zero: no decoder
 * verifies them.
 */
import type { DecoderOptions } from '../../src/decode/decoder.js';
import { LINKTYPE } from '../../src/decode/decoder.js';
import { MAX_TUNNEL_DEPTH } from '../../src/decode/packet.js';
import type { TunnelMode } from '../../src/decode/tunnels.js';
import { concat, fill, hex } from './hex.js';

/** Expected layer: `proto` plus any key fields, as the test's layer summary names them. */
export type LayerExpect = { proto: string } & Record<string, unknown>;

export type StatusName = 'ok' | 'truncated' | 'malformed' | 'unsupported';

export interface Vector {
  name: string;
  /** The decoder file this vector exercises first (groups the shared suite). */
  decoder: string;
  linkType: number;
  bytes: Uint8Array;
  /** Original length on the wire; defaults to bytes.length (nothing cut by snaplen). */
  wireLen?: number;
  options?: DecoderOptions;
  expect: {
    /** Every layer, in order (the count must match). */
    layers: LayerExpect[];
    status: StatusName;
    /** Issue code ('' = none); default ''. */
    issue?: string;
    issueOffset?: number;
    /** The encapsulation stack, outermost first; default none. */
    tunnels?: { layer: number; mode: TunnelMode; id?: number }[];
    /** Where decoding met something out of scope; default none. */
    stop?: { kind: 'ethertype' | 'ipproto' | 'linktype' | 'llc'; value: number };
    /** 0 unknown, 1 in, 2 out; default 0. */
    direction?: number;
    /** SLL2 interface index; default -1. */
    ifindex?: number;
  };
  /**
   * A known decoder bug: `expect` says what should happen, the vector test
   * runs as it.fails until src/ is fixed. The text is expected vs actual.
   */
  bug?: string;
}

// ---------------------------------------------------------------------------
// Building blocks: the pod-to-pod packets every tunnel carries.

/** IPv4 pod-to-pod ping, 36 bytes: 10.244.1.2 > 10.244.2.67, ICMP echo request id 42 seq 7. */
export const podPing4 = hex`
  # IPv4: v4 ihl5, tos 0, len 36, id 0x1234, DF, ttl 63, proto 1 (ICMP), csum 0, 10.244.1.2 > 10.244.2.67
  45 00 00 24  12 34 40 00  3f 01 00 00  0a f4 01 02  0a f4 02 43
  # ICMP: type 8 (echo request), code 0, csum 0, id 42, seq 7
  08 00 00 00  00 2a 00 07
  # echo data "podpath!" (8)
  70 6f 64 70 61 74 68 21
`;

/** IPv6 pod-to-pod ping, 56 bytes: fd00:10:244:1::2 > fd00:10:244:2::43, ICMPv6 echo request id 42 seq 7. */
export const podPing6 = hex`
  # IPv6: v6, traffic class 0, flow label 0x12345, payload len 16, next header 58 (ICMPv6), hop limit 63
  60 01 23 45  00 10 3a 3f
  # src fd00:10:244:1::2
  fd 00 00 10 02 44 00 01 00 00 00 00 00 00 00 02
  # dst fd00:10:244:2::43
  fd 00 00 10 02 44 00 02 00 00 00 00 00 00 00 43
  # ICMPv6: type 128 (echo request), code 0, csum 0, id 42, seq 7
  80 00 00 00  00 2a 00 07
  # echo data "podpath!" (8)
  70 6f 64 70 61 74 68 21
`;

/** Inner Ethernet header of an overlay frame (pod veth MACs). */
const podEth = hex`
  # inner Ethernet: dst 0a:58:0a:f4:02:43, src 0a:58:0a:f4:01:02, type 0x0800
  0a 58 0a f4 02 43  0a 58 0a f4 01 02  08 00
`;

// Expected layers of the building blocks (offsets are checked by the sweep, not here).
const ping4Layers = (ttl = 63): LayerExpect[] => [
  { proto: 'ipv4', src: '10.244.1.2', dst: '10.244.2.67', protocol: 1, ttl, totalLength: 36, id: 0x1234, df: true, mf: false, fragOffset: 0 },
  { proto: 'icmp', type: 8, code: 0, echoId: 42, echoSeq: 7, mtu: -1 },
];
const ping6Layers = (): LayerExpect[] => [
  { proto: 'ipv6', src: 'fd00:10:244:1::2', dst: 'fd00:10:244:2::43', nextHeader: 58, hopLimit: 63, flowLabel: 0x12345, totalLength: 56 },
  { proto: 'icmpv6', type: 128, code: 0, echoId: 42, echoSeq: 7, mtu: -1 },
];
const podEthLayer: LayerExpect = { proto: 'eth', dst: '0a:58:0a:f4:02:43', src: '0a:58:0a:f4:01:02', etherType: 0x0800 };
const nodeEth = (etherType = 0x0800): LayerExpect => ({ proto: 'eth', dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', etherType });
/** The same two MACs, the other way round (replies, errors). */
const nodeEthBack = (etherType = 0x0800): LayerExpect => ({ proto: 'eth', dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02', etherType });

// ---------------------------------------------------------------------------
// Link layers.

const ethIcmpEcho: Vector = {
  name: 'ethernet ipv4 icmp echo',
  decoder: 'ethernet',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    ${podPing4}
  `,
  expect: { layers: [nodeEth(), ...ping4Layers()], status: 'ok' },
};

const vlan8021q: Vector = {
  name: '802.1Q vlan 100 pcp 5',
  decoder: 'ethernet',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x8100 (802.1Q)
    02 00 00 00 00 02  02 00 00 00 00 01  81 00
    # 802.1Q: TCI 0xa064 = pcp 5, dei 0, vid 100; type 0x0800
    a0 64  08 00
    ${podPing4}
  `,
  expect: {
    layers: [nodeEth(0x8100), { proto: 'vlan', id: 100, pcp: 5, tpid: 0x8100, etherType: 0x0800, length: 4, offset: 14 }, ...ping4Layers()],
    status: 'ok',
  },
};

const qinq: Vector = {
  name: 'QinQ 802.1ad 200 + 802.1Q 100',
  decoder: 'ethernet',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x88a8 (802.1ad S-tag)
    02 00 00 00 00 02  02 00 00 00 00 01  88 a8
    # S-tag: TCI 0x00c8 = pcp 0, vid 200; type 0x8100
    00 c8  81 00
    # C-tag: TCI 0x0064 = pcp 0, vid 100; type 0x0800
    00 64  08 00
    ${podPing4}
  `,
  expect: {
    layers: [
      nodeEth(0x88a8),
      { proto: 'vlan', id: 200, tpid: 0x88a8, etherType: 0x8100, offset: 14 },
      { proto: 'vlan', id: 100, tpid: 0x8100, etherType: 0x0800, offset: 18 },
      ...ping4Layers(),
    ],
    status: 'ok',
  },
};

const ethLlc: Vector = {
  name: 'ethernet 802.3 length frame (STP over LLC) stops cleanly',
  decoder: 'ethernet',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 01:80:c2:00:00:00 (STP), src 02:00:00:00:00:01, 802.3 length 38
    01 80 c2 00 00 00  02 00 00 00 00 01  00 26
    # LLC: DSAP 0x42, SSAP 0x42, control 0x03
    42 42 03
    # configuration BPDU (35 bytes), then 8 bytes of padding to 60
    ${fill(35, 0)}
    ${fill(8, 0)}
  `,
  expect: {
    layers: [{ proto: 'eth', dst: '01:80:c2:00:00:00', src: '02:00:00:00:00:01', etherType: 38 }],
    status: 'ok',
    stop: { kind: 'llc', value: 38 },
  },
};

const ethLldp: Vector = {
  name: 'ethernet LLDP (0x88cc) stops at the EtherType',
  decoder: 'ethernet',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 01:80:c2:00:00:0e, src 02:00:00:00:00:01, type 0x88cc (LLDP)
    01 80 c2 00 00 0e  02 00 00 00 00 01  88 cc
    # chassis id TLV (type 1, len 7): MAC 02:00:00:00:00:01; end TLV
    02 07 04 02 00 00 00 00 01  00 00
  `,
  expect: {
    layers: [{ proto: 'eth', etherType: 0x88cc }],
    status: 'ok',
    stop: { kind: 'ethertype', value: 0x88cc },
  },
};

const arpRequest: Vector = {
  name: 'ARP who-has (padded to 60)',
  decoder: 'arp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst ff:ff:ff:ff:ff:ff, src 02:00:00:00:00:01, type 0x0806 (ARP)
    ff ff ff ff ff ff  02 00 00 00 00 01  08 06
    # ARP: htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4, oper 1 (request)
    00 01  08 00  06  04  00 01
    # sender: 02:00:00:00:00:01, 172.16.10.11
    02 00 00 00 00 01  ac 10 0a 0b
    # target: 00:00:00:00:00:00, 172.16.10.12
    00 00 00 00 00 00  ac 10 0a 0c
    # Ethernet padding (18)
    ${fill(18, 0)}
  `,
  expect: {
    layers: [
      { proto: 'eth', dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', etherType: 0x0806 },
      { proto: 'arp', op: 1, senderMac: '02:00:00:00:00:01', senderIp: '172.16.10.11', targetMac: '00:00:00:00:00:00', targetIp: '172.16.10.12', length: 28 },
    ],
    status: 'ok',
  },
};

const sllIncoming: Vector = {
  name: 'SLL (113) incoming',
  decoder: 'sll',
  linkType: LINKTYPE.LINUX_SLL,
  bytes: hex`
    # SLL: packet type 0 (to us), ARPHRD 1 (Ethernet), addr len 6, addr 02:00:00:00:00:01 + 2 pad, protocol 0x0800
    00 00  00 01  00 06  02 00 00 00 00 01 00 00  08 00
    ${podPing4}
  `,
  expect: {
    layers: [{ proto: 'sll', pktType: 0, haType: 1, src: '02:00:00:00:00:01', etherType: 0x0800, length: 16 }, ...ping4Layers()],
    status: 'ok',
    direction: 1,
  },
};

const sllOutgoing: Vector = {
  name: 'SLL (113) outgoing',
  decoder: 'sll',
  linkType: LINKTYPE.LINUX_SLL,
  bytes: hex`
    # SLL: packet type 4 (outgoing), ARPHRD 1, addr len 6, addr 02:00:00:00:00:02 + 2 pad, protocol 0x0800
    00 04  00 01  00 06  02 00 00 00 00 02 00 00  08 00
    ${podPing4}
  `,
  expect: {
    layers: [{ proto: 'sll', pktType: 4, src: '02:00:00:00:00:02', etherType: 0x0800 }, ...ping4Layers()],
    status: 'ok',
    direction: 2,
  },
};

const sll2Outgoing: Vector = {
  name: 'SLL2 (276) outgoing on ifindex 7',
  decoder: 'sll',
  linkType: LINKTYPE.LINUX_SLL2,
  bytes: hex`
    # SLL2: protocol 0x0800, reserved, ifindex 7
    08 00  00 00  00 00 00 07
    # ARPHRD 1, packet type 4 (outgoing), addr len 6, addr 0a:58:0a:f4:01:02 + 2 pad
    00 01  04  06  0a 58 0a f4 01 02 00 00
    ${podPing4}
  `,
  expect: {
    layers: [{ proto: 'sll2', pktType: 4, haType: 1, ifindex: 7, src: '0a:58:0a:f4:01:02', etherType: 0x0800, length: 20 }, ...ping4Layers()],
    status: 'ok',
    direction: 2,
    ifindex: 7,
  },
};

const sll2IncomingIpip: Vector = {
  name: 'SLL2 (276) incoming on ifindex 2 carrying IPIP',
  decoder: 'sll',
  linkType: LINKTYPE.LINUX_SLL2,
  bytes: hex`
    # SLL2: protocol 0x0800, reserved, ifindex 2
    08 00  00 00  00 00 00 02
    # ARPHRD 1, packet type 0 (to us), addr len 6, addr 02:00:00:00:00:01 + 2 pad
    00 01  00  06  02 00 00 00 00 01 00 00
    # IPv4 outer: v4 ihl5, tos 0, len 56, id 1, DF, ttl 64, proto 4 (IPIP), csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 38 00 01 40 00 40 04 00 00 ac 10 0a 0b ac 10 0a 0c
    ${podPing4}
  `,
  expect: {
    layers: [
      { proto: 'sll2', pktType: 0, ifindex: 2, src: '02:00:00:00:00:01' },
      { proto: 'ipv4', src: '172.16.10.11', dst: '172.16.10.12', protocol: 4 },
      { proto: 'ipip', innerVersion: 4, offset: 40, length: 0 },
      ...ping4Layers(),
    ],
    status: 'ok',
    direction: 1,
    ifindex: 2,
    tunnels: [{ layer: 2, mode: 'ipip', id: -1 }],
  },
};

const raw101v4: Vector = {
  name: 'raw (101) IPv4',
  decoder: 'raw',
  linkType: LINKTYPE.RAW,
  bytes: hex`${podPing4}`,
  expect: { layers: ping4Layers(), status: 'ok' },
};

const raw101v6: Vector = {
  name: 'raw (101) IPv6',
  decoder: 'raw',
  linkType: LINKTYPE.RAW,
  bytes: hex`${podPing6}`,
  expect: { layers: ping6Layers(), status: 'ok' },
};

const raw12v4: Vector = {
  name: 'raw (12, BSD) IPv4',
  decoder: 'raw',
  linkType: LINKTYPE.RAW_BSD12,
  bytes: hex`${podPing4}`,
  expect: { layers: ping4Layers(), status: 'ok' },
};

const raw228: Vector = {
  name: 'LINKTYPE_IPV4 (228)',
  decoder: 'raw',
  linkType: LINKTYPE.IPV4,
  bytes: hex`${podPing4}`,
  expect: { layers: ping4Layers(), status: 'ok' },
};

const raw229: Vector = {
  name: 'LINKTYPE_IPV6 (229)',
  decoder: 'raw',
  linkType: LINKTYPE.IPV6,
  bytes: hex`${podPing6}`,
  expect: { layers: ping6Layers(), status: 'ok' },
};

const rawBadVersion: Vector = {
  name: 'raw (101) version 5 is malformed',
  decoder: 'raw',
  linkType: LINKTYPE.RAW,
  bytes: hex`
    # version 5 (ST-II), then 19 bytes that would be an IPv4 header
    55 00 00 14 00 00 40 00 40 01 00 00 0a f4 01 02 0a f4 02 43
  `,
  expect: { layers: [], status: 'malformed', issue: 'raw.bad_version', issueOffset: 0 },
};

const nullLe: Vector = {
  name: 'NULL (0) little-endian AF_INET',
  decoder: 'null',
  linkType: LINKTYPE.NULL,
  bytes: hex`
    # address family 2 (AF_INET), little-endian host
    02 00 00 00
    ${podPing4}
  `,
  expect: { layers: [{ proto: 'null', family: 2, length: 4 }, ...ping4Layers()], status: 'ok' },
};

const nullBe: Vector = {
  name: 'NULL (0) big-endian AF_INET',
  decoder: 'null',
  linkType: LINKTYPE.NULL,
  bytes: hex`
    # address family 2 (AF_INET), big-endian host
    00 00 00 02
    ${podPing4}
  `,
  expect: { layers: [{ proto: 'null', family: 2 }, ...ping4Layers()], status: 'ok' },
};

const nullAf24: Vector = {
  name: 'NULL (0) little-endian AF_INET6 24 (NetBSD/OpenBSD)',
  decoder: 'null',
  linkType: LINKTYPE.NULL,
  bytes: hex`
    # address family 24 (AF_INET6 on NetBSD/OpenBSD), little-endian
    18 00 00 00
    ${podPing6}
  `,
  expect: { layers: [{ proto: 'null', family: 24 }, ...ping6Layers()], status: 'ok' },
};

const nullAf28: Vector = {
  name: 'NULL (0) little-endian AF_INET6 28 (FreeBSD)',
  decoder: 'null',
  linkType: LINKTYPE.NULL,
  bytes: hex`
    # address family 28 (AF_INET6 on FreeBSD), little-endian
    1c 00 00 00
    ${podPing6}
  `,
  expect: { layers: [{ proto: 'null', family: 28 }, ...ping6Layers()], status: 'ok' },
};

const nullAf30Be: Vector = {
  name: 'NULL (0) big-endian AF_INET6 30 (macOS)',
  decoder: 'null',
  linkType: LINKTYPE.NULL,
  bytes: hex`
    # address family 30 (AF_INET6 on Darwin), big-endian host
    00 00 00 1e
    ${podPing6}
  `,
  expect: { layers: [{ proto: 'null', family: 30 }, ...ping6Layers()], status: 'ok' },
};

const loopV4: Vector = {
  name: 'LOOP (108) AF_INET',
  decoder: 'null',
  linkType: LINKTYPE.LOOP,
  bytes: hex`
    # address family 2, network byte order
    00 00 00 02
    ${podPing4}
  `,
  expect: { layers: [{ proto: 'null', family: 2 }, ...ping4Layers()], status: 'ok' },
};

const loopV6: Vector = {
  name: 'LOOP (108) AF_INET6 24',
  decoder: 'null',
  linkType: LINKTYPE.LOOP,
  bytes: hex`
    # address family 24, network byte order
    00 00 00 18
    ${podPing6}
  `,
  expect: { layers: [{ proto: 'null', family: 24 }, ...ping6Layers()], status: 'ok' },
};

const unsupportedLink: Vector = {
  name: 'unsupported link type 160',
  decoder: 'link',
  linkType: 160,
  bytes: hex`${podPing4}`,
  expect: { layers: [], status: 'unsupported', issue: 'link.unsupported_type', stop: { kind: 'linktype', value: 160 } },
};

// ---------------------------------------------------------------------------
// IPv4 and IPv6.

const ipv4Options: Vector = {
  name: 'IPv4 with options (Router Alert)',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: v4 ihl 6 (24 bytes), tos 0, len 40, id 9, DF, ttl 64, proto 1, csum 0, 10.244.1.2 > 10.244.2.67
    46 00 00 28 00 09 40 00 40 01 00 00 0a f4 01 02 0a f4 02 43
    # option: Router Alert (type 148, len 4, value 0)
    94 04 00 00
    # ICMP: echo request, id 42, seq 8
    08 00 00 00 00 2a 00 08
    70 6f 64 70 61 74 68 21
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', ihl: 24, length: 24, totalLength: 40, payloadLength: 16, id: 9, ttl: 64 },
      { proto: 'icmp', offset: 38, type: 8, echoId: 42, echoSeq: 8 },
    ],
    status: 'ok',
  },
};

const ipv4FragFirstUdp: Vector = {
  name: 'IPv4 first fragment (MF, offset 0) carrying UDP',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 44, id 0x4242, flags MF, offset 0, ttl 64, proto 17, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 2c 42 42 20 00 40 11 00 00 0a f4 01 02 0a f4 02 43
    # UDP: 40000 > 9999, len 48 (the whole datagram: 24 bytes here, 16 + 8 in the next fragments), csum 0
    9c 40 27 0f 00 30 00 00
    # data 0x00..0x0f
    00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', id: 0x4242, mf: true, fragOffset: 0, totalLength: 44 },
      { proto: 'udp', srcPort: 40000, dstPort: 9999, udpLength: 48 },
    ],
    status: 'ok',
  },
};

const ipv4FragFirstIcmp: Vector = {
  name: 'IPv4 first fragment (MF, offset 0) carrying ICMP',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 36, id 0x4343, flags MF, offset 0, ttl 64, proto 1, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 24 43 43 20 00 40 01 00 00 0a f4 01 02 0a f4 02 43
    # ICMP: echo request, id 42, seq 9, then the first 8 bytes of a large ping
    08 00 00 00 00 2a 00 09
    00 01 02 03 04 05 06 07
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', id: 0x4343, mf: true, fragOffset: 0 }, { proto: 'icmp', type: 8, echoSeq: 9 }],
    status: 'ok',
  },
};

const ipv4FragMiddle: Vector = {
  name: 'IPv4 middle fragment: no transport decoded',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 36, id 0x4242, flags MF, offset 3 (24 bytes), ttl 64, proto 17, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 24 42 42 20 03 40 11 00 00 0a f4 01 02 0a f4 02 43
    # 16 data bytes that look like a UDP header to 4789 (must not be decoded)
    9c 40 12 b5 00 10 00 00 08 00 00 00 00 10 00 00
  `,
  expect: { layers: [nodeEth(), { proto: 'ipv4', id: 0x4242, mf: true, fragOffset: 24, payloadLength: 16 }], status: 'ok' },
};

const ipv4FragLast: Vector = {
  name: 'IPv4 last fragment (padded to 60): no transport decoded',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 28, id 0x4242, no flags, offset 5 (40 bytes), ttl 64, proto 17, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 1c 42 42 00 05 40 11 00 00 0a f4 01 02 0a f4 02 43
    # last 8 data bytes
    28 29 2a 2b 2c 2d 2e 2f
    # Ethernet padding (18)
    ${fill(18, 0)}
  `,
  expect: { layers: [nodeEth(), { proto: 'ipv4', mf: false, fragOffset: 40, totalLength: 28, payloadLength: 8 }], status: 'ok' },
};

const ipv4UnknownProto: Vector = {
  name: 'IPv4 carrying SCTP (132) stops at the protocol',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 32, id 10, DF, ttl 64, proto 132 (SCTP), csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 20 00 0a 40 00 40 84 00 00 0a f4 01 02 0a f4 02 43
    # SCTP common header: 5000 > 5001, verification tag, checksum
    13 88 13 89 00 00 00 01 00 00 00 00
  `,
  expect: { layers: [nodeEth(), { proto: 'ipv4', protocol: 132 }], status: 'ok', stop: { kind: 'ipproto', value: 132 } },
};

const ipv6ExtHeaders: Vector = {
  name: 'IPv6 hop-by-hop + routing + destination options + fragment + UDP',
  decoder: 'ipv6',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x86dd
    02 00 00 00 00 02  02 00 00 00 00 01  86 dd
    # IPv6: v6, tc 0, flow 0, payload len 60, next header 0 (hop-by-hop), hop limit 64
    60 00 00 00  00 3c 00 40
    # src 2001:db8::11
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    # dst 2001:db8::12
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 12
    # hop-by-hop: next 43 (routing), hdr ext len 0 (8 bytes); Router Alert (05 02 0000), PadN (01 00)
    2b 00  05 02 00 00  01 00
    # routing: next 60 (dest opts), hdr ext len 2 (24 bytes), type 2, segments left 1, reserved
    3c 02  02 01  00 00 00 00
    # home address 2001:db8::99
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 99
    # destination options: next 44 (fragment), hdr ext len 0 (8 bytes); PadN (01 04 + 4 zero)
    2c 00  01 04 00 00 00 00
    # fragment: next 17 (UDP), reserved, offset 0, M 0 (atomic fragment), id 0xdeadbeef
    11 00  00 00  de ad be ef
    # UDP: 40000 > 53, len 12, csum 0
    9c 40 00 35 00 0c 00 00
    # data "dns?"
    64 6e 73 3f
  `,
  expect: {
    layers: [
      nodeEth(0x86dd),
      {
        proto: 'ipv6',
        src: '2001:db8::11',
        dst: '2001:db8::12',
        nextHeader: 17,
        hopLimit: 64,
        length: 88,
        totalLength: 100,
        payloadLength: 12,
        fragmentHeader: true,
        fragOffset: 0,
        mf: false,
        fragId: 0xdeadbeef,
      },
      { proto: 'udp', offset: 102, srcPort: 40000, dstPort: 53, udpLength: 12, payloadLength: 4 },
    ],
    status: 'ok',
  },
};

const ipv6FragNonFirst: Vector = {
  name: 'IPv6 non-first fragment: no transport decoded',
  decoder: 'ipv6',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x86dd
    02 00 00 00 00 02  02 00 00 00 00 01  86 dd
    # IPv6: payload len 16, next header 44 (fragment), hop limit 64, 2001:db8::11 > 2001:db8::12
    60 00 00 00  00 10 2c 40
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 12
    # fragment: next 17, reserved, offset 154 (1232 bytes), M 0, id 7
    11 00  04 d0  00 00 00 07
    # 8 data bytes shaped like a UDP header (must not be decoded)
    9c 40 12 b5 00 10 00 00
  `,
  expect: {
    layers: [nodeEth(0x86dd), { proto: 'ipv6', nextHeader: 17, length: 48, fragmentHeader: true, fragOffset: 1232, mf: false, fragId: 7 }],
    status: 'ok',
  },
};

const ipv6FragFirstUdp: Vector = {
  name: 'IPv6 first fragment (offset 0, M 1) carrying UDP',
  decoder: 'ipv6',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x86dd
    02 00 00 00 00 02  02 00 00 00 00 01  86 dd
    # IPv6: payload len 24, next header 44 (fragment), hop limit 64, 2001:db8::11 > 2001:db8::12
    60 00 00 00  00 18 2c 40
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 12
    # fragment: next 17, reserved, offset 0, M 1, id 8
    11 00  00 01  00 00 00 08
    # UDP: 40000 > 53, len 1300 (whole datagram), csum 0
    9c 40 00 35 05 14 00 00
    # first 8 data bytes
    00 01 02 03 04 05 06 07
  `,
  expect: {
    layers: [nodeEth(0x86dd), { proto: 'ipv6', fragmentHeader: true, fragOffset: 0, mf: true, fragId: 8 }, { proto: 'udp', udpLength: 1300 }],
    status: 'ok',
  },
};

// ---------------------------------------------------------------------------
// Transport.

const udpPlain: Vector = {
  name: 'UDP 40000 > 53',
  decoder: 'udp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 32, id 11, DF, ttl 64, proto 17, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 20 00 0b 40 00 40 11 00 00 0a f4 01 02 0a f4 02 43
    # UDP: 40000 > 53, len 12, csum 0
    9c 40 00 35 00 0c 00 00
    # data "dns?"
    64 6e 73 3f
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', protocol: 17 }, { proto: 'udp', offset: 34, srcPort: 40000, dstPort: 53, udpLength: 12, payloadLength: 4 }],
    status: 'ok',
  },
};

const tcpSynMss: Vector = {
  name: 'TCP SYN with MSS (after SACK-permitted, timestamps, window scale)',
  decoder: 'tcp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 60, id 0, DF, ttl 64, proto 6 (TCP), csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 3c 00 00 40 00 40 06 00 00 0a f4 01 02 0a f4 02 43
    # TCP: 43210 > 443, seq 0x01020304, ack 0, data offset 10 (40 bytes), flags SYN, window 64240, csum 0, urg 0
    a8 ca 01 bb  01 02 03 04  00 00 00 00  a0 02 fa f0  00 00 00 00
    # options: SACK permitted (04 02)
    04 02
    # timestamps: TSval 0x0a0b0c0d, TSecr 0
    08 0a 0a 0b 0c 0d 00 00 00 00
    # NOP, window scale 7
    01  03 03 07
    # MSS 1460
    02 04 05 b4
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', protocol: 6 },
      { proto: 'tcp', srcPort: 43210, dstPort: 443, seq: 0x01020304, ack: 0, flags: 0x02, window: 64240, mss: 1460, length: 40, payloadLength: 0 },
    ],
    status: 'ok',
  },
};

const tcpAckMss: Vector = {
  name: 'TCP PSH|ACK carrying an MSS option: ignored off SYN',
  decoder: 'tcp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 48, id 1, DF, ttl 64, proto 6, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 30 00 01 40 00 40 06 00 00 0a f4 01 02 0a f4 02 43
    # TCP: 43210 > 443, seq 0x01020305, ack 0x0a0b0c0e, data offset 6 (24 bytes), flags PSH|ACK, window 501, csum 0, urg 0
    a8 ca 01 bb  01 02 03 05  0a 0b 0c 0e  60 18 01 f5  00 00 00 00
    # option: MSS 1460 (meaningless here)
    02 04 05 b4
    # payload "ping"
    70 69 6e 67
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4' }, { proto: 'tcp', ack: 0x0a0b0c0e, flags: 0x18, window: 501, mss: -1, length: 24, payloadLength: 4 }],
    status: 'ok',
  },
};

const bigTcp: Vector = {
  name: 'BIG TCP / TSO IPv4 with total length 0',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 0 (GSO super-packet: runs to the end of the frame), id 2, DF, ttl 64, proto 6, csum 0
    45 00 00 00 00 02 40 00 40 06 00 00 0a f4 01 02 0a f4 02 43
    # TCP: 43210 > 443, seq 1, ack 1, data offset 5, ACK, window 501
    a8 ca 01 bb  00 00 00 01  00 00 00 01  50 10 01 f5  00 00 00 00
    # payload (16)
    ${fill(16, 0x61)}
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', totalLength: 0, payloadLength: 36 }, { proto: 'tcp', payloadLength: 16 }],
    status: 'ok',
    issue: 'ipv4.zero_total_length',
    issueOffset: 14,
  },
};

// ---------------------------------------------------------------------------
// ICMP errors (quoted packets).

const icmpFragNeeded: Vector = {
  name: 'ICMP type 3 code 4 (frag needed, MTU 1450) quoting IPv4+UDP to 4789',
  decoder: 'icmp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:01, src 02:00:00:00:00:02, type 0x0800
    02 00 00 00 00 01  02 00 00 00 00 02  08 00
    # IPv4: len 56, tos 0xc0, id 5, ttl 64, proto 1, csum 0, 172.16.10.1 > 172.16.10.11
    45 c0 00 38 00 05 00 00 40 01 00 00 ac 10 0a 01 ac 10 0a 0b
    # ICMP: type 3 code 4 (fragmentation needed), csum 0, unused 0, next-hop MTU 1450
    03 04 00 00  00 00 05 aa
    # quoted IPv4: len 1500, id 0x0102, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 05 dc 01 02 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # quoted UDP: 54321 > 4789, len 1480, csum 0 (a VXLAN packet; the quote is not decoded further)
    d4 31 12 b5 05 c8 00 00
  `,
  expect: {
    layers: [
      nodeEthBack(),
      { proto: 'ipv4', src: '172.16.10.1', dst: '172.16.10.11', tos: 0xc0, quoted: false },
      { proto: 'icmp', type: 3, code: 4, mtu: 1450, echoId: -1, quoted: false },
      { proto: 'ipv4', src: '172.16.10.11', dst: '172.16.10.12', totalLength: 1500, df: true, protocol: 17, quoted: true, offset: 42 },
      { proto: 'udp', srcPort: 54321, dstPort: 4789, udpLength: 1480, quoted: true, offset: 62 },
    ],
    status: 'ok',
  },
};

const icmpv6TooBig: Vector = {
  name: 'ICMPv6 packet too big (MTU 1280) quoting IPv6+UDP',
  decoder: 'icmp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:01, src 02:00:00:00:00:02, type 0x86dd
    02 00 00 00 00 01  02 00 00 00 00 02  86 dd
    # IPv6: payload len 56, next header 58 (ICMPv6), hop limit 64, 2001:db8::1 > 2001:db8::11
    60 00 00 00  00 38 3a 40
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    # ICMPv6: type 2 (packet too big), code 0, csum 0, MTU 1280
    02 00 00 00  00 00 05 00
    # quoted IPv6: payload len 1400, next header 17, hop limit 64, 2001:db8::11 > 2001:db8::12
    60 00 00 00  05 78 11 40
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 12
    # quoted UDP: 40000 > 6081, len 1400, csum 0
    9c 40 17 c1 05 78 00 00
  `,
  expect: {
    layers: [
      nodeEthBack(0x86dd),
      { proto: 'ipv6', src: '2001:db8::1', dst: '2001:db8::11', quoted: false },
      { proto: 'icmpv6', type: 2, code: 0, mtu: 1280, quoted: false },
      { proto: 'ipv6', src: '2001:db8::11', dst: '2001:db8::12', totalLength: 1440, nextHeader: 17, quoted: true, offset: 62 },
      { proto: 'udp', srcPort: 40000, dstPort: 6081, udpLength: 1400, quoted: true, offset: 102 },
    ],
    status: 'ok',
  },
};

// ---------------------------------------------------------------------------
// IP in IP.

const ipipCalico: Vector = {
  name: 'IPIP (proto 4), Calico: node IPs outside, pod /26 addresses inside',
  decoder: 'ipip',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: v4 ihl5, tos 0, len 56, id 1, DF, ttl 64, proto 4 (IPIP), csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 38 00 01 40 00 40 04 00 00 ac 10 0a 0b ac 10 0a 0c
    ${podPing4}
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', src: '172.16.10.11', dst: '172.16.10.12', protocol: 4, totalLength: 56, ttl: 64 },
      { proto: 'ipip', innerVersion: 4, offset: 34, length: 0 },
      ...ping4Layers(),
    ],
    status: 'ok',
    tunnels: [{ layer: 2, mode: 'ipip', id: -1 }],
  },
};

const sixIn4: Vector = {
  name: '6in4 (proto 41)',
  decoder: 'ipip',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 76, id 1, DF, ttl 64, proto 41 (IPv6), csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 4c 00 01 40 00 40 29 00 00 ac 10 0a 0b ac 10 0a 0c
    ${podPing6}
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', protocol: 41 }, { proto: 'ipip', innerVersion: 6 }, ...ping6Layers()],
    status: 'ok',
    tunnels: [{ layer: 2, mode: 'ip6ip', id: -1 }],
  },
};

const fourIn6: Vector = {
  name: '4in6 (next header 4)',
  decoder: 'ipip',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x86dd
    02 00 00 00 00 02  02 00 00 00 00 01  86 dd
    # IPv6 outer: payload len 36, next header 4 (IPv4), hop limit 64, 2001:db8::11 > 2001:db8::12
    60 00 00 00  00 24 04 40
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 12
    ${podPing4}
  `,
  expect: {
    layers: [nodeEth(0x86dd), { proto: 'ipv6', src: '2001:db8::11', dst: '2001:db8::12', nextHeader: 4 }, { proto: 'ipip', innerVersion: 4, offset: 54 }, ...ping4Layers()],
    status: 'ok',
    tunnels: [{ layer: 2, mode: 'ipip', id: -1 }],
  },
};

const sixIn6: Vector = {
  name: '6in6 (next header 41)',
  decoder: 'ipip',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x86dd
    02 00 00 00 00 02  02 00 00 00 00 01  86 dd
    # IPv6 outer: payload len 56, next header 41 (IPv6), hop limit 64, 2001:db8::11 > 2001:db8::12
    60 00 00 00  00 38 29 40
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 12
    ${podPing6}
  `,
  expect: {
    layers: [nodeEth(0x86dd), { proto: 'ipv6', nextHeader: 41 }, { proto: 'ipip', innerVersion: 6 }, ...ping6Layers()],
    status: 'ok',
    tunnels: [{ layer: 2, mode: 'ip6ip', id: -1 }],
  },
};

// ---------------------------------------------------------------------------
// VXLAN.

/** Outer IPv4 + UDP + VXLAN VNI 4096 + inner Ethernet + podPing4, parametrised by UDP ports only. */
function vxlanFrame(udpPorts: Uint8Array): Uint8Array {
  return hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 86, id 2, DF, ttl 64, proto 17 (UDP), csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 56 00 02 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: ports (below), len 66, csum 0
    ${udpPorts}
    00 42 00 00
    # VXLAN: flags 0x08 (I), reserved (3), VNI 4096 (0x001000), reserved
    08 00 00 00  00 10 00 00
    ${podEth}
    ${podPing4}
  `;
}

const vxlanLayers = (srcPort: number, dstPort: number): LayerExpect[] => [
  nodeEth(),
  { proto: 'ipv4', src: '172.16.10.11', dst: '172.16.10.12', protocol: 17, totalLength: 86 },
  { proto: 'udp', srcPort, dstPort, udpLength: 66, payloadLength: 58, offset: 34 },
  { proto: 'vxlan', vni: 4096, flags: 0x08, offset: 42, length: 8 },
  { ...podEthLayer, offset: 50 },
  ...ping4Layers(),
];

const vxlan4789: Vector = {
  name: 'VXLAN on 4789, VNI 4096, inner Ethernet+IPv4+ICMP',
  decoder: 'vxlan',
  linkType: LINKTYPE.ETHERNET,
  bytes: vxlanFrame(hex`
    # UDP ports: 54321 > 4789
    d4 31 12 b5
  `),
  expect: { layers: vxlanLayers(54321, 4789), status: 'ok', tunnels: [{ layer: 3, mode: 'vxlan', id: 4096 }] },
};

const vxlan8472Configured: Vector = {
  name: 'VXLAN on 8472 with vxlanPorts [4789, 8472]',
  decoder: 'vxlan',
  linkType: LINKTYPE.ETHERNET,
  options: { vxlanPorts: [4789, 8472] },
  bytes: vxlanFrame(hex`
    # UDP ports: 54321 > 8472 (Linux / flannel default)
    d4 31 21 18
  `),
  expect: { layers: vxlanLayers(54321, 8472), status: 'ok', tunnels: [{ layer: 3, mode: 'vxlan', id: 4096 }] },
};

const vxlan8472Default: Vector = {
  name: 'VXLAN on 8472 with default ports stays plain UDP',
  decoder: 'vxlan',
  linkType: LINKTYPE.ETHERNET,
  bytes: vxlan8472Configured.bytes,
  expect: { layers: vxlanLayers(54321, 8472).slice(0, 3), status: 'ok' },
};

const vxlanSrcPort: Vector = {
  name: 'VXLAN recognised on the source port (4789 > 40000)',
  decoder: 'vxlan',
  linkType: LINKTYPE.ETHERNET,
  bytes: vxlanFrame(hex`
    # UDP ports: 4789 > 40000
    12 b5 9c 40
  `),
  expect: { layers: vxlanLayers(4789, 40000), status: 'ok', tunnels: [{ layer: 3, mode: 'vxlan', id: 4096 }] },
};

const vxlanInIpip: Vector = {
  name: 'nested: VXLAN inside IPIP',
  decoder: 'vxlan',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outermost: len 106, id 7, DF, ttl 64, proto 4 (IPIP), csum 0, 192.0.2.1 > 192.0.2.2
    45 00 00 6a 00 07 40 00 40 04 00 00 c0 00 02 01 c0 00 02 02
    # IPv4 VXLAN underlay: len 86, id 2, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 56 00 02 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: 54321 > 4789, len 66, csum 0
    d4 31 12 b5 00 42 00 00
    # VXLAN: flags 0x08, VNI 4096
    08 00 00 00  00 10 00 00
    ${podEth}
    ${podPing4}
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2', protocol: 4, totalLength: 106 },
      { proto: 'ipip', innerVersion: 4, offset: 34 },
      { proto: 'ipv4', src: '172.16.10.11', dst: '172.16.10.12', protocol: 17 },
      { proto: 'udp', dstPort: 4789 },
      { proto: 'vxlan', vni: 4096 },
      podEthLayer,
      ...ping4Layers(),
    ],
    status: 'ok',
    tunnels: [
      { layer: 2, mode: 'ipip', id: -1 },
      { layer: 5, mode: 'vxlan', id: 4096 },
    ],
  },
};

// ---------------------------------------------------------------------------
// Geneve.

const geneveOptions: Vector = {
  name: 'Geneve with 8 bytes of options, VNI 7, inner Ethernet',
  decoder: 'geneve',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 94, id 3, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 5e 00 03 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: 54321 > 6081, len 74, csum 0
    d4 31 17 c1 00 4a 00 00
    # Geneve: ver 0, opt len 2 (8 bytes), flags 0, protocol 0x6558 (Ethernet), VNI 7, reserved
    02 00 65 58  00 00 07 00
    # option: class 0x0104, type 0x01, len 1 (4 bytes of data): 0x0000002a
    01 04 01 01  00 00 00 2a
    ${podEth}
    ${podPing4}
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', protocol: 17, totalLength: 94 },
      { proto: 'udp', srcPort: 54321, dstPort: 6081, udpLength: 74 },
      { proto: 'geneve', vni: 7, protocolType: 0x6558, optionsLength: 8, length: 16, offset: 42 },
      { ...podEthLayer, offset: 58 },
      ...ping4Layers(),
    ],
    status: 'ok',
    tunnels: [{ layer: 3, mode: 'geneve', id: 7 }],
  },
};

const geneveBareIpv4: Vector = {
  name: 'Geneve carrying bare IPv4 (protocol 0x0800, GCP style)',
  decoder: 'geneve',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 72, id 4, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 48 00 04 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: 54321 > 6081, len 52, csum 0
    d4 31 17 c1 00 34 00 00
    # Geneve: ver 0, opt len 0, flags 0, protocol 0x0800 (IPv4), VNI 0x123456, reserved
    00 00 08 00  12 34 56 00
    ${podPing4}
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', protocol: 17 },
      { proto: 'udp', dstPort: 6081, udpLength: 52 },
      { proto: 'geneve', vni: 0x123456, protocolType: 0x0800, optionsLength: 0, length: 8 },
      ...ping4Layers(),
    ],
    status: 'ok',
    tunnels: [{ layer: 3, mode: 'geneve', id: 0x123456 }],
  },
};

// ---------------------------------------------------------------------------
// GRE.

const greCksKeySeq: Vector = {
  name: 'GRE with checksum, key 1001 and sequence 5 carrying IPv4',
  decoder: 'gre',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 72, id 4, DF, ttl 64, proto 47 (GRE), csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 48 00 04 40 00 40 2f 00 00 ac 10 0a 0b ac 10 0a 0c
    # GRE: flags C|K|S (0xb0), version 0, protocol 0x0800
    b0 00  08 00
    # checksum 0 (not checked), reserved1
    00 00  00 00
    # key 1001
    00 00 03 e9
    # sequence number 5
    00 00 00 05
    ${podPing4}
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', protocol: 47 },
      { proto: 'gre', version: 0, protocolType: 0x0800, key: 1001, seq: 5, length: 16, offset: 34 },
      { ...ping4Layers()[0]!, offset: 50 },
      ping4Layers()[1]!,
    ],
    status: 'ok',
    tunnels: [{ layer: 2, mode: 'gre', id: 1001 }],
  },
};

const greEthernet: Vector = {
  name: 'GRE key 100 carrying 0x6558 (transparent Ethernet)',
  decoder: 'gre',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 78, id 5, DF, ttl 64, proto 47 (GRE), csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 4e 00 05 40 00 40 2f 00 00 ac 10 0a 0b ac 10 0a 0c
    # GRE: flags K (0x20), version 0, protocol 0x6558 (transparent Ethernet bridging)
    20 00  65 58
    # key 100
    00 00 00 64
    ${podEth}
    ${podPing4}
  `,
  expect: {
    layers: [
      nodeEth(),
      { proto: 'ipv4', protocol: 47 },
      { proto: 'gre', version: 0, protocolType: 0x6558, key: 100, seq: -1, length: 8 },
      { ...podEthLayer, offset: 42 },
      ...ping4Layers(),
    ],
    status: 'ok',
    tunnels: [{ layer: 2, mode: 'gre', id: 100 }],
  },
};

const grePptp: Vector = {
  name: 'GRE version 1 (PPTP) stops at PPP',
  decoder: 'gre',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 40, id 6, DF, ttl 64, proto 47 (GRE), csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 28 00 06 40 00 40 2f 00 00 ac 10 0a 0b ac 10 0a 0c
    # enhanced GRE: flags K|S (0x30), A (0x80) + version 1, protocol 0x880b (PPP)
    30 81  88 0b
    # key: payload length 4, call id 42
    00 04  00 2a
    # sequence number 1
    00 00 00 01
    # acknowledgment number 0
    00 00 00 00
    # PPP: address 0xff, control 0x03, protocol 0x0021 (IPv4)
    ff 03 00 21
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', protocol: 47 }, { proto: 'gre', version: 1, protocolType: 0x880b, key: 42, seq: 1, length: 16 }],
    status: 'ok',
    stop: { kind: 'ethertype', value: 0x880b },
    // The tunnel id is left to the "known bugs" test in decoder.test.ts (should be the call ID).
    tunnels: [{ layer: 2, mode: 'gre' }],
  },
};

// ---------------------------------------------------------------------------
// WireGuard (recognised only).

const wgInitiation: Vector = {
  name: 'WireGuard type 1 handshake initiation on 51820',
  decoder: 'wireguard',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 176, id 3, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 b0 00 03 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: 51820 > 51820, len 156, csum 0
    ca 6c ca 6c 00 9c 00 00
    # WireGuard: type 1, reserved 000000, sender index 0x11223344 (little-endian)
    01 00 00 00  44 33 22 11
    # unencrypted_ephemeral (32), encrypted_static (48), encrypted_timestamp (28), mac1 (16), mac2 (16)
    ${fill(32, 0xe1)}
    ${fill(48, 0xe2)}
    ${fill(28, 0xe3)}
    ${fill(16, 0xe4)}
    ${fill(16, 0x00)}
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4' }, { proto: 'udp', srcPort: 51820, dstPort: 51820, udpLength: 156 }, { proto: 'wireguard', type: 1, receiver: 0x11223344, offset: 42 }],
    status: 'ok',
    tunnels: [{ layer: 3, mode: 'wireguard', id: 0x11223344 }],
  },
};

const wgResponse: Vector = {
  name: 'WireGuard type 2 handshake response on 51820',
  decoder: 'wireguard',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:01, src 02:00:00:00:00:02, type 0x0800
    02 00 00 00 00 01  02 00 00 00 00 02  08 00
    # IPv4: len 120, id 3, DF, ttl 64, proto 17, csum 0, 172.16.10.12 > 172.16.10.11
    45 00 00 78 00 03 40 00 40 11 00 00 ac 10 0a 0c ac 10 0a 0b
    # UDP: 51820 > 51820, len 100, csum 0
    ca 6c ca 6c 00 64 00 00
    # WireGuard: type 2, reserved, sender index 0x55667788, receiver index 0x11223344 (little-endian)
    02 00 00 00  88 77 66 55  44 33 22 11
    # unencrypted_ephemeral (32), encrypted_nothing (16), mac1 (16), mac2 (16)
    ${fill(32, 0xe5)}
    ${fill(16, 0xe6)}
    ${fill(16, 0xe7)}
    ${fill(16, 0x00)}
  `,
  expect: {
    layers: [nodeEthBack(), { proto: 'ipv4' }, { proto: 'udp', udpLength: 100 }, { proto: 'wireguard', type: 2, receiver: 0x11223344 }],
    status: 'ok',
    tunnels: [{ layer: 3, mode: 'wireguard', id: 0x11223344 }],
  },
};

const wgCookie: Vector = {
  name: 'WireGuard type 3 cookie reply on 51820',
  decoder: 'wireguard',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:01, src 02:00:00:00:00:02, type 0x0800
    02 00 00 00 00 01  02 00 00 00 00 02  08 00
    # IPv4: len 92, id 4, DF, ttl 64, proto 17, csum 0, 172.16.10.12 > 172.16.10.11
    45 00 00 5c 00 04 40 00 40 11 00 00 ac 10 0a 0c ac 10 0a 0b
    # UDP: 51820 > 51820, len 72, csum 0
    ca 6c ca 6c 00 48 00 00
    # WireGuard: type 3, reserved, receiver index 0x11223344 (little-endian)
    03 00 00 00  44 33 22 11
    # nonce (24), encrypted_cookie (32)
    ${fill(24, 0xe8)}
    ${fill(32, 0xe9)}
  `,
  expect: {
    layers: [nodeEthBack(), { proto: 'ipv4' }, { proto: 'udp', udpLength: 72 }, { proto: 'wireguard', type: 3, receiver: 0x11223344 }],
    status: 'ok',
    tunnels: [{ layer: 3, mode: 'wireguard', id: 0x11223344 }],
  },
};

const wgData: Vector = {
  name: 'WireGuard type 4 transport data (keepalive) on 51820',
  decoder: 'wireguard',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 60, id 5, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 3c 00 05 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: 51820 > 51820, len 40, csum 0
    ca 6c ca 6c 00 28 00 00
    # WireGuard: type 4, reserved, receiver index 0x55667788 (little-endian), counter 5 (little-endian)
    04 00 00 00  88 77 66 55  05 00 00 00 00 00 00 00
    # encrypted empty packet: Poly1305 tag only (16)
    ${fill(16, 0xea)}
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4' }, { proto: 'udp', udpLength: 40 }, { proto: 'wireguard', type: 4, receiver: 0x55667788 }],
    status: 'ok',
    tunnels: [{ layer: 3, mode: 'wireguard', id: 0x55667788 }],
  },
};

const wgPortNotWireguard: Vector = {
  name: 'non-WireGuard payload on 51820 stays plain UDP',
  decoder: 'wireguard',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 36, id 6, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 24 00 06 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: 40000 > 51820, len 16, csum 0
    9c 40 ca 6c 00 10 00 00
    # payload "hello wg": type byte 0x68 is no WireGuard message
    68 65 6c 6c 6f 20 77 67
  `,
  expect: { layers: [nodeEth(), { proto: 'ipv4' }, { proto: 'udp', srcPort: 40000, dstPort: 51820, udpLength: 16 }], status: 'ok' },
};

// ---------------------------------------------------------------------------
// Tunnel depth.

/** podPing4 wrapped in `depth` IPIP headers (172.16.<level>.1 > 172.16.<level>.2), for LINKTYPE_RAW. */
export function ipipNest(depth: number): Uint8Array {
  let pkt = podPing4;
  for (let level = depth; level >= 1; level--) {
    const outer = hex`
      # IPv4: v4 ihl5, tos 0, len (set below), id 1, DF, ttl 64, proto 4 (IPIP), csum 0, 172.16.L.1 > 172.16.L.2
      45 00 00 00 00 01 40 00 40 04 00 00 ac 10 00 01 ac 10 00 02
    `;
    const len = outer.length + pkt.length;
    outer[2] = len >>> 8;
    outer[3] = len & 0xff;
    outer[14] = level;
    outer[18] = level;
    pkt = concat(outer, pkt);
  }
  return pkt;
}

function nestLayers(tunnels: number): LayerExpect[] {
  const out: LayerExpect[] = [];
  for (let level = 1; level <= tunnels; level++) {
    out.push({ proto: 'ipv4', src: `172.16.${level}.1`, dst: `172.16.${level}.2`, protocol: 4, offset: (level - 1) * 20 });
    out.push({ proto: 'ipip', innerVersion: 4, offset: level * 20 });
  }
  return out;
}

const depthAtCap: Vector = {
  name: `exactly MAX_TUNNEL_DEPTH (${MAX_TUNNEL_DEPTH}) nested IPIP headers decode`,
  decoder: 'tunnels',
  linkType: LINKTYPE.RAW,
  bytes: ipipNest(MAX_TUNNEL_DEPTH),
  expect: {
    layers: [...nestLayers(MAX_TUNNEL_DEPTH), ...ping4Layers()],
    status: 'ok',
    tunnels: Array.from({ length: MAX_TUNNEL_DEPTH }, (_, t) => ({ layer: 2 * t + 1, mode: 'ipip' as const, id: -1 })),
  },
};

const depthOverCap: Vector = {
  name: `MAX_TUNNEL_DEPTH + 1 nested IPIP headers stop as unsupported`,
  decoder: 'tunnels',
  linkType: LINKTYPE.RAW,
  bytes: ipipNest(MAX_TUNNEL_DEPTH + 1),
  expect: {
    // The ninth marker is taken back: the stack holds MAX_TUNNEL_DEPTH entries and the
    // ninth tunnel's outer IPv4 header is the last layer.
    layers: [...nestLayers(MAX_TUNNEL_DEPTH), { proto: 'ipv4', src: `172.16.${MAX_TUNNEL_DEPTH + 1}.1`, protocol: 4 }],
    status: 'unsupported',
    issue: 'tunnel.max_depth_exceeded',
    issueOffset: (MAX_TUNNEL_DEPTH + 1) * 20,
    tunnels: Array.from({ length: MAX_TUNNEL_DEPTH }, (_, t) => ({ layer: 2 * t + 1, mode: 'ipip' as const, id: -1 })),
  },
};

// ---------------------------------------------------------------------------
// Damage: truncated (cut by the capture) versus malformed (cut by a length field).

const snaplenPayload: Vector = {
  name: 'snaplen cut in the TCP payload (capLen 62 < wireLen 1514)',
  decoder: 'frame',
  linkType: LINKTYPE.ETHERNET,
  wireLen: 1514,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 1500, id 12, DF, ttl 64, proto 6, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 05 dc 00 0c 40 00 40 06 00 00 0a f4 01 02 0a f4 02 43
    # TCP: 43210 > 443, seq 1, ack 1, data offset 5, ACK, window 501
    a8 ca 01 bb  00 00 00 01  00 00 00 01  50 10 01 f5  00 00 00 00
    # first 8 of 1460 payload bytes (the capture stops here)
    ${fill(8, 0x62)}
  `,
  expect: {
    // The TCP payload as sent (the IP header's 1480 less the 20-byte TCP header), not the 8 kept.
    layers: [nodeEth(), { proto: 'ipv4', totalLength: 1500, payloadLength: 1480 }, { proto: 'tcp', flags: 0x10, payloadLength: 1460 }],
    status: 'truncated',
    issue: 'frame.snaplen',
    issueOffset: 62,
  },
};

const snaplenInnerHeader: Vector = {
  name: 'snaplen cut inside the inner IPv4 header of a VXLAN frame',
  decoder: 'frame',
  linkType: LINKTYPE.ETHERNET,
  wireLen: vxlan4789.bytes.length,
  // The VXLAN vector's first 74 bytes: headers up to the inner Ethernet, then 10 of 20 inner IPv4 bytes.
  bytes: vxlan4789.bytes.slice(0, 74),
  expect: {
    layers: vxlanLayers(54321, 4789).slice(0, 5),
    status: 'truncated',
    issue: 'ipv4.truncated_header',
    issueOffset: 64,
    tunnels: [{ layer: 3, mode: 'vxlan', id: 4096 }],
  },
};

// A frame whose headers run past its end when nothing was cut (capLen = wireLen): the frame was
// that short on the wire, so a bigger snap length would not help. Malformed, as tshark marks it
// ("Malformed Packet": past the reported length, not only the captured one).
const runtFrame: Vector = {
  name: 'a frame shorter on the wire than its IPv4 header (capLen = wireLen): malformed, not truncated',
  decoder: 'frame',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # the first 10 of the IPv4 header's 20 bytes, and the frame ends
    45 00 00 54 00 0f 40 00 40 01
  `,
  expect: {
    layers: [nodeEth()],
    status: 'malformed',
    issue: 'ipv4.truncated_header',
    issueOffset: 14,
  },
};

const ipNoRoomForTcp: Vector = {
  name: 'IPv4 of total length 20 with protocol TCP, the frame ending with it: malformed (tcpdump [|tcp])',
  decoder: 'tcp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 20 (no payload), id 16, DF, ttl 64, proto 6, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 14 00 10 40 00 40 06 00 00 0a f4 01 02 0a f4 02 43
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', totalLength: 20, payloadLength: 0 }],
    status: 'malformed',
    issue: 'tcp.truncated_header',
    issueOffset: 34,
  },
};

const udpLengthExceedsIp: Vector = {
  name: 'UDP length 100 larger than the IP payload is malformed',
  decoder: 'udp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 32, id 13, DF, ttl 64, proto 17, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 20 00 0d 40 00 40 11 00 00 0a f4 01 02 0a f4 02 43
    # UDP: 40000 > 53, len 100 (only 12 in the datagram), csum 0
    9c 40 00 35 00 64 00 00
    64 6e 73 3f
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', totalLength: 32 }, { proto: 'udp', udpLength: 100 }],
    status: 'malformed',
    issue: 'udp.length_exceeds_ip',
  },
};

const ipLengthCutsTcp: Vector = {
  name: 'IPv4 total length 24 cuts the TCP header: malformed, not truncated',
  decoder: 'tcp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 24 (4 bytes of payload claimed), id 14, DF, ttl 64, proto 6, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 18 00 0e 40 00 40 06 00 00 0a f4 01 02 0a f4 02 43
    # TCP header (20 bytes captured, but outside the IP datagram)
    a8 ca 01 bb  00 00 00 01  00 00 00 01  50 10 01 f5  00 00 00 00
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', totalLength: 24, payloadLength: 4 }],
    status: 'malformed',
    issue: 'tcp.truncated_header',
    issueOffset: 34,
  },
};

const vxlanUdpCutsInner: Vector = {
  name: 'VXLAN whose UDP length cuts the inner Ethernet header: malformed',
  decoder: 'vxlan',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 86, id 2, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 56 00 02 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: 54321 > 4789, len 20 (VXLAN header + 4 bytes), csum 0
    d4 31 12 b5 00 14 00 00
    # VXLAN: flags 0x08, VNI 4096
    08 00 00 00  00 10 00 00
    ${podEth}
    ${podPing4}
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4' }, { proto: 'udp', udpLength: 20 }, { proto: 'vxlan', vni: 4096 }],
    status: 'malformed',
    issue: 'eth.truncated_header',
    issueOffset: 50,
    tunnels: [{ layer: 3, mode: 'vxlan', id: 4096 }],
  },
};

const ipv4BadVersion: Vector = {
  name: 'IPv4 EtherType with version 5 is malformed',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # "IPv4" with version 5, ihl 5
    55 00 00 14 00 00 40 00 40 01 00 00 0a f4 01 02 0a f4 02 43
  `,
  expect: { layers: [nodeEth()], status: 'malformed', issue: 'ipv4.bad_version', issueOffset: 14 },
};

const ipv4BadIhl: Vector = {
  name: 'IPv4 with IHL 3 (12 bytes) is malformed',
  decoder: 'ipv4',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: version 4, ihl 3 (below the 5-word minimum)
    43 00 00 14 00 00 40 00 40 01 00 00 0a f4 01 02 0a f4 02 43
  `,
  expect: { layers: [nodeEth()], status: 'malformed', issue: 'ipv4.bad_ihl', issueOffset: 14 },
};

// ---------------------------------------------------------------------------
// More paths: quoted TCP, IPv6 jumbo, GRE-in-UDP, IPv6 underlay, UDP length 0 over IPv4.

const icmpTimeExceededTcp: Vector = {
  name: 'ICMP time exceeded quoting IPv4+TCP (8 bytes of TCP)',
  decoder: 'icmp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:01, src 02:00:00:00:00:02, type 0x0800
    02 00 00 00 00 01  02 00 00 00 00 02  08 00
    # IPv4: len 56, id 7, ttl 64, proto 1, csum 0, 172.16.10.1 > 10.244.1.2
    45 00 00 38 00 07 00 00 40 01 00 00 ac 10 0a 01 0a f4 01 02
    # ICMP: type 11 (time exceeded), code 0 (ttl), csum 0, unused
    0b 00 00 00  00 00 00 00
    # quoted IPv4: len 60, id 0, DF, ttl 1, proto 6, csum 0, 10.244.1.2 > 10.244.2.67
    45 00 00 3c 00 00 40 00 01 06 00 00 0a f4 01 02 0a f4 02 43
    # quoted TCP, first 8 bytes: 43210 > 443, seq 0x01020304
    a8 ca 01 bb  01 02 03 04
  `,
  expect: {
    layers: [
      nodeEthBack(),
      { proto: 'ipv4', src: '172.16.10.1', dst: '10.244.1.2', protocol: 1 },
      { proto: 'icmp', type: 11, code: 0, mtu: -1, echoId: -1 },
      { proto: 'ipv4', src: '10.244.1.2', dst: '10.244.2.67', ttl: 1, protocol: 6, quoted: true },
      { proto: 'tcp', srcPort: 43210, dstPort: 443, seq: 0x01020304, length: 8, offset: 62, quoted: true },
    ],
    status: 'ok',
  },
};

const ipv6BigTcp: Vector = {
  name: 'BIG TCP IPv6 with payload length 0',
  decoder: 'ipv6',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x86dd
    02 00 00 00 00 02  02 00 00 00 00 01  86 dd
    # IPv6: payload len 0 (super-packet: runs to the end of the frame), next header 6, hop limit 64
    60 00 00 00  00 00 06 40
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 12
    # TCP: 43210 > 443, seq 1, ack 1, data offset 5, ACK, window 501
    a8 ca 01 bb  00 00 00 01  00 00 00 01  50 10 01 f5  00 00 00 00
    # payload (16)
    ${fill(16, 0x63)}
  `,
  expect: {
    layers: [nodeEth(0x86dd), { proto: 'ipv6', nextHeader: 6, totalLength: 40, payloadLength: 36 }, { proto: 'tcp', payloadLength: 16 }],
    status: 'ok',
    issue: 'ipv6.zero_payload_length',
    issueOffset: 14,
  },
};

const greInUdp: Vector = {
  name: 'GRE-in-UDP (RFC 8086, port 4754) carrying IPv4',
  decoder: 'gre',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4 outer: len 68, id 8, DF, ttl 64, proto 17, csum 0, 172.16.10.11 > 172.16.10.12
    45 00 00 44 00 08 40 00 40 11 00 00 ac 10 0a 0b ac 10 0a 0c
    # UDP: 54321 > 4754, len 48, csum 0
    d4 31 12 92 00 30 00 00
    # GRE: no flags, version 0, protocol 0x0800
    00 00 08 00
    ${podPing4}
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4' }, { proto: 'udp', dstPort: 4754, udpLength: 48 }, { proto: 'gre', version: 0, protocolType: 0x0800, key: -1, seq: -1, length: 4 }, ...ping4Layers()],
    status: 'ok',
    tunnels: [{ layer: 3, mode: 'gre', id: -1 }],
  },
};

const vxlanOverIpv6: Vector = {
  name: 'VXLAN over an IPv6 underlay',
  decoder: 'vxlan',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x86dd
    02 00 00 00 00 02  02 00 00 00 00 01  86 dd
    # IPv6 outer: payload len 66, next header 17, hop limit 64, 2001:db8::11 > 2001:db8::12
    60 00 00 00  00 42 11 40
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 12
    # UDP: 54321 > 4789, len 66, csum 0
    d4 31 12 b5 00 42 00 00
    # VXLAN: flags 0x08, VNI 4096
    08 00 00 00  00 10 00 00
    ${podEth}
    ${podPing4}
  `,
  expect: {
    layers: [
      nodeEth(0x86dd),
      { proto: 'ipv6', src: '2001:db8::11', dst: '2001:db8::12', nextHeader: 17 },
      { proto: 'udp', dstPort: 4789, udpLength: 66, offset: 54 },
      { proto: 'vxlan', vni: 4096, offset: 62 },
      podEthLayer,
      ...ping4Layers(),
    ],
    status: 'ok',
    tunnels: [{ layer: 3, mode: 'vxlan', id: 4096 }],
  },
};

const udpZeroLengthIpv4: Vector = {
  name: 'UDP length 0 over IPv4 (not a jumbogram) is malformed',
  decoder: 'udp',
  linkType: LINKTYPE.ETHERNET,
  bytes: hex`
    # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
    02 00 00 00 00 02  02 00 00 00 00 01  08 00
    # IPv4: len 32 (a definite length: no super-packet), id 15, DF, ttl 64, proto 17, csum 0
    45 00 00 20 00 0f 40 00 40 11 00 00 0a f4 01 02 0a f4 02 43
    # UDP: 40000 > 53, len 0 (below the 8-byte minimum), csum 0
    9c 40 00 35 00 00 00 00
    64 6e 73 3f
  `,
  expect: {
    layers: [nodeEth(), { proto: 'ipv4', totalLength: 32 }, { proto: 'udp', udpLength: 0 }],
    status: 'malformed',
    issue: 'udp.bad_length',
    issueOffset: 42,
  },
};

export const VECTORS: readonly Vector[] = [
  ethIcmpEcho,
  vlan8021q,
  qinq,
  ethLlc,
  ethLldp,
  arpRequest,
  sllIncoming,
  sllOutgoing,
  sll2Outgoing,
  sll2IncomingIpip,
  raw101v4,
  raw101v6,
  raw12v4,
  raw228,
  raw229,
  rawBadVersion,
  nullLe,
  nullBe,
  nullAf24,
  nullAf28,
  nullAf30Be,
  loopV4,
  loopV6,
  unsupportedLink,
  ipv4Options,
  ipv4FragFirstUdp,
  ipv4FragFirstIcmp,
  ipv4FragMiddle,
  ipv4FragLast,
  ipv4UnknownProto,
  ipv6ExtHeaders,
  ipv6FragNonFirst,
  ipv6FragFirstUdp,
  udpPlain,
  tcpSynMss,
  tcpAckMss,
  bigTcp,
  icmpFragNeeded,
  icmpv6TooBig,
  ipipCalico,
  sixIn4,
  fourIn6,
  sixIn6,
  vxlan4789,
  vxlan8472Configured,
  vxlan8472Default,
  vxlanSrcPort,
  vxlanInIpip,
  geneveOptions,
  geneveBareIpv4,
  greCksKeySeq,
  greEthernet,
  grePptp,
  wgInitiation,
  wgResponse,
  wgCookie,
  wgData,
  wgPortNotWireguard,
  depthAtCap,
  depthOverCap,
  snaplenPayload,
  snaplenInnerHeader,
  runtFrame,
  ipNoRoomForTcp,
  udpLengthExceedsIp,
  ipLengthCutsTcp,
  vxlanUdpCutsInner,
  ipv4BadVersion,
  ipv4BadIhl,
  icmpTimeExceededTcp,
  ipv6BigTcp,
  greInUdp,
  vxlanOverIpv6,
  udpZeroLengthIpv4,
];

/** Vectors other tests assert more about. */
export const V = {
  ethIcmpEcho,
  vlan8021q,
  qinq,
  sllIncoming,
  sll2Outgoing,
  sll2IncomingIpip,
  ipv6ExtHeaders,
  ipv6FragNonFirst,
  ipv4FragFirstUdp,
  bigTcp,
  icmpFragNeeded,
  icmpv6TooBig,
  ipipCalico,
  fourIn6,
  vxlan4789,
  vxlanInIpip,
  geneveOptions,
  greCksKeySeq,
  wgData,
  grePptp,
  vxlanOverIpv6,
  depthOverCap,
  snaplenPayload,
} as const;
