/**
 * What looks wrong, with the evidence and the Calico setting that fixes it.
 * Pure: built paths, nodes and the collector's side tables in, findings out.
 * Codes are stable (they are matched by `diff` and by scripts).
 */
import ipaddr from 'ipaddr.js';
import type { Collector } from './collector.js';
import { ZERO_MAC, type NodeAddrsIndex, type NodeInterface } from './node-addrs.js';
import { plainRef, refRow } from './flow-stats.js';
import { modeLabel } from './modes.js';
import type { Finding, Mode, NodeReport, PathReport } from './report.js';

export interface FindingContext {
  paths: PathReport[];
  nodes: NodeReport[];
  index: NodeAddrsIndex | null;
  collector: Collector;
  captureFiles: string[];
  vxlanPorts: number[];
  statsToPath: StatsPaths;
}

/**
 * The path each of the collector's rows was reported in, by stats reference
 * (flow-stats.ts: path entry e is e, conversation entry e is plainRef(e)).
 */
export class StatsPaths {
  private readonly ofPath: (PathReport | undefined)[] = [];
  private readonly ofPlain: (PathReport | undefined)[] = [];

  set(ref: number, p: PathReport): void {
    (ref >= 0 ? this.ofPath : this.ofPlain)[refRow(ref)] = p;
  }

  get(ref: number): PathReport | undefined {
    return (ref >= 0 ? this.ofPath : this.ofPlain)[refRow(ref)];
  }
}

/** Bytes a tunnel adds to each pod packet (IPv4 underlay). */
export const TUNNEL_OVERHEAD: Record<Mode, number> = {
  none: 0,
  ipip: 20,
  ip6ip: 20,
  vxlan: 50,
  geneve: 50,
  gre: 24,
  wireguard: 60,
};


function end(ip: string | null, name: string | null, mac: string | null): string {
  if (ip) return name ? `${name} (${ip})` : ip;
  return mac ? `MAC ${mac}` : 'an unknown node';
}

function ends(p: PathReport): string {
  return `${end(p.outerSrc, p.srcNode, p.srcMac)} → ${end(p.outerDst, p.dstNode, p.dstMac)}`;
}

function frames(p: PathReport): string {
  const f = p.exampleFrames.slice(0, 3).map((x) => x.frame);
  return f.length ? ` (e.g. frames ${f.join(', ')})` : '';
}

/**
 * The largest frame an Ethernet NIC carries (jumbo frames; 9,216 bytes is the usual switch limit). A
 * captured packet larger than this and than its NICs' MTU was never on a wire as one frame.
 */
export const LARGEST_FRAME = 9216;

/** Whether path p was captured on a loopback device (`lo`: MTU 65,536, its packets are whole): loopback addresses, or Linux's all-zero MACs. */
function onLoopback(p: PathReport): boolean {
  const loop = (ip: string | null): boolean => ip !== null && ipaddr.isValid(ip) && ipaddr.parse(ip).range() === 'loopback';
  return loop(p.outerSrc) || loop(p.outerDst) || (p.srcMac === ZERO_MAC && p.dstMac === ZERO_MAC);
}

/** A segment sent this many times (the first sending and two retransmissions) and never acknowledged is lost, not late. */
export const BLACK_HOLE_SENDS = 3;

const MTU_REMEDY =
  'set the Calico MTU to the underlay MTU minus the tunnel overhead (IPIP 20, VXLAN 50, WireGuard 60 bytes: 1480/1450/1440 on a 1500-byte underlay) in FelixConfiguration (mtuIfacePattern / vxlanMTU / ipipMTU / wireguardMTU) or the calico-config veth_mtu, then restart the pods';

export function networkFindings(ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  const idx = ctx.index;
  /** The NIC that owns address `ip` in the node files. */
  const nicOf = (ip: string | null): NodeInterface | null => (ip && idx ? (idx.ownerOf(ip)?.iface ?? null) : null);
  const mtuOf = (ip: string | null): { mtu: number; nic: string } | null => {
    const nic = nicOf(ip);
    return nic && nic.mtu ? { mtu: nic.mtu, nic: nic.name } : null;
  };

  const offloaded: PathReport[] = [];
  for (const p of ctx.paths) {
    const sender = mtuOf(p.outerSrc);
    const receiver = mtuOf(p.outerDst);
    // Packets no NIC of the path could carry are offload super-packets (capture.offload_superpackets
    // below): they say nothing about the MTU.
    const superPackets = p.maxOuterLength > Math.max(LARGEST_FRAME, sender?.mtu ?? 0, receiver?.mtu ?? 0) && !onLoopback(p);
    if (superPackets) offloaded.push(p);
    // MTU: outer packets larger than the sending NIC's MTU.
    if (!superPackets && sender && p.mode !== 'none' && p.maxOuterLength > sender.mtu) {
      out.push({
        severity: 'warning',
        code: 'mtu.outer_exceeds_underlay',
        message: `${ends(p)}: ${modeLabel(p.mode)} outer packets up to ${p.maxOuterLength} bytes, over the ${sender.mtu}-byte MTU of ${sender.nic}${frames(p)}; on the wire they are fragmented or dropped (a capture on the sending node can also show offload super-packets: check ethtool -k)`,
        paths: [p.id],
        remedy: MTU_REMEDY,
      });
    }
    // ... or larger than the receiving NIC's MTU: dropped on arrival, without an ICMP error.
    if (!superPackets && receiver && p.mode !== 'none' && p.maxOuterLength > receiver.mtu && !(sender && p.maxOuterLength > sender.mtu)) {
      out.push({
        severity: 'warning',
        code: 'mtu.outer_exceeds_underlay',
        message: `${ends(p)}: ${modeLabel(p.mode)} outer packets up to ${p.maxOuterLength} bytes, over the ${receiver.mtu}-byte MTU of ${p.dstNode ? `${p.dstNode}'s ` : ''}${receiver.nic}, the receiving NIC: they cannot arrive whole (the nodes' underlay MTUs differ; unless a hop on the way answers with ICMP fragmentation-needed, they vanish silently)`,
        paths: [p.id],
        remedy: `${MTU_REMEDY}, sized for the smallest underlay MTU in the cluster (${receiver.mtu} here); or give all nodes' NICs the same MTU`,
      });
    }
    if (p.fragmentedPackets > 0 && p.mode !== 'none') {
      out.push({
        severity: 'warning',
        code: 'mtu.fragmented_outer',
        message: `${ends(p)}: ${p.fragmentedPackets} ${modeLabel(p.mode)} packets were fragmented on the underlay (first fragments seen; largest outer ${p.maxOuterLength} bytes)${frames(p)}: the pod MTU is larger than the tunnel can carry`,
        paths: [p.id],
        remedy: MTU_REMEDY,
      });
    }
    // MSS: what the pods announce against what the tunnel carries.
    if (p.maxSynMss !== null) {
      const mtu = sender?.mtu ?? 1500;
      const room = mtu - 40 - TUNNEL_OVERHEAD[p.mode];
      if (p.maxSynMss > room) {
        out.push({
          severity: 'warning',
          code: 'mtu.mss_too_large',
          message: `${ends(p)}: pod TCP SYNs announce MSS ${p.maxSynMss}, but ${modeLabel(p.mode)} over a ${mtu}-byte ${sender ? `MTU (${sender.nic})` : 'MTU (assumed: no node address file)'} leaves room for ${room}: full-size segments will not fit the tunnel`,
          paths: [p.id],
          remedy: MTU_REMEDY,
        });
      }
    }
    // TCP handshakes without answers, and the ICMP-works-TCP-does-not pattern.
    const hs = p.tcpHandshakes;
    if (hs.unanswered > 0 && hs.synRetransmissions > 0) {
      out.push({
        severity: 'warning',
        code: 'tcp.syn_retransmissions',
        message: `${ends(p)}: ${hs.unanswered} of ${hs.started} pod TCP handshakes got no SYN-ACK in the capture and SYNs were retransmitted ${hs.synRetransmissions} times (the 1, 2, 4, 8, 16, 32 s ladder: connections hang about 63 s before failing)`,
        paths: [p.id],
        remedy: 'check policies dropping TCP (NetworkPolicy, GlobalNetworkPolicy, host firewalls), tunnel checksum offload (ethtool -K vxlan.calico tx-checksum-ip-generic off) and MTU on the path',
      });
    }
    if (p.icmpRtt && hs.started > 0 && hs.unanswered === hs.started) {
      out.push({
        severity: 'warning',
        code: 'tcp.icmp_ok_tcp_unanswered',
        message: `${ends(p)}: pings through ${p.mode === 'none' ? 'the underlay' : 'the tunnel'} are answered (${p.icmpRtt.samples} replies) but none of ${hs.started} TCP SYNs got an answer`,
        paths: [p.id],
        remedy: 'a policy or firewall that passes ICMP but drops TCP, or broken checksum offload on the tunnel device (ethtool -K vxlan.calico tx-checksum-ip-generic off); compare with a capture on the receiving node',
      });
    }
    // VXLAN specifics.
    if (p.mode === 'vxlan' && p.vni !== null && p.vni !== 4096) {
      out.push({
        severity: 'info',
        code: 'vxlan.non_calico_vni',
        message: `${ends(p)}: VXLAN VNI ${p.vni}, not Calico's default 4096${p.vni === 1 ? ' (flannel uses VNI 1)' : ''}`,
        paths: [p.id],
        remedy: "if this is Calico, check FelixConfiguration vxlanVNI; if another CNI's VXLAN, this is expected",
      });
    }
    if (p.mode === 'vxlan' && p.port !== null && p.port !== 4789) {
      out.push({
        severity: 'info',
        code: 'vxlan.unexpected_port',
        message: `${ends(p)}: VXLAN on UDP ${p.port}${p.port === 8472 ? " (flannel's and the Linux kernel's default)" : ''}, not the IANA port 4789 Calico uses`,
        paths: [p.id],
        remedy: 'if this is Calico, check FelixConfiguration vxlanPort; make sure firewalls between nodes allow this port',
      });
    }
  }

  // MTU black hole: full-size segments sent again and again, never acknowledged, while smaller ones are.
  const holes = new Map<PathReport, { connections: number; most: number; ipLength: number; passed: number; frame: number }>();
  for (const d of ctx.collector.tcpFlows.directions()) {
    const p = ctx.statsToPath.get(d.stats);
    if (!p || d.mostSent < BLACK_HOLE_SENDS || d.mostSentAcked || d.mostSentIpLength < 576) continue;
    const passed = Math.max(d.maxAckedLength, d.peerMaxAckedLength);
    if (passed === 0 || passed >= d.minRetransmittedLength) continue;
    const h = holes.get(p);
    if (!h) holes.set(p, { connections: 1, most: d.mostSent, ipLength: d.mostSentIpLength, passed, frame: d.mostSentFrame });
    else {
      h.connections++;
      h.most = Math.max(h.most, d.mostSent);
      h.ipLength = Math.min(h.ipLength, d.mostSentIpLength);
      h.passed = Math.max(h.passed, passed);
      h.frame = Math.min(h.frame, d.mostSentFrame);
    }
  }
  for (const [p, h] of holes) {
    const outer = p.mode === 'none' ? '' : `, ${h.ipLength + TUNNEL_OVERHEAD[p.mode]} bytes as ${modeLabel(p.mode)}`;
    out.push({
      severity: 'warning',
      code: 'mtu.full_size_segments_lost',
      message: `${ends(p)}: ${h.connections} pod TCP connection${h.connections === 1 ? '' : 's'} sent full-size segments (${h.ipLength}-byte pod packets${outer}) up to ${h.most} times without an acknowledgement, while segments of up to ${h.passed} bytes were acknowledged (e.g. frame ${h.frame} of ${p.captures[0] ?? '?'}): large packets are dropped silently on the way, an MTU black hole`,
      paths: [p.id],
      remedy: `${MTU_REMEDY}; find the hop with the smaller MTU (ip link on both nodes, tracepath to the peer node address) and let ICMP fragmentation-needed (IPv4 type 3 code 4, IPv6 packet-too-big) through firewalls and cloud security groups`,
    });
  }

  // Checksums, one finding per kind across paths: bad on the way out is normal with offload; bad on the way in is not.
  const OFFLOAD = 'ethtool -K vxlan.calico tx-checksum-ip-generic off (the kernel VXLAN offload bug Calico documents) on the sending node; for IPIP check the NIC offloads (ethtool -k)';
  const checked = (ps: PathReport[]): number => ps.reduce((a, p) => a + p.checksums.checked, 0);
  const sumOf = (ps: PathReport[], k: 'badReceived' | 'badSent' | 'badDirectionUnknown'): number => ps.reduce((a, p) => a + p.checksums[k], 0);
  const describePaths = (ps: PathReport[]): string => (ps.length === 1 ? ends(ps[0]!) : `${ps.length} paths`);
  // Received on a veth (its peer in another namespace, as the node file says): the sender's checksum
  // offload had not filled the checksums in yet, and the receiving kernel does not check them.
  const receivedOn = (p: PathReport): NodeInterface | null => nicOf(p.outerDst);
  const VETH_UNFILLED = "a veth hands packets on before the sender's checksum offload fills their checksums in";
  const unfilled = ctx.paths.filter((p) => p.checksums.badReceived > 0 && receivedOn(p)?.veth === true);
  if (unfilled.length > 0) {
    const nics = [...new Set(unfilled.map((p) => receivedOn(p)!.name))].join(', ');
    out.push({
      severity: 'info',
      code: 'checksum.unfilled_on_veth',
      message: `${describePaths(unfilled)}: ${sumOf(unfilled, 'badReceived')} of ${checked(unfilled)} checked packets were received with checksums not filled in, on ${nics}, whose peer is in another network namespace (a veth, as in kind): ${VETH_UNFILLED}, and the receiving kernel does not check them. Normal there`,
      paths: unfilled.map((p) => p.id),
    });
  }
  const received = ctx.paths.filter((p) => p.checksums.badReceived > 0 && !unfilled.includes(p));
  if (received.length > 0) {
    out.push({
      severity: 'warning',
      code: 'checksum.bad_received',
      message: `${describePaths(received)}: ${sumOf(received, 'badReceived')} of ${checked(received)} checked ${[...new Set(received.map((p) => modeLabel(p.mode)))].join('/')} packets were received with bad checksums (outer UDP or inner TCP/UDP): the receiver drops them, unless they were captured on a virtual NIC (a veth, as in kind; virtio between VMs on one host), which hands packets on before the sender's checksum offload has filled their checksums in`,
      paths: received.map((p) => p.id),
      remedy: OFFLOAD,
    });
  }
  const sent = ctx.paths.filter((p) => p.checksums.badSent > 0 && p.checksums.badReceived === 0);
  if (sent.length > 0) {
    out.push({
      severity: 'info',
      code: 'checksum.offload_outgoing',
      message: `${describePaths(sent)}: ${sumOf(sent, 'badSent')} of ${checked(sent)} checked outgoing packets show bad checksums: normal with checksum offload (the NIC fills them in after the capture point)`,
      paths: sent.map((p) => p.id),
    });
  }
  const unknown = ctx.paths.filter((p) => p.checksums.badDirectionUnknown > 0);
  if (unknown.length > 0) {
    // Received on veths (node files), the second reading is as harmless as the first.
    const vethNics = unknown.every((p) => receivedOn(p)?.veth === true) ? [...new Set(unknown.map((p) => receivedOn(p)!.name))] : null;
    const head = `${describePaths(unknown)}: ${sumOf(unknown, 'badDirectionUnknown')} of ${checked(unknown)} checked packets have bad checksums; captured on the sending node that is checksum offload (normal)`;
    const f: Finding = {
      severity: 'info',
      code: 'checksum.bad_direction_unknown',
      message: vethNics
        ? `${head}, and so it is on the receiving node: the receiving NIC (${vethNics.join(', ')}) is a veth, whose peer is in another network namespace, and ${VETH_UNFILLED}`
        : `${head}, on the receiving node it is corruption or an offload bug (a tcpdump -i any or pcapng capture records the direction)`,
      paths: unknown.map((p) => p.id),
    };
    // Nothing to fix when both readings are normal.
    if (!vethNics) f.remedy = OFFLOAD;
    out.push(f);
  }

  // Segmentation and receive offloads: Linux hands tcpdump a TCP stream's segments as one packet of up to
  // 64 KiB before the NIC (or the kernel, past the capture point) cuts it into frames of the MTU, and
  // merges received ones the same way (GRO) before tcpdump sees them.
  if (offloaded.length > 0) {
    const largest = offloaded.reduce((m, p) => Math.max(m, p.maxOuterLength), 0);
    out.push({
      severity: 'info',
      code: 'capture.offload_superpackets',
      message: `${describePaths(offloaded)}: packets up to ${largest} bytes, more than any Ethernet frame carries (jumbo frames end at ${LARGEST_FRAME}): offload super-packets (TSO/GSO on the sending node, GRO/LRO on the receiving one), which the capture saw before the NIC cut them into MTU-sized frames or after the kernel merged them. The packet counts, sizes and overhead of ${offloaded.length === 1 ? 'this path' : 'these paths'} are the kernel's, not the wire's, and their sizes say nothing about the MTU`,
      paths: offloaded.map((p) => p.id),
      remedy: 'nothing to fix; to see the frames as they are on the wire, capture with the offloads off on the captured NIC: ethtool -K <NIC> tso off gso off gro off lro off',
    });
  }

  // Later fragments of tunnel packets carry no tunnel header: they show up as plain IP between nodes.
  let fragTotal = 0;
  for (let e = 0; e < ctx.collector.plain.size; e++) {
    if (!ctx.statsToPath.get(plainRef(e))) fragTotal += ctx.collector.plainStats.tunnelFragments[e]!;
  }
  if (fragTotal > 0 && !out.some((f) => f.code === 'mtu.fragmented_outer')) {
    out.push({
      severity: 'warning',
      code: 'mtu.fragmented_outer',
      message: `${fragTotal} IP fragments of tunnel protocols (IPIP/VXLAN/GRE) between nodes: tunnel packets are being fragmented on the underlay`,
      remedy: MTU_REMEDY,
    });
  }

  // ICMP errors: fragmentation needed / packet too big, grouped by sender and MTU.
  const groups = new Map<string, { n: number; e: (typeof ctx.collector.icmpErrors)[number] }>();
  for (const e of ctx.collector.icmpErrors) {
    const tooBig = (!e.v6 && e.type === 3 && e.code === 4) || (e.v6 && e.type === 2);
    if (!tooBig) continue;
    const k = `${e.from}|${e.mtu}|${e.quotedSrc}|${e.quotedDst}`;
    const g = groups.get(k);
    if (g) g.n++;
    else groups.set(k, { n: 1, e });
  }
  for (const { n, e } of groups.values()) {
    const udp = e.quotedDstPort < 0 ? 'UDP' : ctx.vxlanPorts.includes(e.quotedDstPort) ? `VXLAN, UDP ${e.quotedDstPort}` : e.quotedDstPort === 6081 ? 'Geneve, UDP 6081' : `UDP ${e.quotedDstPort}`;
    const tunnel = e.quotedProtocol === 4 ? ' (IPIP)' : e.quotedProtocol === 41 ? ' (IPv6-in-IPv4)' : e.quotedProtocol === 17 ? ` (${udp})` : '';
    out.push({
      severity: 'warning',
      code: 'mtu.icmp_fragmentation_needed',
      message: `${n} ICMP ${e.v6 ? 'packet-too-big' : 'fragmentation-needed'} from ${e.from} to ${e.to}: next-hop MTU ${e.mtu}, about ${e.quotedLength}-byte packets ${e.quotedSrc} → ${e.quotedDst}${tunnel} (e.g. frame ${e.frame} of ${ctx.captureFiles[e.capture] ?? '?'}); a hop on the path has a smaller MTU than the nodes assume`,
      remedy: `lower the Calico MTU so outer packets fit ${e.mtu} bytes: ${
        e.quotedProtocol === 4 ? `${e.mtu - 20} for IPIP` : e.quotedProtocol === 17 && ctx.vxlanPorts.includes(e.quotedDstPort) ? `${e.mtu - 50} for VXLAN` : `${e.mtu - 20} for IPIP, ${e.mtu - 50} for VXLAN, ${e.mtu - 60} for WireGuard`
      }; and make sure these ICMP messages reach the nodes (path MTU discovery)`,
    });
  }

  // Traffic with VXLAN's shape on ports not configured for it.
  for (const [port, v] of ctx.collector.vxlanLookalikes) {
    if (ctx.vxlanPorts.includes(port)) continue;
    out.push({
      severity: 'warning',
      code: 'vxlan.unconfigured_port',
      message: `${v.packets} UDP packets to port ${port} carry what looks like a VXLAN header and an Ethernet frame (e.g. frame ${v.frame} of ${ctx.captureFiles[v.capture] ?? '?'}), but ${port} is not a VXLAN port podpath was told about, so they were not decoded`,
      remedy: `analyse again with --vxlan-port ${port}${port === 8472 ? ' (flannel / Linux default)' : ''}`,
    });
  }

  // Node pairs: WireGuard next to cleartext. (Encapsulation inside one subnet is the
  // default IPIP/VXLAN "Always" mode, not a fault: `verify --expect cross-subnet` checks it.)
  const pairs = new Map<string, PathReport[]>();
  for (const p of ctx.paths) {
    const a = p.outerSrc ?? p.srcMac ?? '?';
    const b = p.outerDst ?? p.dstMac ?? '?';
    const k = a < b ? `${a}|${b}` : `${b}|${a}`;
    pairs.set(k, [...(pairs.get(k) ?? []), p]);
  }
  for (const ps of pairs.values()) {
    const first = ps[0]!;
    const wg = ps.filter((p) => p.mode === 'wireguard');
    const clear = ps.filter((p) => p.mode !== 'wireguard');
    if (wg.length > 0 && clear.length > 0) {
      out.push({
        severity: 'warning',
        code: 'encryption.cleartext_alongside_wireguard',
        // One label per mode: both directions of IPIP said "IPIP / IPIP" (found by test/analysis/findings.test.ts).
        message: `${ends(first)}: WireGuard runs between these nodes, but ${clear.reduce((a, p) => a + p.packets, 0)} pod packets also went ${[...new Set(clear.map((p) => modeLabel(p.mode)))].join(' / ')} in the clear`,
        paths: ps.map((p) => p.id),
        remedy: 'check that WireGuard is enabled on both nodes (FelixConfiguration wireguardEnabled) and that the peers are up (wg show); traffic in the clear may be a leak',
      });
    }
  }

  // Nodes with several NICs: which one the tunnel took, and how to pin it.
  if (idx) {
    for (const n of ctx.nodes) {
      if (n.interfaces.length === 0 || n.underlayInterfaces.length < 2) continue;
      const file = idx.ownerOf(n.ip)?.node;
      if (!file) continue;
      const used = n.interfaces[0]!;
      const subnetOfNic = (nic: string): string | null => file.interfaces.find((f) => f.name === nic)?.addresses.find((a) => a.family === 4)?.subnet ?? null;
      const others = n.underlayInterfaces.filter((x) => !n.interfaces.includes(x));
      const peer = ctx.paths.find((p) => p.outerSrc === n.ip)?.outerDst ?? ctx.paths.find((p) => p.outerDst === n.ip)?.outerSrc ?? null;
      const pin = (nic: string): string => {
        const sn = subnetOfNic(nic);
        return `interface=${nic}${sn ? `, cidr=${sn}` : ''}`;
      };
      out.push({
        severity: 'info',
        code: 'node.tunnel_nic',
        message: `${n.name ?? n.ip}: pod traffic runs over ${used}${n.subnet ? ` (${n.subnet})` : ''}; the node also has ${others.map((o) => `${o}${subnetOfNic(o) ? ` (${subnetOfNic(o)})` : ''}`).join(', ')}. If ${used} is not the NIC meant for pod traffic, Calico's node address autodetection picked the wrong one`,
        remedy: `pin it with IP_AUTODETECTION_METHOD on calico-node: keep ${used}: ${pin(used)}${peer ? `, or can-reach=${peer}` : ''}; ${others.map((o) => `move to ${o}: ${pin(o)}`).join('; ')}; or exclude NICs with skip-interface=${others.join('|')}`,
      });
    }
  }
  return out;
}
