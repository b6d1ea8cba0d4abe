/** Hand-built reports for tests of what consumes a Report (verify, diff). */
import type { Finding, NodeReport, PathReport, Report } from '../../src/analysis/report.js';

export function makePath(id: string, mode: PathReport['mode'], src: string | null, dst: string | null, iface: string | null = 'eth1', extra: Partial<PathReport> = {}): PathReport {
  return {
    id, mode, outerSrc: src, outerDst: dst, srcNode: null, dstNode: null, srcMac: null, dstMac: null,
    interface: iface, subnet: null, interfaceEvidence: [], captures: ['x.pcap'], vni: null, port: null,
    packets: 100, bytes: 10_000, encapBytes: mode === 'none' ? 0 : 2_000, firstTs: 0, lastTs: 1, maxOuterLength: 1500, maxInnerLength: 1480,
    dfPackets: 0, fragmentedPackets: 0, innerProtocols: {}, podPairs: [], podPairCount: 1, podPairsCapped: false,
    maxSynMss: null, tcpHandshakes: { started: 0, unanswered: 0, synRetransmissions: 0 }, tcpRetransmissions: 0,
    checksums: { checked: 0, badReceived: 0, badSent: 0, badDirectionUnknown: 0 }, icmpRtt: null,
    exampleFrames: [{ capture: 'x.pcap', frame: 1 }], ...extra,
  };
}

export function makeNode(ip: string, extra: Partial<NodeReport> = {}): NodeReport {
  return { ip, name: null, interfaces: [], underlayInterfaces: [], podBlocks: [], podAddressCount: 1, tunnelAddresses: [], macs: [], subnet: null, ...extra };
}

export function makeReport(paths: PathReport[], nodes: NodeReport[] = [], findings: Finding[] = [], file = 'x.pcap'): Report {
  return {
    schema: 'podpath.report/1', generatedBy: 'test',
    captures: [{ file, format: 'pcap', compressed: false, packets: 200, bytes: 1, interfaces: [], error: null, truncatedPackets: 0, headersCutPackets: 0, malformedPackets: 0 }],
    paths, nodes, findings, verdicts: [],
    options: { blockSize: 26, vxlanPorts: [4789], podCidrs: [] },
    totals: { packets: 200, podPackets: 200, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 },
  };
}
