/**
 * The analysis report: plain, JSON-safe data. Its shape is the `--json`
 * contract of `podpath analyze` (schema podpath.report/1): fields may be
 * added, none renamed or removed without a new schema version.
 */

export const REPORT_SCHEMA = 'podpath.report/1';

export type Mode = 'none' | 'ipip' | 'ip6ip' | 'vxlan' | 'geneve' | 'gre' | 'wireguard';

export type Severity = 'error' | 'warning' | 'info';

/** How podpath knows which NIC a path crossed, strongest first. */
export type InterfaceEvidenceSource =
  | 'pcapng-interface-name'
  | 'sll2-ifindex'
  | 'node-address'
  | 'option'
  | 'none';

export interface InterfaceEvidence {
  source: InterfaceEvidenceSource;
  /** The interface this evidence names. */
  interface: string;
  /** In plain words, e.g. "172.16.10.11 is eth1's address in node-a.addrs.json". */
  detail: string;
}

export interface CaptureInfo {
  file: string;
  format: 'pcap' | 'pcapng' | null;
  compressed: boolean;
  packets: number;
  /** Bytes of capture data read (after decompression). */
  bytes: number;
  interfaces: { id: number; name: string | null; linkType: number }[];
  /** Structural damage, when the capture could not be read to its end. */
  error: { code: string; message: string; offset: number; packet: number } | null;
  /**
   * Packets captured short: cut by the snaplen (tcpdump -s). A frame that
   * was shorter than its headers on the wire is malformed, not counted
   * here. Includes headersCutPackets.
   */
  truncatedPackets: number;
  /**
   * Of truncatedPackets, those that end inside a header, decoded only
   * partway. The others lost only payload: a headers-only capture
   * (tcpdump -s 128) has truncatedPackets > 0 and headersCutPackets 0.
   */
  headersCutPackets: number;
  malformedPackets: number;
}

export interface PodPair {
  src: string;
  dst: string;
  packets: number;
}

export interface PathReport {
  /** Stable id within the report, e.g. "p1". */
  id: string;
  mode: Mode;
  /** Node (underlay) addresses; for `none`, the nodes the frames travel between, null when unknown. */
  outerSrc: string | null;
  outerDst: string | null;
  /** Node names from node address files, when known. */
  srcNode: string | null;
  dstNode: string | null;
  /** For `none` paths (and as extra evidence elsewhere): the Ethernet addresses. */
  srcMac: string | null;
  dstMac: string | null;
  /** The underlay NIC that carried it, null when no evidence names one. */
  interface: string | null;
  /** The underlay subnet (from the node address file), e.g. "172.16.10.0/24". */
  subnet: string | null;
  interfaceEvidence: InterfaceEvidence[];
  /** The capture(s) the path was seen in. */
  captures: string[];
  /** VXLAN/Geneve VNI, GRE key; null when the mode has none. */
  vni: number | null;
  /** UDP destination port for UDP tunnels. */
  port: number | null;
  packets: number;
  /** Outer IP bytes (IP total lengths of the outer header). */
  bytes: number;
  /** Bytes of encapsulation: outer IP .. inner IP header, summed. */
  encapBytes: number;
  firstTs: number;
  lastTs: number;
  /** Largest outer IP packet (total length) and largest inner one. */
  maxOuterLength: number;
  maxInnerLength: number;
  /** Outer packets with DF set, and outer fragments. */
  dfPackets: number;
  fragmentedPackets: number;
  /** Inner protocol counts: tcp, udp, icmp, other. */
  innerProtocols: Record<string, number>;
  /** Top pod pairs by packets (at most --top-pairs), and how many distinct pairs in all. */
  podPairs: PodPair[];
  podPairCount: number;
  /** True when more distinct pairs were seen than podpath keeps (the count is then a lower bound). */
  podPairsCapped: boolean;
  /** Largest TCP MSS option on the pod SYNs carried (null: no SYN with MSS seen). */
  maxSynMss: number | null;
  /** Pod TCP handshakes started on this path: SYNs sent, how many got no SYN-ACK in the capture, and SYN retransmissions. */
  tcpHandshakes: { started: number; unanswered: number; synRetransmissions: number };
  /** Pod TCP data segments sent again on this path (their sequence range had been sent before). */
  tcpRetransmissions: number;
  /** Checksums verified on the first packets of the path (outer UDP, inner TCP/UDP), and the bad ones by direction as captured. */
  checksums: { checked: number; badReceived: number; badSent: number; badDirectionUnknown: number };
  /** Round-trip times of ICMP echo requests carried on this path (pings), null when none were answered. */
  icmpRtt: RttSummary | null;
  /** A few frame numbers, for looking the packets up in Wireshark. */
  exampleFrames: { capture: string; frame: number }[];
}

export interface RttSummary {
  samples: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface NodeReport {
  ip: string;
  name: string | null;
  /** This node's NICs that carried pod traffic (the NIC owning its tunnel/node address; needs its node address file). */
  interfaces: string[];
  /** All underlay NICs with addresses in the node's address file (empty without one). */
  underlayInterfaces: string[];
  /** Pod address blocks behind the node (Calico IPAM /26 by default), e.g. "10.244.1.0/26". */
  podBlocks: string[];
  /** Pod addresses seen behind the node (capped). */
  podAddressCount: number;
  /** tunl0 / vxlan.calico addresses: from the node's address file, or seen as the inner source of host-originated tunnel traffic. */
  tunnelAddresses: string[];
  macs: string[];
  /** The underlay subnet of the node address (from its node address file), null when unknown. */
  subnet: string | null;
}

export interface Finding {
  severity: Severity;
  code: string;
  message: string;
  /** Paths the finding is about (ids). */
  paths?: string[];
  remedy?: string;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generatedBy: string;
  captures: CaptureInfo[];
  paths: PathReport[];
  nodes: NodeReport[];
  findings: Finding[];
  verdicts: string[];
  /** Options that shaped the analysis (block size, ports, pod CIDRs). */
  options: {
    blockSize: number;
    vxlanPorts: number[];
    podCidrs: string[];
  };
  /** Totals: packets read, pod packets counted, duplicates of pod packets seen on tunnel/veth devices (-i any). */
  totals: {
    packets: number;
    podPackets: number;
    duplicatePodPackets: number;
    nodeTrafficPackets: number;
    otherPackets: number;
    /** Packets that fitted none of podpath's bounded tables (more distinct paths or conversations than it keeps): counted here only. */
    overflowPackets: number;
  };
}
