/**
 * One test per finding code podpath emits (src/analysis/findings.ts and
 * src/analysis/build-report.ts): on the recorded samples where one shows the
 * case (samples/README.md), on crafted captures (./craft.ts, ./craft-more.ts)
 * where none does. Each test checks the finding's severity, the paths it
 * names and the words of its message, and that nothing else is found (so a
 * test also shows which codes come together). Then the negative cases: the
 * clean samples have no warnings, and the boundaries (MSS = room, outer =
 * MTU) give nothing. Last, `podpath verify --expect cross-subnet` on the two
 * cross-subnet samples through the built CLI.
 *
 * A meta-test reads the two source files and fails when a code there has no
 * test here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeCaptures, type AnalyzeOptions } from '../../src/analysis/analyze.js';
import { loadNodeAddrs } from '../../src/analysis/node-addrs.js';
import type { Finding, PathReport, Report } from '../../src/analysis/report.js';
import type { VerifyResult } from '../../src/analysis/verify.js';
import { podpath, ROOT } from '../cli/helpers.js';
import {
  arpPacket,
  ETHERTYPE_IPV4,
  ethernet,
  type Frame,
  frames,
  type IfaceSpec,
  ipipPacket,
  ipv4,
  icmpEcho,
  pcapBytes,
  pcapOffsetAfter,
  type PcapSpec,
  plainPacket,
  type PodPacket,
  TempDir,
  type Underlay,
  vxlanPacket,
  LINKTYPE_LINUX_SLL2,
  PKT_HOST,
  PKT_OUTGOING,
  sll2,
} from './craft.js';
import { ipipTcpPacket, ipv4Fragment, podTcpIp, TCP_ACK, TCP_SYN, type TcpSpec, vxlanOfIp, wireguardPacket } from './craft-more.js';

const SAMPLES = join(ROOT, 'samples');
const sample = (...p: string[]): string => join(SAMPLES, ...p);
/** A sample's captures and node address files, as scripts/analyze-samples.mjs passes them. */
function sampleFiles(scenario: string, captures: string[], nodes = ['node-a', 'node-b']): [string[], string[]] {
  return [captures.map((c) => sample(scenario, c)), nodes.map((n) => sample(scenario, `${n}.addrs.json`))];
}

async function analyze(files: string[], addrFiles: string[] = [], opts: AnalyzeOptions = {}): Promise<Report> {
  const nodeAddrs = await Promise.all(addrFiles.map((f) => loadNodeAddrs(f)));
  const { report } = await analyzeCaptures(files, { ...opts, nodeAddrs });
  return report;
}

/** "code [src→dst, ...]" per finding, sorted: which codes, about which paths. */
function found(r: Report): string[] {
  const dir = (id: string): string => {
    const p = r.paths.find((x) => x.id === id);
    return p ? `${p.srcNode ?? p.outerSrc ?? p.srcMac}→${p.dstNode ?? p.outerDst ?? p.dstMac}` : `?${id}`;
  };
  return r.findings.map((f) => `${f.code}${f.paths ? ` [${f.paths.map(dir).join(', ')}]` : ''}`).sort();
}

function one(r: Report, code: string, where?: string): Finding {
  const fs = r.findings.filter((f) => f.code === code && (where === undefined || f.message.includes(where)));
  expect(fs.map((f) => f.message), `one ${code}${where ? ` about ${where}` : ''}; have ${found(r).join('; ')}`).toHaveLength(1);
  return fs[0]!;
}

function path(r: Report, src: string, dst: string, mode?: string): PathReport {
  const p = r.paths.find((x) => x.outerSrc === src && x.outerDst === dst && (mode === undefined || x.mode === mode));
  if (!p) throw new Error(`no path ${src} → ${dst}; have ${r.paths.map((x) => `${x.outerSrc}→${x.outerDst} ${x.mode}`).join(', ')}`);
  return p;
}

const warnings = (r: Report): string[] => r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.code}: ${f.message}`);

// ---------------------------------------------------------------------------
// Registration: every finding test names its code, so the meta-test can see which codes have one.

const TESTED = new Set<string>();
function findingTest(code: string, name: string, fn: () => Promise<void> | void): void {
  TESTED.add(code);
  it(`${code}: ${name}`, fn);
}

// ---------------------------------------------------------------------------
// The crafted cluster: two nodes on 172.16.0.0/24 (eth1), a pod each.

interface NodeSpec {
  name: string;
  ip: string;
  mac: string;
  pod: string;
  tunl: string;
}

const A: NodeSpec = { name: 'node-a', ip: '172.16.0.11', mac: '02:00:00:0a:00:01', pod: '10.244.1.10', tunl: '10.244.1.0' };
const B: NodeSpec = { name: 'node-b', ip: '172.16.0.12', mac: '02:00:00:0b:00:01', pod: '10.244.2.75', tunl: '10.244.2.64' };

/** lo, eth1 (the NIC, `mtu`; named `nic` when given), tunl0; `mgmt` adds eth0 192.168.0.x (a second underlay NIC). */
function ifaces(n: NodeSpec, opts: { mtu?: number; mgmt?: boolean; nic?: string; veth?: boolean } = {}): IfaceSpec[] {
  const last = n.ip.split('.').pop();
  return [
    { ifindex: 1, name: 'lo', addrs: ['127.0.0.1/8'] },
    ...(opts.mgmt ? [{ ifindex: 2, name: 'eth0', mac: n.mac.replace(/01$/, '00'), addrs: [`192.168.0.${last}/24`] }] : []),
    { ifindex: 3, name: opts.nic ?? 'eth1', mac: n.mac, mtu: opts.mtu ?? 1500, addrs: [`${n.ip}/24`], ...(opts.veth ? { linkNetnsid: 0 } : {}) },
    { ifindex: 5, name: 'tunl0', linkType: 'ipip', mtu: 1480, addrs: [`${n.tunl}/32`] },
  ];
}

const under = (from: NodeSpec, to: NodeSpec): Underlay => ({ srcMac: from.mac, dstMac: to.mac, outerSrc: from.ip, outerDst: to.ip });
const echo = (src: string, dst: string, seq: number, reply = false, dataLength = 56): PodPacket => ({ src, dst, icmp: { type: reply ? 0 : 8, id: 0x0a0b, seq, dataLength } });

/** n pings from `from`'s pod to `to`'s pod over IPIP, each answered. */
function ipipPings(from: NodeSpec, to: NodeSpec, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 1; i <= n; i++) {
    out.push(ipipPacket(under(from, to), echo(from.pod, to.pod, i)));
    out.push(ipipPacket(under(to, from), echo(to.pod, from.pod, i, true)));
  }
  return out;
}

function vxlanPings(from: NodeSpec, to: NodeSpec, n: number, v: { vni?: number; dstPort?: number } = {}): number[][] {
  const out: number[][] = [];
  for (let i = 1; i <= n; i++) {
    out.push(vxlanPacket(under(from, to), { vni: v.vni ?? 4096, dstPort: v.dstPort ?? 4789, srcPort: 40000 + i }, echo(from.pod, to.pod, i)));
    out.push(vxlanPacket(under(to, from), { vni: v.vni ?? 4096, dstPort: v.dstPort ?? 4789, srcPort: 50000 + i }, echo(to.pod, from.pod, i, true)));
  }
  return out;
}

/** A pod TCP SYN from `from`'s pod to `to`'s pod, in IPIP. */
const syn = (from: NodeSpec, to: NodeSpec, srcPort: number, mss = 1440, seq = 1000): number[] =>
  ipipTcpPacket(under(from, to), { src: from.pod, dst: to.pod, srcPort, dstPort: 8080, seq, flags: TCP_SYN, mss });
/** Its SYN-ACK. */
const synAck = (from: NodeSpec, to: NodeSpec, srcPort: number, seq = 1000): number[] =>
  ipipTcpPacket(under(to, from), { src: to.pod, dst: from.pod, srcPort: 8080, dstPort: srcPort, seq: 5000, ack: seq + 1, flags: TCP_SYN | TCP_ACK, mss: 1440 } satisfies TcpSpec);

let tmp: TempDir;
beforeEach(() => {
  tmp = new TempDir('podpath-findings-');
});
afterEach(() => {
  tmp.cleanup();
});

const pcap = (name: string, list: number[][], extra: Partial<PcapSpec> = {}): string => tmp.pcap(name, { frames: frames(list), ...extra });
const addrs = (n: NodeSpec, opts: Parameters<typeof ifaces>[1] = {}): string => tmp.nodeAddrs(`${n.name}.addrs.json`, ifaces(n, opts));

// ---------------------------------------------------------------------------

describe('every finding code has a test here', () => {
  it('the codes in src/analysis/findings.ts and build-report.ts are the codes tested in this file', () => {
    const src = ['findings.ts', 'build-report.ts'].map((f) => readFileSync(join(ROOT, 'src', 'analysis', f), 'utf8')).join('\n');
    const codes = new Set([...src.matchAll(/'([a-z]+\.[a-z_]+)'/g)].map((m) => m[1]!).filter((c) => !c.endsWith('.js')));
    expect([...TESTED].sort()).toEqual([...codes].sort());
  });
});

describe('capture.*: damage to the file', () => {
  findingTest('capture.truncated', 'a capture cut inside its fourth record (a killed tcpdump) reports the three before it', async () => {
    const spec: PcapSpec = { frames: frames([...ipipPings(A, B, 2)]) };
    const file = tmp.file('cut.pcap');
    writeFileSync(file, pcapBytes({ ...spec, truncateAt: pcapOffsetAfter(spec, 3) + 30 }));
    const r = await analyze([file]);
    expect(r.captures[0]!.error?.code).toBe('truncated_tail');
    const f = one(r, 'capture.truncated');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('the report covers the 3 packets before it');
    expect(r.totals.packets).toBe(3);
  });

  findingTest('capture.damaged', 'a record header claiming 256 MiB is damage, not a truncated tail', async () => {
    const file = tmp.file('damaged.pcap');
    const good = pcapBytes({ frames: frames(ipipPings(A, B, 1)) });
    const bad = Buffer.alloc(16 + 8);
    bad.writeUInt32LE(1_700_000_001, 0);
    bad.writeUInt32LE(0, 4);
    bad.writeUInt32LE(0x10000000, 8); // captured length 256 MiB
    bad.writeUInt32LE(0x10000000, 12);
    writeFileSync(file, Buffer.concat([good, bad]));
    const r = await analyze([file]);
    expect(r.captures[0]!.error?.code).toBe('record_too_large');
    const f = one(r, 'capture.damaged');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('the report covers the 2 packets before it');
    expect(r.paths).toHaveLength(2);
  });

  findingTest('capture.snaplen', 'packets cut to 54 bytes, inside their headers: a warning naming the first, the tunnel still seen', async () => {
    const list = ipipPings(A, B, 2);
    const wire = list[0]!.length;
    const file = tmp.pcap('snap.pcap', { snapLen: 54, frames: frames(list).map((f) => ({ ...f, capLen: 54 })) });
    const r = await analyze([file]);
    expect(r.captures[0]).toMatchObject({ truncatedPackets: 4, headersCutPackets: 4 });
    const f = one(r, 'capture.snaplen');
    expect(f.severity).toBe('warning');
    // Ethernet 14 + outer IPv4 20 + pod IPv4 20: the pod's ICMP header would start at byte 54.
    expect(f.message).toBe(
      `${file}: 4 packets captured short end inside a header (the first: frame 1, 54 of ${wire} bytes captured, cut where the inner ICMP header starts): ` +
        "such packets are decoded only up to the cut, so what the missing headers carry (for the pod's TCP: retransmissions, segment sizes, the MTU findings) is not in the report",
    );
    expect(f.remedy).toContain('tcpdump -s 0');
    expect(f.remedy).toContain('-s 256');
    expect(r.paths.map((p) => `${p.mode} ${p.outerSrc}→${p.outerDst}`)).toEqual(['ipip 172.16.0.11→172.16.0.12', 'ipip 172.16.0.12→172.16.0.11']);
  });

  findingTest('capture.snaplen', 'a headers-only capture (TCP segments cut at 100 bytes, after their headers): a note, no remedy', async () => {
    const t0 = 1_700_000_000;
    const data = (from: NodeSpec, to: NodeSpec, seq: number, length: number): number[] =>
      ipipTcpPacket(under(from, to), { src: from.pod, dst: to.pod, srcPort: 40001, dstPort: 8080, seq, ack: 1, flags: TCP_ACK, payload: new Array<number>(length).fill(0x41) });
    // The SYN (78 bytes with its MSS option) is shorter than the snap length: kept whole.
    const list = [syn(A, B, 40001), data(A, B, 1001, 1000), data(A, B, 2001, 1000), data(A, B, 3001, 10)];
    const file = tmp.pcap('headers-only.pcap', {
      snapLen: 100,
      frames: list.map((d, i) => ({ ts: t0 + i * 0.001, data: d, capLen: Math.min(d.length, 100) })),
    });
    const r = await analyze([file]);
    expect(list.map((d) => d.length)).toEqual([78, 1074, 1074, 84]);
    expect(r.captures[0]).toMatchObject({ truncatedPackets: 2, headersCutPackets: 0 });
    const f = one(r, 'capture.snaplen');
    expect(f).toEqual({
      severity: 'info',
      code: 'capture.snaplen',
      message: `${file}: 2 packets were cut by the capture's snaplen after their headers (a headers-only capture): every header was decoded, and packet sizes are the ones the headers give`,
    });
    // The segments' sizes as sent (pod IPv4 20 + TCP 20 + 1000), not as kept.
    expect(r.paths[0]!.maxInnerLength).toBe(1040);
  });
});

describe('traffic.*: what is not pod traffic', () => {
  findingTest('traffic.no_pod_traffic', 'ARP and node-to-node pings only', async () => {
    const nodePing = (from: NodeSpec, to: NodeSpec, reply: boolean): number[] =>
      ethernet(from.mac, to.mac, ETHERTYPE_IPV4, ipv4({ src: from.ip, dst: to.ip, protocol: 1, payload: icmpEcho({ type: reply ? 0 : 8 }) }));
    const file = pcap('nodes.pcap', [
      arpPacket({ op: 1, senderMac: A.mac, senderIp: A.ip, targetIp: B.ip }),
      arpPacket({ op: 2, senderMac: B.mac, senderIp: B.ip, targetMac: A.mac, targetIp: A.ip }),
      nodePing(A, B, false),
      nodePing(B, A, true),
    ]);
    const r = await analyze([file]);
    expect(found(r)).toEqual(['traffic.no_pod_traffic']);
    expect(one(r, 'traffic.no_pod_traffic').severity).toBe('warning');
    expect(r.totals.nodeTrafficPackets).toBe(2);
  });

  findingTest('traffic.no_pod_traffic', 'samples/vxlan-flannel-8472 without --vxlan-port: nothing decoded as a tunnel', async () => {
    const r = await analyze(...sampleFiles('vxlan-flannel-8472', ['node-a.eth0.pcap']));
    expect(found(r)).toEqual(['traffic.no_pod_traffic', 'vxlan.unconfigured_port']);
    expect(r.paths).toEqual([]);
  });

  findingTest('traffic.unclassified', 'unencapsulated traffic between two addresses no node owns: podpath says it cannot tell', async () => {
    const file = pcap('unknown.pcap', [
      plainPacket('02:aa:00:00:00:01', '02:aa:00:00:00:02', echo('10.9.9.1', '10.9.9.2', 1)),
      plainPacket('02:aa:00:00:00:02', '02:aa:00:00:00:01', echo('10.9.9.2', '10.9.9.1', 1, true)),
    ]);
    const r = await analyze([file]);
    expect(found(r)).toEqual(['traffic.no_pod_traffic', 'traffic.unclassified']);
    const f = one(r, 'traffic.unclassified');
    expect(f.severity).toBe('info');
    expect(f.message).toContain('2 unencapsulated packets between addresses podpath cannot place (e.g. 10.9.9.1 → 10.9.9.2, 10.9.9.2 → 10.9.9.1)');
    expect(f.remedy).toContain('--pod-cidr');
  });
});

describe('attribution.*: which NIC', () => {
  findingTest('attribution.unknown_interface', 'samples/vxlan without node address files: a classic pcap names no NIC', async () => {
    const r = await analyze([sample('vxlan', 'node-a.eth1.pcap')]);
    expect(found(r)).toEqual(['attribution.unknown_interface [172.20.1.11→172.20.1.12, 172.20.1.12→172.20.1.11]']);
    const f = one(r, 'attribution.unknown_interface');
    expect(f.severity).toBe('info');
    expect(f.message).toBe('no evidence names the NIC that carried any path');
    expect(r.paths.map((p) => p.interface)).toEqual([null, null]);
  });

  findingTest('attribution.conflict', "dumpcap says eth0, node-a's file gives the tunnel address to eth1", async () => {
    const list = ipipPings(A, B, 2);
    const file = tmp.pcapng('node-a.pcapng', { interfaces: [{ name: 'eth0' }], frames: frames(list).map((f) => ({ ...f, interfaceId: 0 })) });
    const r = await analyze([file], [addrs(A, { mgmt: true })]);
    expect(found(r)).toEqual([
      'attribution.conflict [node-a→172.16.0.12]',
      'attribution.conflict [172.16.0.12→node-a]',
      // node-a has two NICs: which one the tunnel used is information of its own.
      'node.tunnel_nic',
    ].sort());
    const f = one(r, 'attribution.conflict', 'node-a (172.16.0.11) → node 172.16.0.12');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('captured on eth0 but the tunnel endpoint address belongs to eth1');
  });
});

describe('path.*: how the two directions of a node pair compare', () => {
  findingTest('path.asymmetric_mode', 'node-a → node-b over IPIP, node-b → node-a unencapsulated (CrossSubnet on one side)', async () => {
    const list: number[][] = [];
    for (let i = 1; i <= 3; i++) {
      list.push(ipipPacket(under(A, B), echo(A.pod, B.pod, i)));
      list.push(plainPacket(B.mac, A.mac, echo(B.pod, A.pod, i, true)));
    }
    const r = await analyze([pcap('asym.pcap', list)], [addrs(A), addrs(B)]);
    expect(path(r, B.ip, A.ip).mode).toBe('none');
    expect(found(r)).toEqual(['path.asymmetric_mode [node-a→node-b, node-b→node-a]']);
    const f = one(r, 'path.asymmetric_mode');
    expect(f.severity).toBe('warning');
    expect(f.message).toBe('node-a (172.16.0.11) → node-b (172.16.0.12) uses IPIP but the reverse direction uses no encapsulation: a half-applied change (e.g. CrossSubnet on one side)');
  });

  findingTest('path.mixed_modes', 'IPIP and VXLAN between the same nodes, both ways', async () => {
    const r = await analyze([pcap('mixed.pcap', [...ipipPings(A, B, 2), ...vxlanPings(A, B, 2)])], [addrs(A), addrs(B)]);
    expect(r.paths).toHaveLength(4);
    expect(found(r)).toEqual(['path.mixed_modes [node-a→node-b, node-a→node-b, node-b→node-a, node-b→node-a]']);
    const f = one(r, 'path.mixed_modes');
    expect(f.severity).toBe('warning');
    expect(f.message).toBe('node-a (172.16.0.11) → node-b (172.16.0.12): pod traffic between these nodes is seen in several modes (IPIP, VXLAN)');
  });

  findingTest('path.asymmetric_interface', 'out over eth1, back over eth2 (dumpcap with both NICs)', async () => {
    const list = frames(ipipPings(A, B, 3));
    const file = tmp.pcapng('node-a.pcapng', { interfaces: [{ name: 'eth1' }, { name: 'eth2' }], frames: list.map((f, i) => ({ ...f, interfaceId: i % 2 })) });
    const r = await analyze([file]);
    expect(r.paths.map((p) => `${p.outerSrc}→${p.outerDst} ${p.interface}`)).toEqual(['172.16.0.11→172.16.0.12 eth1', '172.16.0.12→172.16.0.11 eth2']);
    expect(found(r)).toEqual(['path.asymmetric_interface [172.16.0.11→172.16.0.12, 172.16.0.12→172.16.0.11]']);
    expect(one(r, 'path.asymmetric_interface').message).toBe('node 172.16.0.11 → node 172.16.0.12 runs over eth1 but the reverse direction over eth2');
  });

  findingTest('path.asymmetric_interface', 'not when the NICs are named from node address files only, on nodes that name them differently (eth1, ens5)', async () => {
    // A classic pcap without --interface: each direction's NIC is its sending node's (its node address's), so
    // the two are on two different nodes; only the names differ.
    const r = await analyze([pcap('names.pcap', ipipPings(A, B, 2))], [addrs(A), addrs(B, { nic: 'ens5' })]);
    expect(r.paths.map((p) => `${p.outerSrc}→${p.outerDst} ${p.interface} ${p.interfaceEvidence[0]!.source}`)).toEqual([
      '172.16.0.11→172.16.0.12 eth1 node-address',
      '172.16.0.12→172.16.0.11 ens5 node-address',
    ]);
    expect(found(r)).toEqual([]);
    // Captured on one NIC (--interface): both directions on eth1, nothing either.
    const one1 = await analyze([pcap('names.pcap', ipipPings(A, B, 2))], [addrs(A), addrs(B, { nic: 'ens5' })], { interfaceName: 'eth1' });
    expect(one1.paths.map((p) => p.interface)).toEqual(['eth1', 'eth1']);
    expect(found(one1)).toEqual([]);
  });

  findingTest('path.one_way', 'samples/one-way-tunnel: IPIP out, nothing back', async () => {
    const r = await analyze(...sampleFiles('one-way-tunnel', ['node-a.eth1.pcap']));
    expect(found(r)).toEqual(['path.one_way [node-a→node-b]']);
    const f = one(r, 'path.one_way');
    expect(f.severity).toBe('warning');
    expect(f.message).toBe('node-a (172.26.9.91) → node-b (172.26.9.92): IPIP traffic seen in this direction only, nothing came back in the capture');
    expect(f.remedy).toContain('IP protocol 4');
    // The unanswered SYN was sent once (no retransmission within 0.5 s): no TCP finding.
    expect(r.paths[0]!.tcpHandshakes).toEqual({ started: 1, unanswered: 1, synRetransmissions: 0 });
  });

  findingTest('path.one_way', 'crafted VXLAN one way: the remedy names UDP 4789', async () => {
    const list = vxlanPings(A, B, 3).filter((_, i) => i % 2 === 0);
    const r = await analyze([pcap('oneway.pcap', list)], [addrs(A), addrs(B)]);
    expect(found(r)).toEqual(['path.one_way [node-a→node-b]']);
    expect(one(r, 'path.one_way').remedy).toContain('UDP 4789');
  });
});

describe('analysis.*: bounded memory', () => {
  findingTest('analysis.limits_reached', 'samples/ipip-two-nics with room for one path', async () => {
    const r = await analyze(...sampleFiles('ipip-two-nics', ['node-a.eth1.pcap']), { limits: { maxPaths: 1 } });
    expect(r.paths).toHaveLength(1);
    const f = one(r, 'analysis.limits_reached');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('20 packets are counted only in the totals');
    expect(r.totals.overflowPackets).toBe(20);
  });

  findingTest('analysis.limits_reached', 'samples/ipip-two-nics with room for one TCP connection: the other is counted, not followed', async () => {
    const r = await analyze(...sampleFiles('ipip-two-nics', ['node-a.eth1.pcap']), { limits: { maxTcpFlows: 1 } });
    expect(r.paths).toHaveLength(2);
    expect(r.totals.overflowPackets).toBe(0);
    const f = one(r, 'analysis.limits_reached');
    // Two HTTP connections of 10 segments each (the standard pod traffic): the second one's 10 are not followed.
    expect(f.message).toContain('0 packets are counted only in the totals; 10 TCP segments of further connections were not checked for retransmissions');
    expect(r.paths.reduce((a, p) => a + (p.innerProtocols.tcp ?? 0), 0)).toBe(20);
  });
});

describe('mtu.*: packets that do not fit', () => {
  findingTest('mtu.outer_exceeds_underlay', 'VXLAN outer packets of 1500 bytes from nodes whose NIC has MTU 1400', async () => {
    // A ping of 1450 bytes (1422 data) inside VXLAN: outer 1500.
    const list: number[][] = [];
    for (let i = 1; i <= 2; i++) {
      list.push(vxlanPacket(under(A, B), { srcPort: 40000 + i }, echo(A.pod, B.pod, i, false, 1422)));
      list.push(vxlanPacket(under(B, A), { srcPort: 50000 + i }, echo(B.pod, A.pod, i, true, 1422)));
    }
    const r = await analyze([pcap('big.pcap', list)], [addrs(A, { mtu: 1400 }), addrs(B, { mtu: 1400 })]);
    expect(path(r, A.ip, B.ip).maxOuterLength).toBe(1500);
    expect(found(r)).toEqual(['mtu.outer_exceeds_underlay [node-a→node-b]', 'mtu.outer_exceeds_underlay [node-b→node-a]']);
    const f = one(r, 'mtu.outer_exceeds_underlay', 'node-a (172.16.0.11) → node-b (172.16.0.12)');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('VXLAN outer packets up to 1500 bytes, over the 1400-byte MTU of eth1');
    expect(f.remedy).toContain('vxlanMTU');

    // The same packets from 1500-byte NICs fit exactly: nothing to say.
    const ok = await analyze([pcap('fits.pcap', list)], [addrs(A), addrs(B)]);
    expect(warnings(ok)).toEqual([]);
  });

  findingTest('capture.offload_superpackets', 'VXLAN packets larger than any Ethernet frame (TSO/GSO, GRO): an info instead of an MTU warning', async () => {
    // Pings of 30,000 data bytes inside VXLAN, as tcpdump shows a TCP stream's segments before TSO cuts them.
    const big = (dataLength: number): number[][] => [
      vxlanPacket(under(A, B), { srcPort: 40001 }, echo(A.pod, B.pod, 1, false, dataLength)),
      vxlanPacket(under(B, A), { srcPort: 50001 }, echo(B.pod, A.pod, 1, true, dataLength)),
    ];
    const r = await analyze([pcap('tso.pcap', big(30_000))], [addrs(A), addrs(B)]);
    // Outer IPv4 20 + UDP 8 + VXLAN 8 + Ethernet 14 + IPv4 20 + ICMP 8 + 30,000.
    expect(path(r, A.ip, B.ip).maxOuterLength).toBe(30_078);
    expect(found(r)).toEqual(['capture.offload_superpackets [node-a→node-b, node-b→node-a]']);
    const f = one(r, 'capture.offload_superpackets');
    expect(f.severity).toBe('info');
    expect(f.message).toMatch(/^2 paths: packets up to 30078 bytes, more than any Ethernet frame carries \(jumbo frames end at 9216\): offload super-packets \(TSO\/GSO/);
    expect(f.message).toContain('The packet counts, sizes and overhead of these paths are the kernel\'s, not the wire\'s');
    expect(f.remedy).toContain('ethtool -K <NIC> tso off gso off gro off lro off');

    // Without node address files: the same note (the MTU is not needed to know no frame is that large).
    const bare = await analyze([pcap('tso.pcap', big(30_000))]);
    expect(bare.findings.map((x) => x.code)).toContain('capture.offload_superpackets');
    // NICs whose MTU carries them (InfiniBand's 65,520): nothing to say.
    expect(found(await analyze([pcap('tso.pcap', big(30_000))], [addrs(A, { mtu: 65_520 }), addrs(B, { mtu: 65_520 })]))).toEqual([]);
    // Real captures: BIG TCP over VXLAN (Cilium's, GSO packets past 64 KiB), and Geneve on a loopback device,
    // whose MTU (65,536) carries large packets whole.
    const fixture = (...f: string[]): string => join(ROOT, 'test', 'fixtures', 'captures', ...f);
    const bigTcp = await analyze([fixture('vxlan', 'bigtcp-ipv4-vxlan-ipv4.pcap')]);
    expect(one(bigTcp, 'capture.offload_superpackets').message).toContain('10.25.132.11 → 10.25.132.13: packets up to 80116 bytes');
    const lo = await analyze([fixture('geneve', 'geneve-47101.pcap')]);
    expect(lo.paths.map((p) => [p.outerSrc, p.srcMac, p.maxOuterLength])).toEqual([['127.0.0.1', '00:00:00:00:00:00', 14182]]);
    expect(lo.findings.map((x) => x.code)).not.toContain('capture.offload_superpackets');
    // A 9,216-byte outer packet could be a jumbo frame: over a 1500-byte MTU that is still the MTU warning.
    const jumbo = await analyze([pcap('jumbo.pcap', big(9216 - 78))], [addrs(A), addrs(B)]);
    expect(path(jumbo, A.ip, B.ip).maxOuterLength).toBe(9216);
    expect(found(jumbo)).toEqual(['mtu.outer_exceeds_underlay [node-a→node-b]', 'mtu.outer_exceeds_underlay [node-b→node-a]']);
  });

  findingTest('mtu.fragmented_outer', 'samples/mtu-fragmented: 17 VXLAN packets fragmented each way', async () => {
    const r = await analyze(...sampleFiles('mtu-fragmented', ['node-a.eth1.pcap']));
    const f = one(r, 'mtu.fragmented_outer', 'node-a (172.24.7.71) → node-b (172.24.7.72)');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('17 VXLAN packets were fragmented on the underlay (first fragments seen; largest outer 1500 bytes)');
    expect(one(r, 'mtu.fragmented_outer', 'node-b (172.24.7.72) → node-a (172.24.7.71)').message).toContain('17 VXLAN packets');
    expect(found(r)).toEqual([
      'mtu.fragmented_outer [node-a→node-b]',
      'mtu.fragmented_outer [node-b→node-a]',
      'mtu.mss_too_large [node-a→node-b]',
      'mtu.mss_too_large [node-b→node-a]',
    ]);
  });

  findingTest('mtu.fragmented_outer', 'only the trailing fragments of tunnel packets (first ones not captured): said once, without a path', async () => {
    const tail = (from: NodeSpec, to: NodeSpec, id: number): number[] =>
      ethernet(from.mac, to.mac, ETHERTYPE_IPV4, ipv4Fragment({ src: from.ip, dst: to.ip, protocol: 17, id, offset: 1480, moreFragments: false, data: new Array<number>(50).fill(0x5a) }));
    const r = await analyze([pcap('tails.pcap', [...ipipPings(A, B, 2), tail(A, B, 0x101), tail(B, A, 0x202)])], [addrs(A), addrs(B)]);
    expect(found(r)).toEqual(['mtu.fragmented_outer']);
    const f = one(r, 'mtu.fragmented_outer');
    expect(f.severity).toBe('warning');
    expect(f.paths).toBeUndefined();
    expect(f.message).toContain('2 IP fragments of tunnel protocols (IPIP/VXLAN/GRE) between nodes');
  });

  findingTest('mtu.mss_too_large', 'samples/mtu-fragmented: the pods (mtu 1500) announce MSS 1460, VXLAN on 1500 leaves 1410', async () => {
    const r = await analyze(...sampleFiles('mtu-fragmented', ['node-a.eth1.pcap']));
    const f = one(r, 'mtu.mss_too_large', 'node-a (172.24.7.71) → node-b (172.24.7.72)');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('pod TCP SYNs announce MSS 1460, but VXLAN over a 1500-byte MTU (eth1) leaves room for 1410');
  });

  findingTest('mtu.mss_too_large', 'crafted IPIP: MSS 1460 is 20 too many on a 1500-byte NIC; MSS 1440 fits exactly', async () => {
    const handshakes = (mss: number): number[][] => [syn(A, B, 40001, mss), synAck(A, B, 40001), syn(B, A, 40002, 1440), synAck(B, A, 40002)];
    const r = await analyze([pcap('mss.pcap', handshakes(1460))], [addrs(A), addrs(B)]);
    expect(found(r)).toEqual(['mtu.mss_too_large [node-a→node-b]']);
    expect(one(r, 'mtu.mss_too_large').message).toBe(
      'node-a (172.16.0.11) → node-b (172.16.0.12): pod TCP SYNs announce MSS 1460, but IPIP over a 1500-byte MTU (eth1) leaves room for 1440: full-size segments will not fit the tunnel',
    );
    const ok = await analyze([pcap('mss-ok.pcap', handshakes(1440))], [addrs(A), addrs(B)]);
    expect(found(ok)).toEqual([]);
  });

  findingTest('mtu.icmp_fragmentation_needed', 'samples/mtu-icmp-frag-needed: the router says next-hop MTU 1400 about a 1500-byte VXLAN packet', async () => {
    const r = await analyze(...sampleFiles('mtu-icmp-frag-needed', ['node-a.eth1.pcap']));
    // node-b's own NIC has mtu 1400 too: the 1500-byte packets could not have reached it whole.
    expect(found(r)).toEqual(['mtu.icmp_fragmentation_needed', 'mtu.outer_exceeds_underlay [node-a→node-b]']);
    const f = one(r, 'mtu.icmp_fragmentation_needed');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('1 ICMP fragmentation-needed from 172.25.8.1 to 172.25.8.81: next-hop MTU 1400, about 1500-byte packets 172.25.8.81 → 172.25.9.82 (VXLAN, UDP 4789) (e.g. frame 14 of');
    expect(f.remedy).toContain('fit 1400 bytes');
  });
});

const A_BH = '172.29.15.151';
const B_BH = '172.29.15.152';

describe('mtu.full_size_segments_lost: the MTU black hole', () => {
  // node-b's pod (client, port 40001) asks node-a's pod (server, 8080) over IPIP; the answer's
  // 100-byte header segment is acknowledged, its 1400-byte body segment never is.
  const t0 = 1_700_000_000;
  const CLIENT_ISN = 1000;
  const SERVER_ISN = 5000;
  const seg = (from: NodeSpec, to: NodeSpec, seq: number, ack: number, length: number): number[] =>
    ipipTcpPacket(under(from, to), {
      src: from.pod,
      dst: to.pod,
      srcPort: from === A ? 8080 : 40001,
      dstPort: from === A ? 40001 : 8080,
      seq,
      ack,
      flags: TCP_ACK,
      payload: Array.from({ length }, (_, i) => 0x41 + (i % 26)),
    });
  /** Handshake, request (120 bytes), its ACK, the 100-byte header segment and its ACK; then `body`. */
  function exchange(body: { dt: number; data: number[] }[]): Frame[] {
    const c = CLIENT_ISN + 1;
    const s = SERVER_ISN + 1;
    const list: { dt: number; data: number[] }[] = [
      { dt: 0, data: ipipTcpPacket(under(B, A), { src: B.pod, dst: A.pod, srcPort: 40001, dstPort: 8080, seq: CLIENT_ISN, flags: TCP_SYN, mss: 1440 }) },
      { dt: 0.001, data: ipipTcpPacket(under(A, B), { src: A.pod, dst: B.pod, srcPort: 8080, dstPort: 40001, seq: SERVER_ISN, ack: c, flags: TCP_SYN | TCP_ACK, mss: 1440 }) },
      { dt: 0.002, data: seg(B, A, c, s, 0) },
      { dt: 0.003, data: seg(B, A, c, s, 120) },
      { dt: 0.004, data: seg(A, B, s, c + 120, 0) },
      { dt: 0.005, data: seg(A, B, s, c + 120, 100) },
      { dt: 0.006, data: seg(B, A, c + 120, s + 100, 0) },
      ...body,
    ];
    return list.map((f) => ({ ts: t0 + f.dt, data: f.data }));
  }
  const s = SERVER_ISN + 1 + 100;
  const c = CLIENT_ISN + 1 + 120;
  const body = (dt: number): { dt: number; data: number[] } => ({ dt, data: seg(A, B, s, c, 1400) });

  findingTest('mtu.full_size_segments_lost', 'crafted IPIP: a 1400-byte segment sent 4 times (RTO ladder) and never acknowledged, the 100-byte one before it acknowledged', async () => {
    const r = await analyze([tmp.pcap('hole.pcap', { frames: exchange([body(0.01), body(0.21), body(0.61), body(1.41)]) })], [addrs(A), addrs(B)]);
    expect(path(r, A.ip, B.ip).tcpRetransmissions).toBe(3);
    expect(path(r, B.ip, A.ip).tcpRetransmissions).toBe(0);
    expect(found(r)).toEqual(['mtu.full_size_segments_lost [node-a→node-b]']);
    const f = one(r, 'mtu.full_size_segments_lost');
    expect(f.severity).toBe('warning');
    expect(f.message).toMatch(
      /^node-a \(172\.16\.0\.11\) → node-b \(172\.16\.0\.12\): 1 pod TCP connection sent full-size segments \(1440-byte pod packets, 1460 bytes as IPIP\) up to 4 times without an acknowledgement, while segments of up to 120 bytes were acknowledged \(e\.g\. frame 9 of .*hole\.pcap\): large packets are dropped silently/,
    );
    expect(f.remedy).toContain('type 3 code 4');
  });

  findingTest('mtu.full_size_segments_lost', 'samples/mtu-blackhole: node-b\'s NIC (mtu 1400) drops the 1500-byte VXLAN packets, no ICMP error', async () => {
    const r = await analyze(...sampleFiles('mtu-blackhole', ['node-a.eth1.pcap']));
    expect(found(r)).toEqual(['mtu.full_size_segments_lost [node-a→node-b]', 'mtu.mss_too_large [node-b→node-a]', 'mtu.outer_exceeds_underlay [node-a→node-b]']);
    // Frames 22-31: ten 1398-byte segments (inner 1450 bytes); 32, 33, 34 and 37: the first of them again.
    expect(path(r, A_BH, B_BH).tcpRetransmissions).toBe(4);
    expect(one(r, 'mtu.full_size_segments_lost').message).toContain(
      'node-a (172.29.15.151) → node-b (172.29.15.152): 1 pod TCP connection sent full-size segments (1450-byte pod packets, 1500 bytes as VXLAN) up to 5 times without an acknowledgement, while segments of up to 92 bytes were acknowledged (e.g. frame 32 of',
    );
    expect(one(r, 'mtu.outer_exceeds_underlay').message).toContain("VXLAN outer packets up to 1500 bytes, over the 1400-byte MTU of node-b's eth1, the receiving NIC");
  });

  it('no finding when the segment is acknowledged in the end, when it was sent only twice, or when full-size segments passed before', async () => {
    const acked = exchange([body(0.01), body(0.21), body(0.61), { dt: 0.62, data: seg(B, A, c, s + 1400, 0) }]);
    const r1 = await analyze([tmp.pcap('late.pcap', { frames: acked })], [addrs(A), addrs(B)]);
    expect(path(r1, A.ip, B.ip).tcpRetransmissions).toBe(2);
    expect(found(r1)).toEqual([]);
    const twice = await analyze([tmp.pcap('twice.pcap', { frames: exchange([body(0.01), body(0.21)]) })], [addrs(A), addrs(B)]);
    expect(path(twice, A.ip, B.ip).tcpRetransmissions).toBe(1);
    expect(found(twice)).toEqual([]);
    // A 1400-byte segment went through first: the loss of the next one is loss, not a size limit.
    const big = (dt: number): { dt: number; data: number[] } => ({ dt, data: seg(A, B, s + 1400, c, 1400) });
    const passed = exchange([body(0.01), { dt: 0.011, data: seg(B, A, c, s + 1400, 0) }, big(0.02), big(0.22), big(0.62), big(1.42)]);
    const r2 = await analyze([tmp.pcap('passed.pcap', { frames: passed })], [addrs(A), addrs(B)]);
    expect(path(r2, A.ip, B.ip).tcpRetransmissions).toBe(3);
    expect(found(r2)).toEqual([]);
  });

  it('a copy of the same segment within a millisecond (tcpdump -i any) is not a retransmission', async () => {
    const copies = exchange([body(0.01), body(0.0101), body(0.21), body(0.2101)]);
    const r = await analyze([tmp.pcap('copies.pcap', { frames: copies })], [addrs(A), addrs(B)]);
    expect(path(r, A.ip, B.ip).tcpRetransmissions).toBe(1);
  });
});

describe('tcp.*: handshakes without answers', () => {
  findingTest('tcp.syn_retransmissions', 'the same SYN at t, t+1 and t+3 with no SYN-ACK (the kernel ladder)', async () => {
    const t0 = 1_700_000_000;
    const list: Frame[] = [
      // node-b's pod pings node-a's pod (answered), so both directions carry traffic.
      ...frames(ipipPings(B, A, 2), t0 - 1, 0.001),
      { ts: t0, data: syn(A, B, 40001) },
      { ts: t0 + 1, data: syn(A, B, 40001) },
      { ts: t0 + 3, data: syn(A, B, 40001) },
    ];
    const r = await analyze([tmp.pcap('ladder.pcap', { frames: list })], [addrs(A), addrs(B)]);
    expect(path(r, A.ip, B.ip).tcpHandshakes).toEqual({ started: 1, unanswered: 1, synRetransmissions: 2 });
    expect(found(r)).toEqual(['tcp.syn_retransmissions [node-a→node-b]']);
    const f = one(r, 'tcp.syn_retransmissions');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('1 of 1 pod TCP handshakes got no SYN-ACK in the capture and SYNs were retransmitted 2 times');

    // Answered after the retransmissions: a slow start, not a failure.
    const answered = await analyze([tmp.pcap('answered.pcap', { frames: [...list, { ts: t0 + 3.001, data: synAck(A, B, 40001) }] })], [addrs(A), addrs(B)]);
    expect(found(answered)).toEqual([]);
  });

  findingTest('tcp.icmp_ok_tcp_unanswered', 'pings through the tunnel answered, two SYNs not', async () => {
    const list = [...ipipPings(A, B, 3), syn(A, B, 40001), syn(A, B, 40002, 1440, 2000)];
    const r = await analyze([pcap('icmp-ok.pcap', list)], [addrs(A), addrs(B)]);
    expect(found(r)).toEqual(['tcp.icmp_ok_tcp_unanswered [node-a→node-b]']);
    const f = one(r, 'tcp.icmp_ok_tcp_unanswered');
    expect(f.severity).toBe('warning');
    expect(f.message).toBe('node-a (172.16.0.11) → node-b (172.16.0.12): pings through the tunnel are answered (3 replies) but none of 2 TCP SYNs got an answer');
  });
});

describe('vxlan.*: ports and VNIs', () => {
  findingTest('vxlan.non_calico_vni', 'samples/vxlan-flannel-8472 with --vxlan-port 8472: VNI 1, flannel', async () => {
    const r = await analyze(...sampleFiles('vxlan-flannel-8472', ['node-a.eth0.pcap']), { vxlanPorts: [8472] });
    expect(found(r)).toEqual([
      'vxlan.non_calico_vni [node-a→node-b]',
      'vxlan.non_calico_vni [node-b→node-a]',
      'vxlan.unexpected_port [node-a→node-b]',
      'vxlan.unexpected_port [node-b→node-a]',
    ]);
    const f = one(r, 'vxlan.non_calico_vni', 'node-a (172.28.14.11) → node-b (172.28.14.12)');
    expect(f.severity).toBe('info');
    expect(f.message).toContain("VXLAN VNI 1, not Calico's default 4096 (flannel uses VNI 1)");
  });

  findingTest('vxlan.non_calico_vni', 'crafted VNI 7 on 4789: the VNI alone', async () => {
    const r = await analyze([pcap('vni7.pcap', vxlanPings(A, B, 2, { vni: 7 }))], [addrs(A), addrs(B)]);
    expect(found(r)).toEqual(['vxlan.non_calico_vni [node-a→node-b]', 'vxlan.non_calico_vni [node-b→node-a]']);
    expect(one(r, 'vxlan.non_calico_vni', 'node-a (172.16.0.11) →').message).toContain("VXLAN VNI 7, not Calico's default 4096");
    expect(r.findings.some((f) => f.message.includes('flannel'))).toBe(false);
  });

  findingTest('vxlan.unexpected_port', 'samples/vxlan-flannel-8472 with --vxlan-port 8472: UDP 8472', async () => {
    const r = await analyze(...sampleFiles('vxlan-flannel-8472', ['node-a.eth0.pcap']), { vxlanPorts: [8472] });
    const f = one(r, 'vxlan.unexpected_port', 'node-b (172.28.14.12) → node-a (172.28.14.11)');
    expect(f.severity).toBe('info');
    expect(f.message).toContain("VXLAN on UDP 8472 (flannel's and the Linux kernel's default), not the IANA port 4789 Calico uses");
    expect(r.paths.map((p) => [p.vni, p.port])).toEqual([
      [1, 8472],
      [1, 8472],
    ]);
  });

  findingTest('vxlan.unconfigured_port', 'samples/vxlan-flannel-8472 without --vxlan-port: 40 packets on 8472 look like VXLAN', async () => {
    const r = await analyze(...sampleFiles('vxlan-flannel-8472', ['node-a.eth0.pcap']));
    const f = one(r, 'vxlan.unconfigured_port');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('40 UDP packets to port 8472 carry what looks like a VXLAN header and an Ethernet frame (e.g. frame 3 of');
    expect(f.remedy).toBe('analyse again with --vxlan-port 8472 (flannel / Linux default)');
  });
});

describe('encryption.*: WireGuard', () => {
  findingTest('encryption.cleartext_alongside_wireguard', 'WireGuard on UDP 51820 between two nodes, and IPIP between the same nodes', async () => {
    const list: number[][] = [];
    for (let i = 0; i < 3; i++) {
      list.push(wireguardPacket(under(A, B), 0x11111111, i));
      list.push(wireguardPacket(under(B, A), 0x22222222, i));
    }
    list.push(...ipipPings(A, B, 2));
    const r = await analyze([pcap('wg.pcap', list)], [addrs(A), addrs(B)]);
    expect(r.paths.map((p) => `${p.mode} ${p.srcNode}→${p.dstNode} ${p.packets}`).sort()).toEqual([
      'ipip node-a→node-b 2',
      'ipip node-b→node-a 2',
      'wireguard node-a→node-b 3',
      'wireguard node-b→node-a 3',
    ]);
    // Two modes between one pair of nodes is also path.mixed_modes.
    expect(found(r)).toEqual([
      'encryption.cleartext_alongside_wireguard [node-a→node-b, node-a→node-b, node-b→node-a, node-b→node-a]',
      'path.mixed_modes [node-a→node-b, node-a→node-b, node-b→node-a, node-b→node-a]',
    ]);
    const f = one(r, 'encryption.cleartext_alongside_wireguard');
    expect(f.severity).toBe('warning');
    expect(f.message).toBe('node-a (172.16.0.11) → node-b (172.16.0.12): WireGuard runs between these nodes, but 4 pod packets also went IPIP in the clear');
    expect(f.remedy).toContain('wireguardEnabled');
  });

  it('WireGuard alone between the nodes: nothing to say', async () => {
    const list: number[][] = [];
    for (let i = 0; i < 3; i++) {
      list.push(wireguardPacket(under(A, B), 0x11111111, i));
      list.push(wireguardPacket(under(B, A), 0x22222222, i));
    }
    const r = await analyze([pcap('wg-only.pcap', list)], [addrs(A), addrs(B)]);
    expect(r.paths.map((p) => p.mode)).toEqual(['wireguard', 'wireguard']);
    expect(found(r)).toEqual([]);
  });
});

describe('node.*: NIC choice', () => {
  findingTest('node.tunnel_nic', 'samples/ipip-two-nics: eth1 carries the tunnel, eth0 is there too, and how to pin either', async () => {
    const r = await analyze(...sampleFiles('ipip-two-nics', ['node-a.eth1.pcap']));
    expect(found(r)).toEqual(['node.tunnel_nic', 'node.tunnel_nic']);
    const f = one(r, 'node.tunnel_nic', 'node-a:');
    expect(f.severity).toBe('info');
    expect(f.message).toContain('node-a: pod traffic runs over eth1 (172.16.10.0/24); the node also has eth0 (192.168.10.0/24)');
    expect(f.remedy).toContain('keep eth1: interface=eth1, cidr=172.16.10.0/24, or can-reach=172.16.10.12');
    expect(f.remedy).toContain('move to eth0: interface=eth0, cidr=192.168.10.0/24');
    expect(one(r, 'node.tunnel_nic', 'node-b:').message).toContain('node-b: pod traffic runs over eth1 (172.16.10.0/24)');
  });
});

describe('negative cases: the clean samples have no warnings', () => {
  const CLEAN: [string, string[], string[], AnalyzeOptions?][] = [
    ['vxlan', ['node-a.eth1.pcap'], ['node-a', 'node-b']],
    ['ipip-two-nics', ['node-a.eth1.pcap'], ['node-a', 'node-b']],
    ['no-encap', ['node-a.eth1.pcap'], ['node-a', 'node-b']],
    ['any-sll2', ['node-a.any.pcap'], ['node-a', 'node-b']],
    ['pcapng-dumpcap', ['node-a.pcapng'], ['node-a', 'node-b']],
    ['three-nics-storage', ['node-a.ens4.pcap', 'node-a.ens5.pcap'], ['node-a', 'node-b']],
    ['cross-subnet', ['node-a.eth0.pcap'], ['node-a', 'node-b', 'node-c']],
    ['cross-subnet-always', ['node-a.eth0.pcap'], ['node-a', 'node-b', 'node-c']],
  ];
  it.each(CLEAN)('%s: no warning- or error-level finding', async (scenario, captures, nodes, opts) => {
    const r = await analyze(...sampleFiles(scenario, captures, nodes), opts);
    expect(r.paths.length).toBeGreaterThan(0);
    expect(warnings(r)).toEqual([]);
    // Nor any of the problem codes at another severity.
    expect(r.findings.map((f) => f.code).filter((c) => /^(mtu|tcp|path|encryption|capture|traffic|attribution|analysis)\./.test(c))).toEqual([]);
  });
});

describe('podpath verify --expect cross-subnet on the cross-subnet samples (built CLI)', () => {
  const args = (scenario: string): string[] => [
    'verify',
    sample(scenario, 'node-a.eth0.pcap'),
    ...['node-a', 'node-b', 'node-c'].flatMap((n) => ['--node-addrs', sample(scenario, `${n}.addrs.json`)]),
    '--expect',
    'cross-subnet',
  ];

  it('cross-subnet (ipipMode CrossSubnet): passes, exit 0', () => {
    const r = podpath([...args('cross-subnet'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const v = JSON.parse(r.stdout) as VerifyResult;
    expect(v.ok).toBe(true);
    expect(v.violations).toEqual([]);
    expect([v.podPaths, v.podPackets]).toEqual([4, 64]);
    const text = podpath(args('cross-subnet'));
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('PASS');
  });

  it('cross-subnet-always (ipipMode Always): fails, exit 1, with violations for node-a ⇄ node-b only', () => {
    const r = podpath([...args('cross-subnet-always'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const v = JSON.parse(r.stdout) as VerifyResult;
    expect(v.ok).toBe(false);
    expect(v.violations.map((x) => [x.direction, x.mode, x.packets])).toEqual([
      ['node-a (172.16.40.41) → node-b (172.16.40.42)', 'ipip', 16],
      ['node-b (172.16.40.42) → node-a (172.16.40.41)', 'ipip', 16],
    ]);
    for (const x of v.violations) expect(x.reasons).toEqual(['IPIP between nodes in the same subnet 172.16.40.0/24: CrossSubnet should send this unencapsulated']);
    // node-a ⇄ node-c (172.16.41.0/24, through the router) is IPIP as CrossSubnet wants: not a violation.
    expect(v.violations.some((x) => x.direction.includes('node-c'))).toBe(false);
    const text = podpath(args('cross-subnet-always'));
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('FAIL');
    expect(text.stdout).toContain('2 violating');
  });
});

describe('checksums (offload on the way out is normal, bad on the way in is not)', () => {
  /** VXLAN A→B carrying a pod TCP segment, in an SLL2 frame of the given packet type; `broken` spoils the inner TCP checksum. */
  function sll2Vxlan(pktType: number, broken: boolean): number[] {
    const inner = podTcpIp({ src: A.pod, dst: B.pod, srcPort: 40001, dstPort: 8080, seq: 1, flags: TCP_ACK, payload: [1, 2, 3, 4] });
    if (broken) inner[20 + 16] = (inner[20 + 16]! + 1) & 0xff; // TCP checksum, high byte
    const eth = vxlanOfIp(under(A, B), inner);
    return sll2({ protocol: ETHERTYPE_IPV4, ifindex: 2, pktType, srcMac: A.mac }, eth.slice(14));
  }

  findingTest('checksum.bad_received', 'bad inner TCP checksums on packets the capturing host received (SLL2 "to us")', async () => {
    const file = tmp.pcap('in.pcap', { linkType: LINKTYPE_LINUX_SLL2, frames: frames([sll2Vxlan(PKT_HOST, true), sll2Vxlan(PKT_HOST, false)]) });
    const r = await analyze([file]);
    expect(r.paths[0]!.checksums).toEqual({ checked: 2, badReceived: 1, badSent: 0, badDirectionUnknown: 0 });
    const f = one(r, 'checksum.bad_received');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('1 of 2 checked VXLAN packets were received with bad checksums');
    // A veth hands on packets whose checksums the sender's offload has not filled in (a real capture on kind-like veths showed every received one bad).
    expect(f.message).toContain('unless they were captured on a virtual NIC');
    expect(f.remedy).toContain('tx-checksum-ip-generic off');
  });

  findingTest('checksum.unfilled_on_veth', 'the same packets received on a veth (link_netnsid in the receiving node file): a note, not the warning', async () => {
    const list = [sll2Vxlan(PKT_HOST, true), sll2Vxlan(PKT_HOST, false)];
    const r = await analyze([tmp.pcap('in.pcap', { linkType: LINKTYPE_LINUX_SLL2, frames: frames(list) })], [addrs(A), addrs(B, { veth: true })]);
    expect(r.paths[0]!.checksums).toEqual({ checked: 2, badReceived: 1, badSent: 0, badDirectionUnknown: 0 });
    expect(found(r).filter((c) => c.startsWith('checksum'))).toEqual(['checksum.unfilled_on_veth [node-a→node-b]']);
    const f = one(r, 'checksum.unfilled_on_veth');
    expect(f.severity).toBe('info');
    expect(f.message).toBe(
      "node-a (172.16.0.11) → node-b (172.16.0.12): 1 of 2 checked packets were received with checksums not filled in, on eth1, whose peer is in another network namespace (a veth, as in kind): a veth hands packets on before the sender's checksum offload fills their checksums in, and the receiving kernel does not check them. Normal there",
    );
    // The sender's NIC being a veth says nothing about where they were received: still the warning.
    const senderVeth = await analyze([tmp.pcap('in.pcap', { linkType: LINKTYPE_LINUX_SLL2, frames: frames(list) })], [addrs(A, { veth: true }), addrs(B)]);
    expect(found(senderVeth).filter((c) => c.startsWith('checksum'))).toEqual(['checksum.bad_received [node-a→node-b]']);
  });

  findingTest('checksum.offload_outgoing', 'bad checksums only on outgoing packets are checksum offload: info, not a fault', async () => {
    const file = tmp.pcap('out.pcap', { linkType: LINKTYPE_LINUX_SLL2, frames: frames([sll2Vxlan(PKT_OUTGOING, true), sll2Vxlan(PKT_OUTGOING, true)]) });
    const r = await analyze([file]);
    expect(r.paths[0]!.checksums).toEqual({ checked: 2, badReceived: 0, badSent: 2, badDirectionUnknown: 0 });
    expect(one(r, 'checksum.offload_outgoing').severity).toBe('info');
    expect(found(r).some((c) => c.startsWith('checksum.bad_received'))).toBe(false);
  });

  findingTest('checksum.bad_direction_unknown', "the public zeek capture with a bad inner TCP checksum (classic pcap: direction unknown)", async () => {
    const r = await analyze([join(ROOT, 'test', 'fixtures', 'captures', 'vxlan', 'vxlan-inner-tcp-bad-checksum.pcap')]);
    expect(r.paths[0]!.checksums).toEqual({ checked: 1, badReceived: 0, badSent: 0, badDirectionUnknown: 1 });
    const f = one(r, 'checksum.bad_direction_unknown');
    expect(f.severity).toBe('info');
    expect(f.message).toContain('captured on the sending node that is checksum offload');
  });

  findingTest('checksum.bad_direction_unknown', 'classic pcap, the receiving NIC a veth by its node file: normal either way, no remedy', async () => {
    const inner = podTcpIp({ src: A.pod, dst: B.pod, srcPort: 40001, dstPort: 8080, seq: 1, flags: TCP_ACK, payload: [1, 2, 3, 4] });
    inner[20 + 16] = (inner[20 + 16]! + 1) & 0xff; // TCP checksum, high byte
    const file = pcap('unknown.pcap', [vxlanOfIp(under(A, B), inner)]);
    const veth = one(await analyze([file], [addrs(A), addrs(B, { veth: true })]), 'checksum.bad_direction_unknown');
    expect(veth.message).toBe(
      "node-a (172.16.0.11) → node-b (172.16.0.12): 1 of 1 checked packets have bad checksums; captured on the sending node that is checksum offload (normal), and so it is on the receiving node: the receiving NIC (eth1) is a veth, whose peer is in another network namespace, and a veth hands packets on before the sender's checksum offload fills their checksums in",
    );
    expect(veth.remedy).toBeUndefined();
    // The receiver's NIC not a veth (the sender's is): both readings, and the remedy.
    const other = one(await analyze([file], [addrs(A, { veth: true }), addrs(B)]), 'checksum.bad_direction_unknown');
    expect(other.message).toContain('on the receiving node it is corruption or an offload bug');
    expect(other.remedy).toContain('tx-checksum-ip-generic off');
  });

  it('good checksums are counted as checked and raise nothing', async () => {
    const file = tmp.pcap('good.pcap', { linkType: LINKTYPE_LINUX_SLL2, frames: frames([sll2Vxlan(PKT_HOST, false)]) });
    const r = await analyze([file]);
    expect(r.paths[0]!.checksums).toEqual({ checked: 1, badReceived: 0, badSent: 0, badDirectionUnknown: 0 });
    expect(found(r).filter((c) => c.startsWith('checksum'))).toEqual([]);
  });
});

