/**
 * The analysis end to end, through analyzeCaptures and the JSON Report:
 * attribution evidence, pod blocks, -i any de-duplication, no-encap
 * recognition, findings, verdict sentences, determinism and multi-capture
 * combination. The real samples (samples/README.md) where they show the case,
 * crafted captures (./craft.ts) where a case needs one knob turned.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeCaptures, type AnalyzeOptions } from '../../src/analysis/analyze.js';
import { loadNodeAddrs } from '../../src/analysis/node-addrs.js';
import type { Finding, NodeReport, PathReport, Report } from '../../src/analysis/report.js';
import { ETHERTYPE_IPV6, icmpv6Ip, ipv6Bytes, vxlanOfIp } from './craft-more.js';
import {
  arpPacket,
  macBytes,
  CALICO_VETH_MAC,
  ETHERTYPE_IPV4,
  ethernet,
  type Frame,
  frames,
  type IfaceSpec,
  ipipPacket,
  LINKTYPE_LINUX_SLL2,
  type PcapSpec,
  pcapOffsetAfter,
  PKT_HOST,
  PKT_OUTGOING,
  plainPacket,
  type PodPacket,
  podIp,
  sll2,
  TempDir,
  type Underlay,
  vxlanIp,
  vxlanPacket,
} from './craft.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SAMPLES = join(HERE, '..', '..', 'samples');
const sample = (...p: string[]): string => join(SAMPLES, ...p);

async function analyze(files: string[], addrFiles: string[] = [], opts: AnalyzeOptions = {}): Promise<Report> {
  const nodeAddrs = await Promise.all(addrFiles.map((f) => loadNodeAddrs(f)));
  const { report } = await analyzeCaptures(files, { ...opts, nodeAddrs });
  // The report is the --json contract: it must survive JSON unchanged.
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  return report;
}

function codes(r: Report): string[] {
  return r.findings.map((f) => f.code);
}

function finding(r: Report, code: string): Finding {
  const f = r.findings.find((x) => x.code === code);
  if (!f) throw new Error(`no finding ${code}; have ${codes(r).join(', ')}`);
  return f;
}

function path(r: Report, src: string | null, dst: string | null, mode?: string): PathReport {
  const p = r.paths.find((x) => x.outerSrc === src && x.outerDst === dst && (mode === undefined || x.mode === mode));
  if (!p) throw new Error(`no path ${src} → ${dst}; have ${r.paths.map((x) => `${x.outerSrc}→${x.outerDst} ${x.mode}`).join(', ')}`);
  return p;
}

function node(r: Report, ip: string): NodeReport {
  const n = r.nodes.find((x) => x.ip === ip);
  if (!n) throw new Error(`no node ${ip}; have ${r.nodes.map((x) => x.ip).join(', ')}`);
  return n;
}

/** Path fields that say where traffic went, without the capture-order-dependent ones. */
function shape(p: PathReport): string {
  return `${p.id} ${p.mode} ${p.outerSrc}→${p.outerDst} ${p.interface} ${p.packets}`;
}

// ---------------------------------------------------------------------------
// The crafted cluster: two nodes on 172.16.0.0/24 (eth1), management on eth0.

interface NodeSpec {
  name: string;
  ip: string;
  mac: string;
  mgmtIp: string;
  mgmtMac: string;
  /** Tunnel address (first address of the first block). */
  tunl: string;
  pod: string;
  podMac: string;
  vtep: string;
}

const A: NodeSpec = {
  name: 'node-a',
  ip: '172.16.0.11',
  mac: '02:00:00:0a:00:01',
  mgmtIp: '192.168.0.11',
  mgmtMac: '02:00:00:0a:00:00',
  tunl: '10.244.1.0',
  pod: '10.244.1.10',
  podMac: '0a:58:0a:f4:01:0a',
  vtep: '66:00:00:0a:00:fe',
};
const B: NodeSpec = {
  name: 'node-b',
  ip: '172.16.0.12',
  mac: '02:00:00:0b:00:01',
  mgmtIp: '192.168.0.12',
  mgmtMac: '02:00:00:0b:00:00',
  tunl: '10.244.2.64',
  pod: '10.244.2.75',
  podMac: '0a:58:0a:f4:02:4b',
  vtep: '66:00:00:0b:00:fe',
};

/**
 * The interfaces `ip -j addr show` lists on a node: lo 1, eth0 2 (management),
 * the NIC 3, a Calico veth 4, the tunnel device 5. `nicIndex` moves the NIC.
 */
function ifaces(n: NodeSpec, opts: { tunnel?: 'tunl0' | 'vxlan.calico' | 'none'; nic?: string; nicIndex?: number } = {}): IfaceSpec[] {
  const nicIndex = opts.nicIndex ?? 3;
  const list: IfaceSpec[] = [
    { ifindex: 1, name: 'lo', addrs: ['127.0.0.1/8'] },
    { ifindex: 2, name: 'eth0', mac: n.mgmtMac, addrs: [`${n.mgmtIp}/24`] },
    { ifindex: nicIndex, name: opts.nic ?? 'eth1', mac: n.mac, addrs: [`${n.ip}/24`] },
    { ifindex: nicIndex === 4 ? 3 : 4, name: 'calidd33ceb84a6', mac: CALICO_VETH_MAC, mtu: 1480 },
  ];
  const tunnel = opts.tunnel ?? 'tunl0';
  if (tunnel === 'tunl0') list.push({ ifindex: 5, name: 'tunl0', linkType: 'ipip', mtu: 1480, addrs: [`${n.tunl}/32`] });
  if (tunnel === 'vxlan.calico') list.push({ ifindex: 5, name: 'vxlan.calico', mac: n.vtep, mtu: 1450, addrs: [`${n.tunl}/32`] });
  return list.sort((x, y) => x.ifindex - y.ifindex);
}

const under = (from: NodeSpec, to: NodeSpec): Underlay => ({ srcMac: from.mac, dstMac: to.mac, outerSrc: from.ip, outerDst: to.ip });
const echo = (src: string, dst: string, seq: number, reply = false): PodPacket => ({
  src,
  dst,
  icmp: { type: reply ? 0 : 8, id: 0x0a0b, seq },
});

/** n pings from `from`'s pod to `to`'s pod over IPIP, each answered: request, reply, request, reply... */
function ipipPings(from: NodeSpec, to: NodeSpec, n: number, pods: { src?: string; dst?: string } = {}): number[][] {
  const src = pods.src ?? from.pod;
  const dst = pods.dst ?? to.pod;
  const out: number[][] = [];
  for (let i = 1; i <= n; i++) {
    out.push(ipipPacket(under(from, to), echo(src, dst, i)));
    out.push(ipipPacket(under(to, from), echo(dst, src, i, true)));
  }
  return out;
}

function vxlanPings(from: NodeSpec, to: NodeSpec, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 1; i <= n; i++) {
    out.push(vxlanPacket(under(from, to), { vni: 4096, srcPort: 40000 + i, innerSrcMac: from.vtep, innerDstMac: to.vtep }, echo(from.pod, to.pod, i)));
    out.push(vxlanPacket(under(to, from), { vni: 4096, srcPort: 50000 + i, innerSrcMac: to.vtep, innerDstMac: from.vtep }, echo(to.pod, from.pod, i, true)));
  }
  return out;
}

/** ARP: `from` asks for `to`'s address and gets the answer. */
function arpExchange(from: NodeSpec, to: NodeSpec): number[][] {
  return [
    arpPacket({ op: 1, senderMac: from.mac, senderIp: from.ip, targetIp: to.ip }),
    arpPacket({ op: 2, senderMac: to.mac, senderIp: to.ip, targetMac: from.mac, targetIp: from.ip }),
  ];
}

/** No encapsulation: pod packets routed between the node MACs, n each way. */
function plainPings(from: NodeSpec, to: NodeSpec, n: number, pods: { src?: string; dst?: string } = {}): number[][] {
  const src = pods.src ?? from.pod;
  const dst = pods.dst ?? to.pod;
  const out: number[][] = [];
  for (let i = 1; i <= n; i++) {
    out.push(plainPacket(from.mac, to.mac, echo(src, dst, i)));
    out.push(plainPacket(to.mac, from.mac, echo(dst, src, i, true)));
  }
  return out;
}

let tmp: TempDir;
beforeEach(() => {
  tmp = new TempDir();
});
afterEach(() => {
  tmp.cleanup();
});

const pcap = (name: string, list: number[][], extra: Partial<PcapSpec> = {}): string => tmp.pcap(name, { frames: frames(list), ...extra });
const addrs = (n: NodeSpec, opts: Parameters<typeof ifaces>[1] = {}): string => tmp.nodeAddrs(`${n.name}.addrs.json`, ifaces(n, opts));

// ---------------------------------------------------------------------------

describe('attribution: which NIC carried a path, one evidence source at a time', () => {
  it('(a) pcapng interface name: dumpcap on ens192 and tunl0 names ens192, with no node file', async () => {
    const file = sample('pcapng-dumpcap', 'node-a.pcapng');
    const r = await analyze([file]);
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.23.6.61→172.23.6.62 ens192 16', 'p2 ipip 172.23.6.62→172.23.6.61 ens192 16']);
    for (const p of r.paths) {
      expect(p.interfaceEvidence).toEqual([
        { source: 'pcapng-interface-name', interface: 'ens192', detail: `captured on interface "ens192" (pcapng interface block in ${file})` },
      ]);
      // No node file: nothing says which subnet.
      expect(p.subnet).toBeNull();
      expect(p.srcNode).toBeNull();
    }
    expect(r.captures[0]!.interfaces).toEqual([
      { id: 0, name: 'ens192', linkType: 1 },
      { id: 1, name: 'tunl0', linkType: 101 },
    ]);
    expect(codes(r)).not.toContain('attribution.unknown_interface');
    expect(codes(r)).not.toContain('attribution.conflict');
  });

  it("(b) SLL2 ifindex resolved through the capturing node's address file: ifindex 2 is eth1", async () => {
    const addrFile = sample('any-sll2', 'node-a.addrs.json');
    const r = await analyze([sample('any-sll2', 'node-a.any.pcap')], [addrFile]);
    expect(r.paths.map(shape)).toEqual(['p1 vxlan 172.22.5.51→172.22.5.52 eth1 16', 'p2 vxlan 172.22.5.52→172.22.5.51 eth1 16']);
    const [p1, p2] = r.paths as [PathReport, PathReport];
    expect(p1.interfaceEvidence[0]).toEqual({ source: 'sll2-ifindex', interface: 'eth1', detail: `captured on ifindex 2, which is eth1 in ${addrFile}` });
    expect(p2.interfaceEvidence[0]).toEqual(p1.interfaceEvidence[0]);
    // The node file also owns the outer address on node-a's side (source of p1, destination of p2).
    expect(p1.interfaceEvidence.slice(1)).toEqual([
      { source: 'node-address', interface: 'eth1', detail: `source 172.22.5.51 is eth1's address on node-a (${addrFile})` },
    ]);
    expect(p2.interfaceEvidence.slice(1)).toEqual([
      { source: 'node-address', interface: 'eth1', detail: `destination 172.22.5.51 is eth1's address on node-a (${addrFile})` },
    ]);
    expect(p1.subnet).toBe('172.22.5.0/24');
    expect(p1.srcNode).toBe('node-a');
    expect(p1.dstNode).toBeNull();
    expect(codes(r)).not.toContain('attribution.conflict');
  });

  it("(b) SLL2 ifindex with both nodes' files: incoming packets too are read in the capturing node's file", async () => {
    const aFile = sample('any-sll2', 'node-a.addrs.json');
    const bFile = sample('any-sll2', 'node-b.addrs.json');
    const r = await analyze([sample('any-sll2', 'node-a.any.pcap')], [aFile, bFile]);
    expect(r.paths.map((p) => p.interfaceEvidence[0])).toEqual([
      { source: 'sll2-ifindex', interface: 'eth1', detail: `captured on ifindex 2, which is eth1 in ${aFile}` },
      { source: 'sll2-ifindex', interface: 'eth1', detail: `captured on ifindex 2, which is eth1 in ${aFile}` },
    ]);
    expect(r.paths.map((p) => [p.srcNode, p.dstNode])).toEqual([
      ['node-a', 'node-b'],
      ['node-b', 'node-a'],
    ]);
  });

  it('(b) SLL2 ifindex without a node file: the interface is named by its index, if2', async () => {
    const r = await analyze([sample('any-sll2', 'node-a.any.pcap')]);
    expect(r.paths.map(shape)).toEqual(['p1 vxlan 172.22.5.51→172.22.5.52 if2 16', 'p2 vxlan 172.22.5.52→172.22.5.51 if2 16']);
    for (const p of r.paths) {
      expect(p.interfaceEvidence).toEqual([
        { source: 'sll2-ifindex', interface: 'if2', detail: 'captured on ifindex 2 (tcpdump -i any); no node address file names it' },
      ]);
    }
    // Without a node file nothing says which node's NIC that is: node interfaces stay unknown.
    expect(r.nodes.map((n) => [n.ip, n.interfaces])).toEqual([
      ['172.22.5.51', []],
      ['172.22.5.52', []],
    ]);
  });

  it("(b) SLL2 ifindex is resolved on the capturing node, even when the peer's file numbers its NICs differently", async () => {
    // node-a captures with -i any; its eth1 is ifindex 3. node-b's eth1 is ifindex 4 and
    // its ifindex 3 is the veth. Outgoing packets are node-a's (outer source),
    // incoming ones arrive at node-a (outer destination): both must be read in node-a's file.
    const aFile = addrs(A, { nicIndex: 3 });
    const bFile = addrs(B, { nicIndex: 4 });
    const u: Underlay[] = [under(A, B), under(B, A)];
    const list: number[][] = [];
    for (let i = 1; i <= 2; i++) {
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 3, pktType: PKT_OUTGOING, srcMac: A.mac }, vxlanIp(u[0]!, { innerSrcMac: A.vtep, innerDstMac: B.vtep }, echo(A.pod, B.pod, i))));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 3, pktType: PKT_HOST, srcMac: B.mac }, vxlanIp(u[1]!, { innerSrcMac: B.vtep, innerDstMac: A.vtep }, echo(B.pod, A.pod, i, true))));
    }
    const file = pcap('node-a.any.pcap', list, { linkType: LINKTYPE_LINUX_SLL2 });
    const r = await analyze([file], [aFile, bFile]);
    expect(r.paths.map(shape)).toEqual(['p1 vxlan 172.16.0.11→172.16.0.12 eth1 2', 'p2 vxlan 172.16.0.12→172.16.0.11 eth1 2']);
    for (const p of r.paths) {
      expect(p.interfaceEvidence[0]).toEqual({ source: 'sll2-ifindex', interface: 'eth1', detail: `captured on ifindex 3, which is eth1 in ${aFile}` });
    }
    expect(codes(r)).not.toContain('attribution.conflict');
  });

  it("(b) SLL2 ifindex with only the peer's file: not read in the peer's numbering, named by index", async () => {
    const bFile = addrs(B, { nicIndex: 4 });
    const list = [
      sll2({ protocol: ETHERTYPE_IPV4, ifindex: 3, pktType: PKT_OUTGOING, srcMac: A.mac }, vxlanIp(under(A, B), {}, echo(A.pod, B.pod, 1))),
      sll2({ protocol: ETHERTYPE_IPV4, ifindex: 3, pktType: PKT_HOST, srcMac: B.mac }, vxlanIp(under(B, A), {}, echo(B.pod, A.pod, 1, true))),
    ];
    const r = await analyze([pcap('node-a.any.pcap', list, { linkType: LINKTYPE_LINUX_SLL2 })], [bFile]);
    expect(r.paths.map((p) => p.interfaceEvidence.map((e) => `${e.source}:${e.interface}`))).toEqual([
      ['sll2-ifindex:if3', 'node-address:eth1'],
      ['sll2-ifindex:if3', 'node-address:eth1'],
    ]);
    expect(r.paths.map((p) => p.interface)).toEqual(['if3', 'if3']);
    // An ifindex no file names does not disagree with anything: if3 may well be eth1.
    expect(codes(r)).not.toContain('attribution.conflict');
  });

  it('(c) node address file: the NIC that owns the outer address names the path (classic pcap, no interface in the file)', async () => {
    const aFile = addrs(A);
    const bFile = addrs(B);
    const file = pcap('node-a.pcap', ipipPings(A, B, 3));
    const r = await analyze([file], [aFile, bFile]);
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.0.11→172.16.0.12 eth1 3', 'p2 ipip 172.16.0.12→172.16.0.11 eth1 3']);
    const p1 = r.paths[0]!;
    expect(p1.interfaceEvidence).toEqual([
      { source: 'node-address', interface: 'eth1', detail: `source 172.16.0.11 is eth1's address on node-a (${aFile})` },
      { source: 'node-address', interface: 'eth1', detail: `destination 172.16.0.12 is eth1's address on node-b (${bFile})` },
    ]);
    expect([p1.srcNode, p1.dstNode, p1.subnet]).toEqual(['node-a', 'node-b', '172.16.0.0/24']);
    expect([p1.srcMac, p1.dstMac]).toEqual([A.mac, B.mac]);
    // A node's interfaces: the NIC that carried pod traffic, plus every underlay NIC its file lists (eth0).
    expect(r.nodes.map((n) => [n.ip, n.name, n.interfaces, n.macs])).toEqual([
      ['172.16.0.11', 'node-a', ['eth1'], [A.mac]],
      ['172.16.0.12', 'node-b', ['eth1'], [B.mac]],
    ]);
  });

  it('(c) node address file: a tunnel source on another NIC (ens5) is named after that NIC; one file is enough', async () => {
    const aFile = addrs(A, { nic: 'ens5' });
    const file = pcap('node-a.pcap', ipipPings(A, B, 1));
    const r = await analyze([file], [aFile]);
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.0.11→172.16.0.12 ens5 1', 'p2 ipip 172.16.0.12→172.16.0.11 ens5 1']);
    expect(r.paths[0]!.interfaceEvidence).toEqual([
      { source: 'node-address', interface: 'ens5', detail: `source 172.16.0.11 is ens5's address on node-a (${aFile})` },
    ]);
    expect(r.paths[1]!.interfaceEvidence).toEqual([
      { source: 'node-address', interface: 'ens5', detail: `destination 172.16.0.11 is ens5's address on node-a (${aFile})` },
    ]);
  });

  it('(d) --interface names the NIC of a classic pcap', async () => {
    const file = pcap('node-a.pcap', ipipPings(A, B, 2));
    const r = await analyze([file], [], { interfaceName: 'ens5' });
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.0.11→172.16.0.12 ens5 2', 'p2 ipip 172.16.0.12→172.16.0.11 ens5 2']);
    for (const p of r.paths) expect(p.interfaceEvidence).toEqual([{ source: 'option', interface: 'ens5', detail: 'captured on ens5 (--interface)' }]);
    expect(codes(r)).not.toContain('attribution.unknown_interface');
  });

  it('with no evidence at all, the interface is null and attribution.unknown_interface says so', async () => {
    const r = await analyze([pcap('node-a.pcap', ipipPings(A, B, 2))]);
    expect(r.paths.map((p) => [p.interface, p.interfaceEvidence])).toEqual([
      [null, []],
      [null, []],
    ]);
    expect(finding(r, 'attribution.unknown_interface')).toMatchObject({ severity: 'info', message: 'no evidence names the NIC that carried any path', paths: ['p1', 'p2'] });
  });

  it("no conflict from the peer's file alone: node-b calls its NIC eth1, the pcapng was taken on node-a's ens192", async () => {
    const bFile = tmp.nodeAddrs('node-b.addrs.json', [
      { ifindex: 1, name: 'lo', addrs: ['127.0.0.1/8'] },
      { ifindex: 2, name: 'eth1', mac: '02:5c:06:0b:00:01', addrs: ['172.23.6.62/24'] },
    ]);
    const r = await analyze([sample('pcapng-dumpcap', 'node-a.pcapng')], [bFile]);
    expect(r.paths.map((p) => [p.interface, p.interfaceEvidence.map((e) => `${e.source}:${e.interface}`)])).toEqual([
      ['ens192', ['pcapng-interface-name:ens192', 'node-address:eth1']],
      ['ens192', ['pcapng-interface-name:ens192', 'node-address:eth1']],
    ]);
    expect(codes(r)).not.toContain('attribution.conflict');
  });

  it('--interface agreeing with the node file is not a conflict', async () => {
    const r = await analyze([pcap('node-a.pcap', ipipPings(A, B, 1))], [addrs(A)], { interfaceName: 'eth1' });
    expect(r.paths.map((p) => p.interfaceEvidence.map((e) => `${e.source}:${e.interface}`))).toEqual([
      ['option:eth1', 'node-address:eth1'],
      ['option:eth1', 'node-address:eth1'],
    ]);
    expect(codes(r)).not.toContain('attribution.conflict');
  });

  it('(e) conflict: --interface eth0 but the outer address is eth1’s: attribution.conflict, interface stays eth0, both evidences listed', async () => {
    const aFile = addrs(A);
    const r = await analyze([pcap('node-a.pcap', ipipPings(A, B, 2))], [aFile], { interfaceName: 'eth0' });
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.0.11→172.16.0.12 eth0 2', 'p2 ipip 172.16.0.12→172.16.0.11 eth0 2']);
    expect(r.paths[0]!.interfaceEvidence).toEqual([
      { source: 'option', interface: 'eth0', detail: 'captured on eth0 (--interface)' },
      { source: 'node-address', interface: 'eth1', detail: `source 172.16.0.11 is eth1's address on node-a (${aFile})` },
    ]);
    const conflicts = r.findings.filter((f) => f.code === 'attribution.conflict');
    expect(conflicts.map((f) => f.paths)).toEqual([['p1'], ['p2']]);
    expect(conflicts[0]).toMatchObject({
      severity: 'warning',
      message:
        "node-a (172.16.0.11) → node 172.16.0.12: captured on eth0 but the tunnel endpoint address belongs to eth1: the tunnel's source address and the NIC that carries it differ (routing sends it out another NIC)",
    });
  });

  it('(e) conflict: the pcapng names ens192 but the node file gives 172.23.6.61 to ens224', async () => {
    // node-a has both NICs; the tunnel address is on ens224, the capture was on ens192.
    const aFile = tmp.nodeAddrs('node-a.addrs.json', [
      { ifindex: 1, name: 'lo', addrs: ['127.0.0.1/8'] },
      { ifindex: 2, name: 'ens192', mac: '02:5c:06:0a:00:01', addrs: ['192.168.6.61/24'] },
      { ifindex: 3, name: 'ens224', mac: '02:5c:06:0a:00:02', addrs: ['172.23.6.61/24'] },
    ]);
    const file = sample('pcapng-dumpcap', 'node-a.pcapng');
    const r = await analyze([file], [aFile]);
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.23.6.61→172.23.6.62 ens192 16', 'p2 ipip 172.23.6.62→172.23.6.61 ens192 16']);
    expect(r.paths[1]!.interfaceEvidence).toEqual([
      { source: 'pcapng-interface-name', interface: 'ens192', detail: `captured on interface "ens192" (pcapng interface block in ${file})` },
      { source: 'node-address', interface: 'ens224', detail: `destination 172.23.6.61 is ens224's address on node-a (${aFile})` },
    ]);
    expect(r.findings.filter((f) => f.code === 'attribution.conflict').map((f) => f.paths)).toEqual([['p1'], ['p2']]);
    expect(finding(r, 'attribution.conflict').message).toContain('captured on ens192 but the tunnel endpoint address belongs to ens224');
  });
});

// ---------------------------------------------------------------------------

describe('pod blocks and tunnel addresses', () => {
  /** node-a's pods in three /26 blocks, node-b's in two, all pinging each other over IPIP; plus each node's tunnel address. */
  function manyBlocks(): number[][] {
    const aPods = ['10.244.1.10', '10.244.1.70', '10.244.1.130'];
    const bPods = ['10.244.2.75', '10.244.2.200'];
    const list: number[][] = [];
    for (const a of aPods) for (const b of bPods) list.push(...ipipPings(A, B, 1, { src: a, dst: b }));
    // Host-originated traffic: the node's tunnel address is the inner source.
    list.push(...ipipPings(A, B, 1, { src: A.tunl, dst: B.pod }));
    list.push(...ipipPings(B, A, 1, { src: B.tunl, dst: A.pod }));
    return list;
  }

  it('summarises the inner addresses behind each node to /26 blocks; tunnel addresses from tunl0 in the node files', async () => {
    const r = await analyze([pcap('node-a.pcap', manyBlocks())], [addrs(A), addrs(B)]);
    expect(r.nodes.map((n) => [n.ip, n.podBlocks, n.podAddressCount, n.tunnelAddresses])).toEqual([
      ['172.16.0.11', ['10.244.1.0/26', '10.244.1.64/26', '10.244.1.128/26'], 4, ['10.244.1.0']],
      ['172.16.0.12', ['10.244.2.64/26', '10.244.2.192/26'], 3, ['10.244.2.64']],
    ]);
    expect(r.options.blockSize).toBe(26);
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.0.11→172.16.0.12 eth1 8', 'p2 ipip 172.16.0.12→172.16.0.11 eth1 8']);
    expect(r.paths[0]!.podPairCount).toBe(8);
    expect(r.verdicts).toEqual([
      '10.244.1.0/26, 10.244.1.64/26, 10.244.1.128/26 on node-a (172.16.0.11) ⇄ 10.244.2.64/26, 10.244.2.192/26 on node-b (172.16.0.12): IPIP over eth1 (172.16.0.0/24) both ways, 16 packets.',
    ]);
  });

  it('blockSize 24 summarises the same addresses to one /24 per node', async () => {
    const r = await analyze([pcap('node-a.pcap', manyBlocks())], [addrs(A), addrs(B)], { blockSize: 24 });
    expect(r.nodes.map((n) => [n.ip, n.podBlocks, n.podAddressCount])).toEqual([
      ['172.16.0.11', ['10.244.1.0/24'], 4],
      ['172.16.0.12', ['10.244.2.0/24'], 3],
    ]);
    expect(r.options.blockSize).toBe(24);
  });

  it('tunnel addresses from vxlan.calico in the node files (VXLAN)', async () => {
    const list = [
      ...vxlanPings(A, B, 2),
      vxlanPacket(under(A, B), { innerSrcMac: A.vtep, innerDstMac: B.vtep }, echo(A.tunl, B.pod, 9)),
      vxlanPacket(under(B, A), { innerSrcMac: B.vtep, innerDstMac: A.vtep }, echo(B.pod, A.tunl, 9, true)),
    ];
    const r = await analyze([pcap('node-a.pcap', list)], [addrs(A, { tunnel: 'vxlan.calico' }), addrs(B, { tunnel: 'vxlan.calico' })]);
    expect(r.nodes.map((n) => [n.ip, n.podBlocks, n.tunnelAddresses])).toEqual([
      ['172.16.0.11', ['10.244.1.0/26'], ['10.244.1.0']],
      // node-b sent nothing from its tunnel address, but its node file names it.
      ['172.16.0.12', ['10.244.2.64/26'], ['10.244.2.64']],
    ]);
  });

  it('without node files, the block-base address (x.x.x.0 of a /26) is taken for the tunnel address', async () => {
    const r = await analyze([pcap('node-a.pcap', manyBlocks())]);
    expect(r.nodes.map((n) => [n.ip, n.name, n.podBlocks, n.tunnelAddresses])).toEqual([
      ['172.16.0.11', null, ['10.244.1.0/26', '10.244.1.64/26', '10.244.1.128/26'], ['10.244.1.0']],
      ['172.16.0.12', null, ['10.244.2.64/26', '10.244.2.192/26'], ['10.244.2.64']],
    ]);
  });

  it('with a node file, a block-base address that is not on the tunnel device is a pod, not a tunnel address', async () => {
    // 10.244.1.64 is the first address of node-a's second block: a pod, since tunl0 has 10.244.1.0.
    const list = [...ipipPings(A, B, 1, { src: '10.244.1.64' }), ...ipipPings(A, B, 1, { src: A.tunl })];
    const withFile = await analyze([pcap('a.pcap', list)], [addrs(A)]);
    expect(node(withFile, A.ip).tunnelAddresses).toEqual(['10.244.1.0']);
    // Without one, the heuristic takes both block bases (a documented guess).
    const without = await analyze([pcap('b.pcap', list)]);
    expect(node(without, A.ip).tunnelAddresses).toEqual(['10.244.1.0', '10.244.1.64']);
  });

  it('the real ipip-two-nics sample: blocks and tunl0 addresses of both nodes', async () => {
    const dir = 'ipip-two-nics';
    const r = await analyze([sample(dir, 'node-a.eth1.pcap')], [sample(dir, 'node-a.addrs.json'), sample(dir, 'node-b.addrs.json')]);
    // The management NIC eth0 is listed with the node's NICs (from its file) but carried nothing.
    expect(r.nodes.map((n) => [n.ip, n.name, n.interfaces, n.podBlocks, n.podAddressCount, n.tunnelAddresses])).toEqual([
      ['172.16.10.11', 'node-a', ['eth1'], ['10.244.10.0/26'], 2, ['10.244.10.0']],
      ['172.16.10.12', 'node-b', ['eth1'], ['10.244.11.64/26'], 2, ['10.244.11.64']],
    ]);
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.10.11→172.16.10.12 eth1 20', 'p2 ipip 172.16.10.12→172.16.10.11 eth1 20']);
  });
});

// ---------------------------------------------------------------------------

describe('-i any: each pod packet counted once', () => {
  it('samples/any-sll2: 32 pod packets seen on cali, vxlan.calico and eth1 count once; the path packets are the eth1 copies', async () => {
    const r = await analyze([sample('any-sll2', 'node-a.any.pcap')], [sample('any-sll2', 'node-a.addrs.json')]);
    expect(r.totals).toEqual({ packets: 100, podPackets: 32, duplicatePodPackets: 64, nodeTrafficPackets: 0, otherPackets: 4, overflowPackets: 0 });
    // ifindex 2 (eth1) carried 34 packets: 2 ARP and the 32 VXLAN copies the paths count.
    expect(r.paths.map(shape)).toEqual(['p1 vxlan 172.22.5.51→172.22.5.52 eth1 16', 'p2 vxlan 172.22.5.52→172.22.5.51 eth1 16']);
    expect(r.paths.reduce((a, p) => a + p.packets, 0)).toBe(32);
    expect(r.paths.map((p) => [p.vni, p.port, p.podPairs])).toEqual([
      [4096, 4789, [{ src: '10.244.50.9', dst: '10.244.51.140', packets: 16 }]],
      [4096, 4789, [{ src: '10.244.51.140', dst: '10.244.50.9', packets: 16 }]],
    ]);
    expect(r.paths.every((p) => p.mode === 'vxlan')).toBe(true);
  });

  it('samples/any-sll2 without the node file: the same counts (copies known by their inner pair and the Calico veth MAC)', async () => {
    const r = await analyze([sample('any-sll2', 'node-a.any.pcap')]);
    expect(r.totals).toEqual({ packets: 100, podPackets: 32, duplicatePodPackets: 64, nodeTrafficPackets: 0, otherPackets: 4, overflowPackets: 0 });
    expect(r.paths.map((p) => p.mode)).toEqual(['vxlan', 'vxlan']);
  });

  /** One pod packet as -i any sees it on node-a: cali (ifindex 7), vxlan.calico (8), NIC (9), in the order the kernel passes it. */
  function anyCopies(n: number): number[][] {
    const list: number[][] = [];
    for (let i = 1; i <= n; i++) {
      const out = echo(A.pod, B.pod, i);
      const back = echo(B.pod, A.pod, i, true);
      // pod-a1 → pod-b1: in from the pod on its veth (sender: the pod's MAC), out vxlan.calico, out the NIC.
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 7, pktType: PKT_HOST, srcMac: A.podMac }, podIp(out)));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 8, pktType: PKT_OUTGOING, srcMac: A.vtep }, podIp(out)));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 9, pktType: PKT_OUTGOING, srcMac: A.mac }, vxlanIp(under(A, B), { innerSrcMac: A.vtep, innerDstMac: B.vtep }, out)));
      // pod-b1 → pod-a1: in on the NIC, in on vxlan.calico (sender: node-b's VTEP), out the veth (sender ee:ee:ee:ee:ee:ee).
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 9, pktType: PKT_HOST, srcMac: B.mac }, vxlanIp(under(B, A), { innerSrcMac: B.vtep, innerDstMac: A.vtep }, back)));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 8, pktType: PKT_HOST, srcMac: B.vtep }, podIp(back)));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 7, pktType: PKT_OUTGOING, srcMac: CALICO_VETH_MAC }, podIp(back)));
    }
    return list;
  }

  it('crafted SLL2, interfaces unknown (no node file): copies recognised by their inner pair', async () => {
    const r = await analyze([pcap('node-a.any.pcap', anyCopies(4), { linkType: LINKTYPE_LINUX_SLL2 })]);
    expect(r.totals).toEqual({ packets: 24, podPackets: 8, duplicatePodPackets: 16, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 });
    expect(r.paths.map(shape)).toEqual(['p1 vxlan 172.16.0.11→172.16.0.12 if9 4', 'p2 vxlan 172.16.0.12→172.16.0.11 if9 4']);
    expect(codes(r)).not.toContain('traffic.unclassified');
  });

  it('crafted SLL2: a packet on a pod veth (ee:ee:ee:ee:ee:ee) whose pair was never tunnelled is a copy too, not a path', async () => {
    // pod-a2 → pod-a1 on the same node: seen only leaving pod-a1's veth, sent by Calico's veth MAC.
    const local = sll2({ protocol: ETHERTYPE_IPV4, ifindex: 7, pktType: PKT_OUTGOING, srcMac: CALICO_VETH_MAC }, podIp(echo('10.244.1.11', A.pod, 1)));
    const r = await analyze([pcap('node-a.any.pcap', [...anyCopies(1), local, local], { linkType: LINKTYPE_LINUX_SLL2 })]);
    expect(r.totals).toEqual({ packets: 8, podPackets: 2, duplicatePodPackets: 6, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 });
    expect(r.paths.map((p) => p.mode)).toEqual(['vxlan', 'vxlan']);
  });

  it('crafted SLL2, no-encap with --pod-cidr and no node file: the pod’s copies on its veth are not a second path', async () => {
    // pod-a1 → pod-b1 enters the veth (ifindex 3, sender: the pod's MAC) and leaves eth1 (ifindex 2);
    // the reply enters eth1 and leaves the veth (sender ee:ee:ee:ee:ee:ee), which marks ifindex 3 as a veth.
    const list: number[][] = [];
    for (let i = 1; i <= 3; i++) {
      const out = podIp(echo(A.pod, B.pod, i));
      const back = podIp(echo(B.pod, A.pod, i, true));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 3, pktType: PKT_HOST, srcMac: A.podMac }, out));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 2, pktType: PKT_OUTGOING, srcMac: A.mac }, out));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 2, pktType: PKT_HOST, srcMac: B.mac }, back));
      list.push(sll2({ protocol: ETHERTYPE_IPV4, ifindex: 3, pktType: PKT_OUTGOING, srcMac: CALICO_VETH_MAC }, back));
    }
    const r = await analyze([pcap('node-a.any.pcap', list, { linkType: LINKTYPE_LINUX_SLL2 })], [], { podCidrs: ['10.244.0.0/16'] });
    expect(r.totals).toEqual({ packets: 12, podPackets: 6, duplicatePodPackets: 6, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 });
    // SLL2 has no destination MAC, so each direction is known by its sender only (see the report).
    expect(r.paths.map((p) => [p.mode, p.srcMac, p.dstMac, p.interface, p.packets])).toEqual([
      ['none', A.mac, null, 'if2', 3],
      ['none', B.mac, null, 'if2', 3],
    ]);
  });

  it('crafted SLL2 with the node file: the copies on the veth and the tunnel device are known by their interface kind', async () => {
    const aFile = tmp.nodeAddrs('node-a.addrs.json', [
      { ifindex: 1, name: 'lo', addrs: ['127.0.0.1/8'] },
      { ifindex: 7, name: 'calidd33ceb84a6', mac: CALICO_VETH_MAC },
      { ifindex: 8, name: 'vxlan.calico', mac: A.vtep, addrs: [`${A.tunl}/32`] },
      { ifindex: 9, name: 'eth1', mac: A.mac, addrs: [`${A.ip}/24`] },
    ]);
    const r = await analyze([pcap('node-a.any.pcap', anyCopies(3), { linkType: LINKTYPE_LINUX_SLL2 })], [aFile]);
    expect(r.totals).toEqual({ packets: 18, podPackets: 6, duplicatePodPackets: 12, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 });
    expect(r.paths.map(shape)).toEqual(['p1 vxlan 172.16.0.11→172.16.0.12 eth1 3', 'p2 vxlan 172.16.0.12→172.16.0.11 eth1 3']);
  });

  it('samples/pcapng-dumpcap: the tunl0 copies (LINKTYPE_RAW, named tunl0) are duplicates of the ens192 IPIP packets', async () => {
    const r = await analyze([sample('pcapng-dumpcap', 'node-a.pcapng')]);
    expect(r.totals).toEqual({ packets: 66, podPackets: 32, duplicatePodPackets: 32, nodeTrafficPackets: 0, otherPackets: 2, overflowPackets: 0 });
  });
});

// ---------------------------------------------------------------------------

describe('no-encap pod traffic', () => {
  it('recognised through the node files: frames between the node MACs carrying addresses that are not the nodes’', async () => {
    const r = await analyze([pcap('node-a.pcap', plainPings(A, B, 3))], [addrs(A, { tunnel: 'none' }), addrs(B, { tunnel: 'none' })]);
    expect(r.paths.map(shape)).toEqual(['p1 none 172.16.0.11→172.16.0.12 eth1 3', 'p2 none 172.16.0.12→172.16.0.11 eth1 3']);
    const p1 = r.paths[0]!;
    expect([p1.srcNode, p1.dstNode, p1.srcMac, p1.dstMac, p1.subnet, p1.encapBytes, p1.vni, p1.port]).toEqual(['node-a', 'node-b', A.mac, B.mac, '172.16.0.0/24', 0, null, null]);
    expect(p1.podPairs).toEqual([{ src: A.pod, dst: B.pod, packets: 3 }]);
    // 20 IPv4 + 8 ICMP + 56 data
    expect([p1.bytes, p1.maxOuterLength, p1.maxInnerLength, p1.innerProtocols]).toEqual([252, 84, 84, { icmp: 3 }]);
    expect(r.totals).toEqual({ packets: 6, podPackets: 6, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 });
    expect(r.nodes.map((n) => [n.ip, n.podBlocks, n.macs])).toEqual([
      ['172.16.0.11', ['10.244.1.0/26'], [A.mac]],
      ['172.16.0.12', ['10.244.2.64/26'], [B.mac]],
    ]);
    expect(r.verdicts).toEqual([
      '10.244.1.0/26 on node-a (172.16.0.11) ⇄ 10.244.2.64/26 on node-b (172.16.0.12): no encapsulation over eth1 (172.16.0.0/24) both ways, 6 packets.',
    ]);
    expect(codes(r)).not.toContain('path.one_way');
  });

  it('recognised without node files through the ARP in the capture', async () => {
    const r = await analyze([pcap('node-a.pcap', [...arpExchange(A, B), ...plainPings(A, B, 2)])]);
    expect(r.paths.map(shape)).toEqual(['p1 none 172.16.0.11→172.16.0.12 null 2', 'p2 none 172.16.0.12→172.16.0.11 null 2']);
    expect(r.totals).toEqual({ packets: 6, podPackets: 4, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 2, overflowPackets: 0 });
    expect(r.nodes.map((n) => [n.ip, n.name, n.podBlocks, n.macs])).toEqual([
      ['172.16.0.11', null, ['10.244.1.0/26'], [A.mac]],
      ['172.16.0.12', null, ['10.244.2.64/26'], [B.mac]],
    ]);
    expect(codes(r)).toContain('attribution.unknown_interface');
    expect(codes(r)).not.toContain('traffic.unclassified');
  });

  it('the real no-encap sample with its node files', async () => {
    const dir = 'no-encap';
    const r = await analyze([sample(dir, 'node-a.eth1.pcap')], [sample(dir, 'node-a.addrs.json'), sample(dir, 'node-b.addrs.json')]);
    expect(r.paths.map(shape)).toEqual(['p1 none 172.21.2.21→172.21.2.22 eth1 16', 'p2 none 172.21.2.22→172.21.2.21 eth1 16']);
    expect(r.totals).toEqual({ packets: 34, podPackets: 32, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 2, overflowPackets: 0 });
    expect(r.nodes.map((n) => [n.ip, n.podBlocks])).toEqual([
      ['172.21.2.21', ['10.244.3.0/26']],
      ['172.21.2.22', ['10.244.4.128/26']],
    ]);
  });

  it('recognised with --pod-cidr only: the nodes are known by MAC alone', async () => {
    const r = await analyze([pcap('node-a.pcap', plainPings(A, B, 2))], [], { podCidrs: ['10.244.0.0/16'] });
    expect(r.paths.map((p) => [p.mode, p.outerSrc, p.outerDst, p.srcMac, p.dstMac, p.packets])).toEqual([
      ['none', null, null, A.mac, B.mac, 2],
      ['none', null, null, B.mac, A.mac, 2],
    ]);
    expect(r.totals.podPackets).toBe(4);
    expect(r.options.podCidrs).toEqual(['10.244.0.0/16']);
    // No node address: no node entries, the verdict names the MACs.
    expect(r.nodes).toEqual([]);
    expect(r.verdicts).toEqual([`pods on node with MAC ${A.mac} ⇄ pods on node with MAC ${B.mac}: no encapsulation over an unidentified NIC both ways, 4 packets.`]);
  });

  it('undecidable (no ARP, no node files, no pod CIDR, no tunnel-learned block): claims no pod traffic and says so', async () => {
    const r = await analyze([pcap('node-a.pcap', plainPings(A, B, 3))]);
    expect(r.paths).toEqual([]);
    expect(r.nodes).toEqual([]);
    expect(r.verdicts).toEqual([]);
    expect(r.totals).toEqual({ packets: 6, podPackets: 0, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 6, overflowPackets: 0 });
    expect(finding(r, 'traffic.unclassified')).toMatchObject({
      severity: 'info',
      message: `6 unencapsulated packets between addresses podpath cannot place (e.g. ${A.pod} → ${B.pod}, ${B.pod} → ${A.pod}): it cannot tell pod traffic from other traffic there`,
    });
    expect(codes(r)).toContain('traffic.no_pod_traffic');
  });

  it('half known (ARP names only the sender’s node): not claimed as pod traffic, and still reported as unclassified', async () => {
    // node-a's gratuitous ARP is all the capture says about node identity; node-b's MAC is unknown.
    const garp = arpPacket({ op: 1, senderMac: A.mac, senderIp: A.ip, targetIp: A.ip });
    const r = await analyze([pcap('node-a.pcap', [garp, ...plainPings(A, B, 2)])]);
    expect(r.paths).toEqual([]);
    expect(r.totals).toEqual({ packets: 5, podPackets: 0, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 5, overflowPackets: 0 });
    expect(finding(r, 'traffic.unclassified').message).toMatch(/^4 unencapsulated packets between addresses podpath cannot place/);
  });

  it('node-to-node traffic (both ends node addresses) is node traffic, not pod traffic: with node files', async () => {
    const list = plainPings(A, B, 2, { src: A.ip, dst: B.ip });
    const r = await analyze([pcap('node-a.pcap', list)], [addrs(A), addrs(B)]);
    expect(r.totals).toEqual({ packets: 4, podPackets: 0, duplicatePodPackets: 0, nodeTrafficPackets: 4, otherPackets: 0, overflowPackets: 0 });
    expect(r.paths).toEqual([]);
    expect(codes(r)).toContain('traffic.no_pod_traffic');
    expect(codes(r)).not.toContain('traffic.unclassified');
  });

  it('node-to-node traffic with ARP only; and with tunnelled traffic naming the nodes', async () => {
    const byArp = await analyze([pcap('arp.pcap', [...arpExchange(A, B), ...plainPings(A, B, 2, { src: A.ip, dst: B.ip })])]);
    expect(byArp.totals).toEqual({ packets: 6, podPackets: 0, duplicatePodPackets: 0, nodeTrafficPackets: 4, otherPackets: 2, overflowPackets: 0 });
    const byTunnel = await analyze([pcap('tun.pcap', [...ipipPings(A, B, 1), ...plainPings(A, B, 2, { src: A.ip, dst: B.ip })])]);
    expect(byTunnel.totals).toEqual({ packets: 6, podPackets: 2, duplicatePodPackets: 0, nodeTrafficPackets: 4, otherPackets: 0, overflowPackets: 0 });
  });

  it("link-local and multicast addresses (the tunnel device's router solicitation, neighbour discovery between the nodes, a pod's mDNS) are no pods: no pod traffic, no pod block", async () => {
    // As in a real capture on a node's NIC with IPv6 on (kernel VXLAN, tcpdump): vxlan.calico
    // solicits a router through the tunnel as it comes up, and the nodes' NICs find each other's
    // link-local address. Before, the first made fe80::.../122 and ff02::/122 pod blocks of each
    // node, and the second (between the node MACs) a no-encapsulation path beside the tunnel.
    const llA = 'fe80::7cdd:56ff:fe7c:c60c';
    const llB = 'fe80::848d:22ff:fe08:cb0a';
    const rs = (from: NodeSpec, to: NodeSpec, ll: string): number[] => vxlanOfIp(under(from, to), icmpv6Ip(ll, 'ff02::2', 133, [0, 0, 0, 0]), { etherType: ETHERTYPE_IPV6 });
    const ns = ethernet(A.mac, '33:33:ff:08:cb:0a', ETHERTYPE_IPV6, icmpv6Ip(llA, 'ff02::1:ff08:cb0a', 135, [0, 0, 0, 0, ...ipv6Bytes(llB)]));
    const na = ethernet(B.mac, A.mac, ETHERTYPE_IPV6, icmpv6Ip(llB, llA, 136, [0x60, 0, 0, 0, ...ipv6Bytes(llB)]));
    // The same in IPv4: a pod's mDNS query (224.0.0.251) through the tunnel, and link-local
    // (169.254/16) traffic between the node MACs.
    const mdns = vxlanPacket(under(A, B), { vni: 4096, innerSrcMac: A.vtep, innerDstMac: '01:00:5e:00:00:fb' }, echo(A.pod, '224.0.0.251', 1));
    const ll4 = plainPacket(A.mac, B.mac, echo('169.254.10.1', '169.254.10.2', 1));
    const nodeFiles = [addrs(A, { tunnel: 'vxlan.calico' }), addrs(B, { tunnel: 'vxlan.calico' })];
    for (const files of [[], nodeFiles]) {
      const r = await analyze([pcap('node-a.pcap', [...vxlanPings(A, B, 2), rs(A, B, llA), rs(B, A, llB), mdns, ns, na, ll4])], files);
      expect(r.paths.map((p) => [p.mode, p.outerSrc, p.outerDst, p.packets])).toEqual([
        ['vxlan', A.ip, B.ip, 4],
        ['vxlan', B.ip, A.ip, 3],
      ]);
      expect(r.nodes.map((n) => [n.ip, n.podBlocks, n.podAddressCount])).toEqual([
        [A.ip, ['10.244.1.0/26'], 1],
        [B.ip, ['10.244.2.64/26'], 1],
      ]);
      expect(r.totals).toEqual({ packets: 10, podPackets: 7, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 3, overflowPackets: 0 });
      expect(codes(r)).not.toContain('traffic.unclassified');
      expect(codes(r)).not.toContain('path.asymmetric_mode');
      expect(r.verdicts).toHaveLength(1);
      expect(r.verdicts[0]).toMatch(/^10\.244\.1\.0\/26 on node.* ⇄ 10\.244\.2\.64\/26 on node.*: VXLAN VNI 4096 UDP 4789 /);
    }
  });

  it('IPv6 without encapsulation, recognised without node files through the neighbour discovery in the capture (as ARP for IPv4)', async () => {
    // As in a real capture of Calico's IPv6 BGP routing (bench/record-real-ipv6.sh, plain6.pcap):
    // node A solicits node B's address, B advertises it, pods ping each other between the node MACs.
    const [a6, b6, podA, podB] = ['fd00:10::1', 'fd00:10::2', 'fd00:244:a::5', 'fd00:244:b::7'];
    const llA = 'fe80::ff:fe0a:1';
    const option = (type: number, mac: string): number[] => [type, 1, ...macBytes(mac)];
    // A solicitation from A's global address carries A's MAC (source link-layer address option, 1);
    // B's advertisement carries B's (target link-layer address option, 2).
    const ns = ethernet(A.mac, '33:33:ff:00:00:02', ETHERTYPE_IPV6, icmpv6Ip(a6, 'ff02::1:ff00:2', 135, [0, 0, 0, 0, ...ipv6Bytes(b6), ...option(1, A.mac)]));
    const na = ethernet(B.mac, A.mac, ETHERTYPE_IPV6, icmpv6Ip(b6, a6, 136, [0x60, 0, 0, 0, ...ipv6Bytes(b6), ...option(2, B.mac)]));
    // Duplicate address detection (from ::) and a solicitation from a link-local address: the first
    // tells no address, the second only A's link-local one, which a global one outranks.
    const dad = ethernet(A.mac, '33:33:ff:00:00:01', ETHERTYPE_IPV6, icmpv6Ip('::', 'ff02::1:ff00:1', 135, [0, 0, 0, 0, ...ipv6Bytes(a6), ...option(1, A.mac)]));
    const nsLinkLocal = ethernet(A.mac, '33:33:ff:00:00:02', ETHERTYPE_IPV6, icmpv6Ip(llA, 'ff02::1:ff00:2', 135, [0, 0, 0, 0, ...ipv6Bytes(b6), ...option(1, A.mac)]));
    const ping = (from: NodeSpec, to: NodeSpec, src: string, dst: string, type: number, seq: number): number[] =>
      ethernet(from.mac, to.mac, ETHERTYPE_IPV6, icmpv6Ip(src, dst, type, [0x12, 0x34, 0, seq, 1, 2, 3, 4]));
    const pings = [1, 2].flatMap((i) => [ping(A, B, podA, podB, 128, i), ping(B, A, podB, podA, 129, i)]);

    // Without the neighbour discovery nothing tells pods from anything else.
    const none = await analyze([pcap('pings.pcap', pings)]);
    expect(none.paths).toEqual([]);
    expect(codes(none)).toContain('traffic.no_pod_traffic');

    for (const [name, list] of [
      ['solicitation and advertisement', [ns, na, ...pings]],
      ['the link-local solicitation first', [dad, nsLinkLocal, ns, na, ...pings]],
    ] as const) {
      const r = await analyze([pcap('ndp.pcap', [...list])]);
      expect(r.paths.map(shape), name).toEqual([`p1 none ${a6}→${b6} null 2`, `p2 none ${b6}→${a6} null 2`]);
      expect(r.nodes.map((n) => [n.ip, n.podBlocks, n.macs]), name).toEqual([
        [a6, ['fd00:244:a::/122'], [A.mac]],
        [b6, ['fd00:244:b::/122'], [B.mac]],
      ]);
      expect(r.verdicts, name).toEqual([`fd00:244:a::/122 on node ${a6} ⇄ fd00:244:b::/122 on node ${b6}: no encapsulation over an unidentified NIC both ways, 4 packets.`]);
    }

    // Only a link-local address known for A: it names the node (better than its MAC).
    const ll = await analyze([pcap('ll.pcap', [nsLinkLocal, na, ...pings])]);
    expect(ll.paths.map((p) => `${p.mode} ${p.outerSrc}→${p.outerDst} ${p.packets}`).sort()).toEqual([`none ${b6}→${llA} 2`, `none ${llA}→${b6} 2`]);

    // Dual-stack: ARP and neighbour discovery for the same MACs; the nodes keep their IPv4 names,
    // and node B's own IPv6 address (pinging pod A) is no pod of B's: no fd00:10::/122 block.
    const fromNode = ping(B, A, b6, podA, 128, 9);
    const dual = await analyze([pcap('dual.pcap', [ns, na, ...arpExchange(A, B), ...pings, ...plainPings(A, B, 1), fromNode])]);
    expect(dual.paths.map(shape)).toEqual([`p1 none ${A.ip}→${B.ip} null 3`, `p2 none ${B.ip}→${A.ip} null 3`]);
    expect(dual.nodes.map((n) => [n.ip, n.podBlocks])).toEqual([
      [A.ip, ['10.244.1.0/26', 'fd00:244:a::/122']],
      [B.ip, ['10.244.2.64/26', 'fd00:244:b::/122']],
    ]);
  });

  it('a real IPv6 no-encap capture (tcpdump, namespaces): both nodes and their pod blocks from its neighbour discovery alone', async () => {
    const r = await analyze([join(HERE, '..', 'fixtures', 'real', 'ipv6-no-encap.pcap')]);
    expect(r.verdicts).toEqual(['fd00:244:a::/122 on node fd00:10::1 ⇄ fd00:244:b::/122 on node fd00:10::2: no encapsulation over an unidentified NIC both ways, 592 packets.']);
    expect(r.nodes.map((n) => [n.ip, n.podBlocks, n.macs])).toEqual([
      ['fd00:10::1', ['fd00:244:a::/122'], ['02:42:ac:10:0a:01']],
      ['fd00:10::2', ['fd00:244:b::/122'], ['02:42:ac:10:0a:02']],
    ]);
    // Node traffic: the two advertisements (a node's global address to the other's link-local one).
    expect(r.totals).toEqual({ packets: 600, podPackets: 592, duplicatePodPackets: 0, nodeTrafficPackets: 2, otherPackets: 6, overflowPackets: 0 });
  });

  it('real IPv6 pod traffic over VXLAN (tcpdump, namespaces), on an IPv4 and on an IPv6 underlay: the NIC and subnet from ip -j addr, packet counts as tshark reads them', async () => {
    const real = (f: string): string => join(HERE, '..', 'fixtures', 'real', f);
    const addrFiles = ['node-a', 'node-b'].map((n) => `${n}=${real(`ipv6-vxlan.${n}.addrs.json`)}`);
    // Per direction, tshark -Y 'vxlan && ip.src==...' (ipv6.src on the IPv6 underlay).
    for (const [file, a, b, ab, ba, subnet] of [
      ['ipv6-vxlan-ipv4-underlay.pcap', '172.16.10.1', '172.16.10.2', 262, 136, '172.16.10.0/24'],
      ['ipv6-vxlan-ipv6-underlay.pcap', 'fd00:10::1', 'fd00:10::2', 255, 145, 'fd00:10::/64'],
    ] as const) {
      const r = await analyze([real(file)], addrFiles);
      expect(r.verdicts, file).toEqual([
        `fd00:244:a::/122 on node-a (${a}) ⇄ fd00:244:b::/122 on node-b (${b}): VXLAN VNI 4096 UDP 4789 over eth1 (${subnet}) both ways, ${ab + ba} packets.`,
      ]);
      expect(r.paths.map((p) => [p.mode, p.vni, p.outerSrc, p.outerDst, p.interface, p.subnet, p.packets, p.podPairs])).toEqual([
        ['vxlan', 4096, a, b, 'eth1', subnet, ab, [{ src: 'fd00:244:a::5', dst: 'fd00:244:b::7', packets: ab }]],
        ['vxlan', 4096, b, a, 'eth1', subnet, ba, [{ src: 'fd00:244:b::7', dst: 'fd00:244:a::5', packets: ba }]],
      ]);
      expect(r.nodes.map((n) => [n.ip, n.name, n.podBlocks])).toEqual([
        [a, 'node-a', ['fd00:244:a::/122']],
        [b, 'node-b', ['fd00:244:b::/122']],
      ]);
      // The IPv4-underlay recording has the two nodes' router solicitations besides (link-local, no pods).
      expect(r.totals.podPackets, file).toBe(ab + ba);
      expect(r.totals.packets - r.totals.podPackets, file).toBe(file.includes('ipv4') ? 2 : 0);
      expect(r.findings.map((f) => f.code), file).toEqual([]);
    }
  });

  it('a real VXLAN capture with the offloads on (tcpdump, namespaces): TSO super-packets are a note, not an MTU warning; NICs named differently on the two nodes are no asymmetry', async () => {
    const real = (f: string): string => join(HERE, '..', 'fixtures', 'real', f);
    const addrFiles = ['node-a', 'node-b'].map((n) => `${n}=${real(`vxlan-offloads-on.${n}.addrs.json`)}`);
    const r = await analyze([real('vxlan-offloads-on.pcap')], addrFiles);
    // Packets per direction and the largest outer IP length as tshark reads them (-Y vxlan, ip.len).
    expect(r.paths.map((p) => [p.mode, p.outerSrc, p.outerDst, p.interface, p.subnet, p.packets, p.maxOuterLength])).toEqual([
      ['vxlan', '172.20.1.11', '172.20.1.12', 'a-eth1', '172.20.1.0/24', 19, 64410],
      ['vxlan', '172.20.1.12', '172.20.1.11', 'b-eth1', '172.20.1.0/24', 13, 110],
    ]);
    // Before: "warning mtu.outer_exceeds_underlay" (64,410 bytes over a-eth1's 1500) and "warning
    // path.asymmetric_interface" (a-eth1 one way, b-eth1 the other: two nodes' NICs, by name).
    expect(r.findings.map((f) => `${f.severity} ${f.code} ${f.paths?.join(',')}`)).toEqual([
      'info checksum.bad_direction_unknown p1,p2',
      'info capture.offload_superpackets p1',
    ]);
    expect(r.verdicts).toEqual([
      '10.244.1.0/26 on node-a (172.20.1.11) ⇄ 10.244.2.64/26 on node-b (172.20.1.12): → VXLAN VNI 4096 UDP 4789 over a-eth1 (172.20.1.0/24); ← VXLAN VNI 4096 UDP 4789 over b-eth1 (172.20.1.0/24), 32 packets.',
    ]);
    // Both NICs are veths (link_netnsid in the node files): unfilled checksums are normal whichever node captured.
    expect(r.findings[0]!.message).toContain('and so it is on the receiving node: the receiving NIC (b-eth1, a-eth1) is a veth');
    expect(r.findings[0]!.remedy).toBeUndefined();
  });

  it('the same with tcpdump -i any (SLL2): unfilled checksums received over the veth are a note, not the bad_received warning', async () => {
    const real = (f: string): string => join(HERE, '..', 'fixtures', 'real', f);
    const addrFiles = ['node-a', 'node-b'].map((n) => `${n}=${real(`vxlan-offloads-on-any.${n}.addrs.json`)}`);
    const r = await analyze([real('vxlan-offloads-on-any.pcap')], addrFiles);
    // VXLAN packets per direction as tshark counts them on the NIC (each pod packet is also seen bare on vxlan.calico).
    expect(r.paths.map((p) => [p.outerSrc, p.interface, p.packets, p.maxOuterLength, p.checksums.badSent, p.checksums.badReceived])).toEqual([
      ['172.20.1.11', 'a-eth1', 19, 64410, 18, 0],
      ['172.20.1.12', 'a-eth1', 14, 126, 0, 13],
    ]);
    // Before: "warning checksum.bad_received" for p2 (the veth's unfilled checksums read as corruption).
    expect(r.findings.map((f) => `${f.severity} ${f.code} ${f.paths?.join(',')}`)).toEqual([
      'info checksum.unfilled_on_veth p2',
      'info checksum.offload_outgoing p1',
      'info capture.offload_superpackets p1',
    ]);
    expect(r.findings[0]!.message).toContain('13 of 13 checked packets were received with checksums not filled in, on a-eth1, whose peer is in another network namespace');
    // Without node address files nothing says the NIC is a veth: the warning, with its caveat.
    const bare = await analyze([real('vxlan-offloads-on-any.pcap')]);
    expect(bare.findings.filter((f) => f.code.startsWith('checksum.')).map((f) => `${f.severity} ${f.code}`)).toEqual(['warning checksum.bad_received', 'info checksum.offload_outgoing']);
  });

  it('mixed capture: a no-encap flow is pod traffic because its pod block was learned from IPIP in the same run', async () => {
    // node-a ⇄ node-b over IPIP; node-a ⇄ node-c (same L2) without encapsulation. No ARP, no files, no CIDR.
    const C: NodeSpec = { ...B, name: 'node-c', ip: '172.16.0.13', mac: '02:00:00:0c:00:01', tunl: '10.244.3.128', pod: '10.244.3.140' };
    const r = await analyze([pcap('node-a.pcap', [...ipipPings(A, B, 2), ...plainPings(A, C, 3)])]);
    expect(r.paths.map((p) => [p.mode, p.outerSrc, p.outerDst, p.srcMac, p.dstMac, p.packets])).toEqual([
      ['ipip', A.ip, B.ip, A.mac, B.mac, 2],
      ['ipip', B.ip, A.ip, B.mac, A.mac, 2],
      ['none', null, null, A.mac, C.mac, 3],
      ['none', null, null, C.mac, A.mac, 3],
    ]);
    expect(r.paths[2]!.podPairs).toEqual([{ src: A.pod, dst: C.pod, packets: 3 }]);
    expect(r.totals).toEqual({ packets: 10, podPackets: 10, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 });
    expect(codes(r)).not.toContain('traffic.unclassified');
    // node-a ⇄ node-b and node-a ⇄ node-c are different pairs: nothing mixed, nothing one-way.
    expect(codes(r)).toEqual(['attribution.unknown_interface']);
  });
});

// ---------------------------------------------------------------------------

describe('findings on crafted captures', () => {
  it('path.one_way: IPIP in one direction only', async () => {
    const r = await analyze([pcap('node-a.pcap', [1, 2, 3].map((i) => ipipPacket(under(A, B), echo(A.pod, B.pod, i))))], [addrs(A), addrs(B)]);
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.0.11→172.16.0.12 eth1 3']);
    expect(r.findings).toContainEqual({
      severity: 'warning',
      code: 'path.one_way',
      message: 'node-a (172.16.0.11) → node-b (172.16.0.12): IPIP traffic seen in this direction only, nothing came back in the capture',
      paths: ['p1'],
      remedy:
        'check that IP protocol 4 is allowed between the nodes (firewalls, cloud security groups, source/destination check) and that the capture saw both directions',
    });
  });

  it('path.asymmetric_mode: IPIP one way, VXLAN back', async () => {
    const list: number[][] = [];
    for (let i = 1; i <= 2; i++) {
      list.push(ipipPacket(under(A, B), echo(A.pod, B.pod, i)));
      list.push(vxlanPacket(under(B, A), { innerSrcMac: B.vtep, innerDstMac: A.vtep }, echo(B.pod, A.pod, i, true)));
    }
    const r = await analyze([pcap('node-a.pcap', list)], [addrs(A), addrs(B)]);
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.0.11→172.16.0.12 eth1 2', 'p2 vxlan 172.16.0.12→172.16.0.11 eth1 2']);
    expect(finding(r, 'path.asymmetric_mode')).toMatchObject({
      severity: 'warning',
      message: 'node-a (172.16.0.11) → node-b (172.16.0.12) uses IPIP but the reverse direction uses VXLAN: a half-applied change (e.g. CrossSubnet on one side)',
      paths: ['p1', 'p2'],
    });
    expect(codes(r)).not.toContain('path.one_way');
    expect(codes(r)).not.toContain('path.mixed_modes');
    expect(r.verdicts).toEqual([
      '10.244.1.0/26 on node-a (172.16.0.11) ⇄ 10.244.2.64/26 on node-b (172.16.0.12): → IPIP over eth1 (172.16.0.0/24); ← VXLAN VNI 4096 UDP 4789 over eth1 (172.16.0.0/24), 4 packets.',
    ]);
  });

  it('path.asymmetric_interface: two pcapng captures on node-a, out on eth1 and back on eth2', async () => {
    const out: Frame[] = [1, 2, 3].map((i) => ({ ts: 1_700_000_000 + i, data: ipipPacket(under(A, B), echo(A.pod, B.pod, i)) }));
    const back: Frame[] = [1, 2, 3].map((i) => ({ ts: 1_700_000_000 + i + 0.5, data: ipipPacket(under(B, A), echo(B.pod, A.pod, i, true)) }));
    const f1 = tmp.pcapng('node-a.eth1.pcapng', { interfaces: [{ name: 'eth1' }], frames: out.map((f) => ({ ...f, interfaceId: 0 })) });
    const f2 = tmp.pcapng('node-a.eth2.pcapng', { interfaces: [{ name: 'eth2' }], frames: back.map((f) => ({ ...f, interfaceId: 0 })) });
    const r = await analyze([f1, f2]);
    expect(r.paths.map((p) => [shape(p), p.captures])).toEqual([
      ['p1 ipip 172.16.0.11→172.16.0.12 eth1 3', [f1]],
      ['p2 ipip 172.16.0.12→172.16.0.11 eth2 3', [f2]],
    ]);
    expect(finding(r, 'path.asymmetric_interface')).toMatchObject({
      severity: 'warning',
      message: 'node 172.16.0.11 → node 172.16.0.12 runs over eth1 but the reverse direction over eth2',
      paths: ['p1', 'p2'],
    });
    expect(codes(r)).not.toContain('path.one_way');
    expect(r.verdicts).toEqual([
      '10.244.1.0/26 on node 172.16.0.11 ⇄ 10.244.2.64/26 on node 172.16.0.12: → IPIP over eth1; ← IPIP over eth2, 6 packets.',
    ]);
  });

  it('capture.truncated: a capture cut inside its fifth record still reports the four packets before the cut', async () => {
    const spec: PcapSpec = { frames: frames(ipipPings(A, B, 3)) };
    const cut = pcapOffsetAfter(spec, 4) + 30;
    const file = tmp.pcap('cut.pcap', { ...spec, truncateAt: cut });
    const r = await analyze([file]);
    expect(r.captures[0]!.packets).toBe(4);
    expect(r.captures[0]!.error).toMatchObject({ code: 'truncated_tail', packet: 5 });
    expect(r.paths.map(shape)).toEqual(['p1 ipip 172.16.0.11→172.16.0.12 null 2', 'p2 ipip 172.16.0.12→172.16.0.11 null 2']);
    const f = finding(r, 'capture.truncated');
    expect(f.severity).toBe('error');
    expect(f.message).toMatch(/the report covers the 4 packets before it$/);
    expect(r.totals.podPackets).toBe(4);
  });

  it('capture.snaplen: packets cut by the snaplen are counted, and their outer headers still make the path', async () => {
    const list = ipipPings(A, B, 2);
    const file = tmp.pcap('snap.pcap', { snapLen: 40, frames: frames(list).map((f) => ({ ...f, capLen: 40 })) });
    const r = await analyze([file]);
    expect(r.captures[0]!.truncatedPackets).toBe(4);
    // 40 bytes: Ethernet 14 + outer IPv4 20, and 6 of the pod's IPv4 header.
    expect(r.captures[0]!.headersCutPackets).toBe(4);
    expect(finding(r, 'capture.snaplen').message).toContain(
      `${file}: 4 packets captured short end inside a header (the first: frame 1, 40 of ${list[0]!.length} bytes captured, cut inside the inner IPv4 header, which starts at byte 34)`,
    );
  });

  it('traffic.no_pod_traffic: only ARP and node-to-node pings', async () => {
    const r = await analyze([pcap('node-a.pcap', [...arpExchange(A, B), ...plainPings(A, B, 1, { src: A.ip, dst: B.ip })])]);
    expect(r.paths).toEqual([]);
    expect(r.findings).toEqual([
      {
        severity: 'warning',
        code: 'traffic.no_pod_traffic',
        message: 'no pod traffic found: no tunnelled packets, and no unencapsulated traffic podpath could tell was pod traffic',
        remedy:
          'capture on the node NIC while pods on different nodes talk (e.g. kubectl exec ... ping); for no-encap clusters pass --pod-cidr or --node-addrs',
      },
    ]);
  });

  it('an empty capture has no findings about traffic', async () => {
    const r = await analyze([tmp.pcap('empty.pcap', { frames: [] })]);
    expect(r.findings).toEqual([]);
    expect(r.totals.packets).toBe(0);
  });
});

// ---------------------------------------------------------------------------

describe('verdict sentences', () => {
  it('IPIP both ways, with node files', async () => {
    const r = await analyze([pcap('node-a.pcap', ipipPings(A, B, 3))], [addrs(A), addrs(B)]);
    expect(r.verdicts).toEqual([
      '10.244.1.0/26 on node-a (172.16.0.11) ⇄ 10.244.2.64/26 on node-b (172.16.0.12): IPIP over eth1 (172.16.0.0/24) both ways, 6 packets.',
    ]);
  });

  it('VXLAN both ways, with node files: VNI and port are named', async () => {
    const r = await analyze([pcap('node-a.pcap', vxlanPings(A, B, 2))], [addrs(A, { tunnel: 'vxlan.calico' }), addrs(B, { tunnel: 'vxlan.calico' })]);
    expect(r.verdicts).toEqual([
      '10.244.1.0/26 on node-a (172.16.0.11) ⇄ 10.244.2.64/26 on node-b (172.16.0.12): VXLAN VNI 4096 UDP 4789 over eth1 (172.16.0.0/24) both ways, 4 packets.',
    ]);
  });

  it('the real vxlan sample', async () => {
    const dir = 'vxlan';
    const r = await analyze([sample(dir, 'node-a.eth1.pcap')], [sample(dir, 'node-a.addrs.json'), sample(dir, 'node-b.addrs.json')]);
    expect(r.verdicts).toEqual([
      '10.244.1.0/26 on node-a (172.20.1.11) ⇄ 10.244.2.64/26 on node-b (172.20.1.12): VXLAN VNI 4096 UDP 4789 over eth1 (172.20.1.0/24) both ways, 40 packets.',
    ]);
  });

  it('one way: "only → seen" and "only ← seen", singular packet', async () => {
    const fwd = await analyze([pcap('fwd.pcap', [ipipPacket(under(A, B), echo(A.pod, B.pod, 1))])]);
    expect(fwd.verdicts).toEqual(['10.244.1.0/26 on node 172.16.0.11 ⇄ 10.244.2.64/26 on node 172.16.0.12: IPIP over an unidentified NIC, only → seen, 1 packet.']);
    // The pair is always written lower address first; here only the reverse was captured.
    const rev = await analyze([pcap('rev.pcap', [1, 2].map((i) => ipipPacket(under(B, A), echo(B.pod, A.pod, i))))], [], { interfaceName: 'eth1' });
    expect(rev.verdicts).toEqual(['10.244.1.0/26 on node 172.16.0.11 ⇄ 10.244.2.64/26 on node 172.16.0.12: IPIP over eth1, only ← seen, 2 packets.']);
  });
});

// ---------------------------------------------------------------------------

describe('determinism', () => {
  it('the same captures analysed twice give deep-equal reports', async () => {
    const dir = 'three-nics-storage';
    const files = [sample(dir, 'node-a.ens5.pcap'), sample(dir, 'node-a.ens4.pcap')];
    const nodeFiles = [sample(dir, 'node-a.addrs.json'), sample(dir, 'node-b.addrs.json')];
    const first = await analyze(files, nodeFiles);
    const second = await analyze(files, nodeFiles);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first.paths.map(shape)).toEqual(['p1 ipip 10.100.30.31→10.100.30.32 ens5 16', 'p2 ipip 10.100.30.32→10.100.30.31 ens5 16']);
    expect(first.totals).toEqual({ packets: 40, podPackets: 32, duplicatePodPackets: 0, nodeTrafficPackets: 4, otherPackets: 4, overflowPackets: 0 });
  });

  it('[a, b] and [b, a]: the same paths, nodes, findings and verdicts; only the order of report.captures differs', async () => {
    const fa = pcap('a.pcap', [...ipipPings(A, B, 2), ...arpExchange(A, B)]);
    const fb = pcap('b.pcap', [...plainPings(A, B, 1, { src: '10.244.1.70', dst: '10.244.2.200' }), ...ipipPings(B, A, 1)]);
    const nodeFiles = [addrs(A), addrs(B)];
    const ab = await analyze([fa, fb], nodeFiles);
    const ba = await analyze([fb, fa], nodeFiles);
    expect(ba.captures.map((c) => c.file)).toEqual([fb, fa]);
    expect(ba.captures).toEqual([...ab.captures].reverse());
    const { captures: _c1, ...restAb } = ab;
    const { captures: _c2, ...restBa } = ba;
    expect(restBa).toEqual(restAb);
    expect(ab.paths.map((p) => `${shape(p)} ${p.captures.join(',')}`)).toEqual([
      `p1 ipip 172.16.0.11→172.16.0.12 eth1 2 ${fa}`,
      `p2 ipip 172.16.0.11→172.16.0.12 eth1 1 ${fb}`,
      `p3 none 172.16.0.11→172.16.0.12 eth1 1 ${fb}`,
      `p4 ipip 172.16.0.12→172.16.0.11 eth1 2 ${fa}`,
      `p5 ipip 172.16.0.12→172.16.0.11 eth1 1 ${fb}`,
      `p6 none 172.16.0.12→172.16.0.11 eth1 1 ${fb}`,
    ]);
  });

  it('[a, b] and [b, a]: findings about a capture itself (capture.snaplen here) follow the capture order', async () => {
    const cut = (name: string, list: number[][]): string => tmp.pcap(name, { snapLen: 54, frames: frames(list).map((f) => ({ ...f, capLen: 54 })) });
    const fa = cut('a.pcap', ipipPings(A, B, 1));
    const fb = cut('b.pcap', ipipPings(A, B, 2));
    const ab = await analyze([fa, fb]);
    const ba = await analyze([fb, fa]);
    const snaplen = (r: Report): string[] => r.findings.filter((f) => f.code === 'capture.snaplen').map((f) => f.message.split(':')[0]!);
    expect(snaplen(ab)).toEqual([fa, fb]);
    expect(snaplen(ba)).toEqual([fb, fa]);
    // Everything else is the same: outer headers (54 bytes keep outer and inner IPv4) still make the paths.
    expect(ba.paths).toEqual(ab.paths);
    expect(ba.nodes).toEqual(ab.nodes);
    expect(ba.verdicts).toEqual(ab.verdicts);
    expect(ba.totals).toEqual(ab.totals);
    expect(ab.paths.map(shape)).toEqual([
      'p1 ipip 172.16.0.11→172.16.0.12 null 1',
      'p2 ipip 172.16.0.11→172.16.0.12 null 2',
      'p3 ipip 172.16.0.12→172.16.0.11 null 1',
      'p4 ipip 172.16.0.12→172.16.0.11 null 2',
    ]);
    expect(ab.paths[0]!.podPairs).toEqual([{ src: A.pod, dst: B.pod, packets: 1 }]);
  });
});

// ---------------------------------------------------------------------------

describe('several captures of one node pair', () => {
  it("node-a's NIC and node-b's NIC: paths are per capture, the verdict adds them up", async () => {
    // The same 3 pings seen from each side; node-b's eth1 capture has them 200 µs later.
    const list = ipipPings(A, B, 3);
    const fa = tmp.pcap('node-a.eth1.pcap', { frames: frames(list) });
    const fb = tmp.pcap('node-b.eth1.pcap', { frames: frames(list, 1_700_000_000.0002) });
    const r = await analyze([fa, fb], [addrs(A), addrs(B)]);
    expect(r.paths.map((p) => [shape(p), p.captures, p.exampleFrames.map((e) => `${e.capture === fa ? 'a' : 'b'}#${e.frame}`)])).toEqual([
      ['p1 ipip 172.16.0.11→172.16.0.12 eth1 3', [fa], ['a#1', 'a#3', 'a#5']],
      ['p2 ipip 172.16.0.11→172.16.0.12 eth1 3', [fb], ['b#1', 'b#3', 'b#5']],
      ['p3 ipip 172.16.0.12→172.16.0.11 eth1 3', [fa], ['a#2', 'a#4', 'a#6']],
      ['p4 ipip 172.16.0.12→172.16.0.11 eth1 3', [fb], ['b#2', 'b#4', 'b#6']],
    ]);
    expect(r.totals).toEqual({ packets: 12, podPackets: 12, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 });
    expect(r.verdicts).toEqual([
      '10.244.1.0/26 on node-a (172.16.0.11) ⇄ 10.244.2.64/26 on node-b (172.16.0.12): IPIP over eth1 (172.16.0.0/24) both ways, 12 packets.',
    ]);
    expect(r.nodes.map((n) => [n.ip, n.podBlocks, n.podAddressCount])).toEqual([
      ['172.16.0.11', ['10.244.1.0/26'], 1],
      ['172.16.0.12', ['10.244.2.64/26'], 1],
    ]);
    // Only the advice on which NIC each two-NIC node's tunnel uses.
    expect(r.findings.map((f) => f.code)).toEqual(['node.tunnel_nic', 'node.tunnel_nic']);
  });

  it('node-b captured with its NIC at another ifindex: each capture names its own NIC', async () => {
    const list = ipipPings(A, B, 2);
    const fa = pcap('node-a.pcap', list);
    const fb = pcap('node-b.pcap', list);
    const r = await analyze([fa, fb], [addrs(A), addrs(B, { nic: 'ens5' })]);
    // Classic pcap: the node files name each end's NIC; evidence lists both ends.
    expect(r.paths.map((p) => [shape(p), p.interfaceEvidence.map((e) => e.interface)])).toEqual([
      ['p1 ipip 172.16.0.11→172.16.0.12 eth1 2', ['eth1', 'ens5']],
      ['p2 ipip 172.16.0.11→172.16.0.12 eth1 2', ['eth1', 'ens5']],
      ['p3 ipip 172.16.0.12→172.16.0.11 ens5 2', ['ens5', 'eth1']],
      ['p4 ipip 172.16.0.12→172.16.0.11 ens5 2', ['ens5', 'eth1']],
    ]);
  });
});
