/**
 * Every place where podpath may legitimately read a corpus capture
 * differently from TShark 4.0.17, each scoped to a file, its frames and its
 * columns, with the exact shape of the difference and why. Anything not
 * listed here is a failure; an entry that no longer excuses anything is a
 * failure too (so fixing podpath, or a new oracle, forces this table to
 * shrink).
 *
 * Rules (see compare.ts): 'podpath-prefix' = TShark decodes further in than
 * podpath (its list is podpath's plus more, innermost last); 'tshark-prefix'
 * = podpath decodes further in than TShark; 'podpath-value' = podpath's cell
 * is exactly the given value.
 */
import type { FileExceptions, Justification } from './compare.js';

const IPV4_LIST = ['ip.src', 'ip.dst', 'ip.proto', 'ip.version', 'ip.hdr_len', 'ip.len', 'ip.id', 'ip.flags.mf', 'ip.frag_offset'];
const IPV6_LIST = ['ipv6.src', 'ipv6.dst', 'ip.version'];
const UDP_PORTS = ['udp.srcport', 'udp.dstport'];
const ETH = ['eth.src', 'eth.dst'];

/** TShark frames that are not packets: TShark 4.0 lists pcapng custom blocks as 'data' frames (MANIFEST caveat 6). */
export const NON_PACKET_FRAMES: Record<string, FileExceptions> = {
  'formats/gopacket-le-test202-mixed-endian-sections.pcapng': {
    tsharkOnlyFrames: [1, 7, 10],
    reason: 'custom blocks (0x0BAD / 0x40000BAD) numbered as frames by TShark 4.0; capinfos and podpath count 8 packets',
  },
  'formats/gopacket-le-test017-custom-blocks-only.pcapng': {
    tsharkOnlyFrames: [1, 2, 3, 4],
    reason: 'four custom blocks and no IDB: TShark 4.0 lists 4 data frames, capinfos and podpath 0 packets',
  },
};

export const JUSTIFIED: readonly Justification[] = [
  // ---- Timestamps the container does not have
  {
    file: 'formats/gopacket-le-test010-spb.pcapng',
    oracles: ['layers'],
    frames: [1, 2, 3, 4],
    columns: ['frame.time_epoch'],
    rule: { kind: 'podpath-value', value: '0.000000000' },
    reason: 'Simple Packet Blocks carry no timestamp: TShark prints none, podpath\'s record says 0 (the epoch)',
  },
  {
    file: 'formats/gopacket-le-test100.pcapng',
    oracles: ['layers'],
    frames: [1, 3],
    columns: ['frame.time_epoch'],
    rule: { kind: 'podpath-value', value: '0.000000000' },
    reason: 'frames 1 and 3 are Simple Packet Blocks (no timestamp; podpath says 0)',
  },
  {
    file: 'formats/gopacket-le-test202-mixed-endian-sections.pcapng',
    oracles: ['layers'],
    frames: [5, 8],
    columns: ['frame.time_epoch'],
    rule: { kind: 'podpath-value', value: '0.000000000' },
    reason: 'TShark frames 5 and 8 are Simple Packet Blocks (no timestamp; podpath says 0)',
  },

  // ---- pcapng sections
  {
    file: 'formats/gopacket-le-test202-mixed-endian-sections.pcapng',
    oracles: ['layers'],
    frames: [5, 6, 8, 9],
    columns: ['frame.interface_name'],
    rule: { kind: 'podpath-value', value: 'silly ethernet interface 2' },
    reason:
      "these packets are in the second (big-endian) section, whose only IDB is 'silly ethernet interface 2'; pcapng interface ids are per section, but TShark 4.0 resolves them against the first section's IDBs ('eth0')",
  },

  // ---- BIG TCP: TShark stops, podpath goes on (MANIFEST caveat 7)
  {
    file: 'vxlan/bigtcp-ipv4-vxlan-ipv4.pcap',
    frames: [1],
    columns: [...IPV4_LIST.filter((c) => c !== 'ip.len'), 'vxlan.vni', ...ETH],
    rule: { kind: 'tshark-prefix' },
    reason: 'IPv4 total length 0 (BIG TCP): TShark calls the UDP length bogus and stops; podpath takes the payload to the frame end and decodes VXLAN and the inner frame',
  },
  {
    file: 'vxlan/bigtcp-ipv4-vxlan-ipv4.pcap',
    oracles: ['layers'],
    frames: [1],
    columns: ['ip.len'],
    rule: { kind: 'podpath-value', value: '0,0' },
    reason: 'podpath reports the header\'s total length (0, with issue ipv4.zero_total_length) for outer and inner; TShark shows the length it inferred (80102) and only for the outer header',
  },
  {
    file: 'vxlan/bigtcp-ipv6-vxlan-ipv6.pcap',
    frames: [1],
    columns: [...IPV6_LIST, ...UDP_PORTS, 'vxlan.vni', ...ETH],
    rule: { kind: 'tshark-prefix' },
    reason: 'IPv6 payload length 0 (BIG TCP): TShark stops at the UDP header (no ports shown); podpath decodes UDP, VXLAN and the inner IPv6 frame',
  },

  // ---- Encapsulations outside podpath's scope: TShark decodes further in
  {
    file: 'vxlan/nsh-over-vxlan-gpe.pcap',
    frames: [1],
    columns: [...IPV4_LIST, ...UDP_PORTS, 'vxlan.vni'],
    rule: { kind: 'podpath-prefix' },
    reason: 'VXLAN-GPE (UDP 4790) carrying NSH: not VXLAN and not a Kubernetes overlay; podpath stops at the outer UDP header',
  },
  {
    file: 'gre/gre-erspan3-dot1q.pcap',
    frames: [1, 2],
    columns: [...IPV4_LIST, ...ETH, 'vlan.id', 'icmp.type', 'icmp.code'],
    rule: { kind: 'podpath-prefix' },
    reason: 'ERSPAN type III (GRE 0x22eb) is port mirroring, not decoded by podpath: it stops at the GRE header',
  },
  {
    file: 'gre/GrePackets.pcap',
    frames: [6],
    columns: [...IPV4_LIST, ...UDP_PORTS],
    rule: { kind: 'podpath-prefix' },
    reason: 'GREv1 (PPTP) carrying PPP (0x880b): podpath does not decode PPP, so stops at GRE',
  },
  {
    file: 'gre/gre-pptp.pcap',
    frames: [1, 2],
    columns: [...IPV4_LIST, ...UDP_PORTS],
    rule: { kind: 'podpath-prefix' },
    reason: 'GREv1 (PPTP) carrying PPP (0x880b): podpath does not decode PPP, so stops at GRE',
  },
  {
    file: 'gre/wccp_redirect_gre.pcap',
    frames: [1],
    columns: IPV4_LIST,
    rule: { kind: 'podpath-prefix' },
    reason: 'GRE protocol 0x883e is a WCCP redirect header before the IP packet; podpath does not decode WCCP',
  },
  {
    file: 'gre/various_gre.pcap',
    frames: { protocolsContain: ':gre:cmd:' },
    columns: [...IPV4_LIST, 'gre.proto', 'icmp.type', 'icmp.code'],
    rule: { kind: 'podpath-prefix' },
    reason: 'GRE protocol 0x8909 is Cisco MetaData (TrustSec SGT) before the IP packet; podpath does not decode it',
  },
  {
    file: 'misc/Teredo.pcap',
    frames: { protocolsContain: ':teredo:ipv6' },
    columns: [...IPV6_LIST, 'icmpv6.type'],
    rule: { kind: 'podpath-prefix' },
    reason: 'Teredo (IPv6 in UDP 3544) is not a Kubernetes encapsulation; podpath stops at the UDP header',
  },
  {
    file: 'misc/gtp1_gn_normal_incl_fragmentation.pcap',
    frames: 'all',
    columns: IPV4_LIST,
    rule: { kind: 'podpath-prefix' },
    reason: 'GTP-U (UDP 2152) is not decoded by podpath; TShark adds the inner IPv4 header on every frame holding the GTP header (and, reassembling, on last fragments)',
  },

  // ---- .layers.tsv was made with reassembly; podpath decodes frame by frame (MANIFEST caveat 2)
  {
    file: 'gre/erspan-outer-fragmented.pcap',
    oracles: ['layers'],
    frames: { fragment: 'first' },
    columns: [...IPV4_LIST, 'gre.proto'],
    rule: { kind: 'tshark-prefix' },
    reason: 'reassembling, TShark shows only the outer header on a first fragment; podpath decodes the GRE and inner headers the first fragment holds (as .nodefrag.tsv does)',
  },
  {
    file: 'gre/erspan-outer-fragmented.pcap',
    oracles: ['layers'],
    frames: { fragment: 'last' },
    columns: [...IPV4_LIST, 'gre.proto'],
    rule: { kind: 'podpath-prefix' },
    reason: 'reassembling, TShark decodes the whole datagram on its last fragment; podpath does not decode the payload of a non-first fragment (as .nodefrag.tsv does)',
  },
];
