/**
 * What every sample scenario really shows, taken from samples/README.md (and
 * checked against `tshark -r` of the bundled captures), and a structural
 * check of a podpath report against it.
 *
 * Used twice: by test/golden (on the bundled samples, so that regenerating the
 * baselines cannot bless a wrong verdict) and by test/system (on captures
 * recorded fresh, where timestamps, ports and sequence numbers differ and only
 * the verdict can be compared).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Mode, PathReport, Report } from '../../src/analysis/report.js';

export interface NodeTruth {
  name: string;
  /** The node address podpath should name the node by (the tunnel endpoint, or the routing node's NIC address). */
  ip: string;
  /** Calico IPAM block behind the node. */
  podBlock: string;
  /** MAC of the underlay NIC in the outer Ethernet header; null when the capture has none (SLL2). */
  mac: string | null;
  /** Tunnel addresses seen as inner sources in the capture; undefined: not asserted (none sent). */
  tunnelAddresses?: string[];
}

export interface ScenarioTruth {
  mode: Mode;
  vni: number | null;
  port: number | null;
  /** The underlay NIC and subnet that carried pod traffic, both directions. */
  nic: string;
  subnet: string;
  a: NodeTruth;
  b: NodeTruth;
  /** Pod packets on the underlay (each pod packet counted once), as samples/README.md counts them. */
  podPackets: number;
  /** ICMP per direction (every echo is answered), TCP in both directions together. */
  icmpPerDirection: number;
  tcp: number;
  /** Copies of each pod packet on tunnel devices / pod veths (-i any: 2, pcapng with tunl0: 1). */
  copies: number;
  /** Node-to-node packets that are not pod traffic. */
  nodeTrafficPackets: number;
  /** Only in the committed recording (ARP counts may differ in a fresh one): packets per capture file, and ARP etc. */
  recorded: { captures: Record<string, number>; otherPackets: number };
}

export const SCENARIOS: Record<string, ScenarioTruth> = {
  vxlan: {
    mode: 'vxlan',
    vni: 4096,
    port: 4789,
    nic: 'eth1',
    subnet: '172.20.1.0/24',
    a: { name: 'node-a', ip: '172.20.1.11', podBlock: '10.244.1.0/26', mac: '02:5c:01:0a:00:01', tunnelAddresses: ['10.244.1.0'] },
    b: { name: 'node-b', ip: '172.20.1.12', podBlock: '10.244.2.64/26', mac: '02:5c:01:0b:00:01', tunnelAddresses: ['10.244.2.64'] },
    podPackets: 40,
    icmpPerDirection: 10,
    tcp: 20,
    copies: 0,
    nodeTrafficPackets: 0,
    recorded: { captures: { 'node-a.eth1.pcap': 42 }, otherPackets: 2 },
  },
  'no-encap': {
    mode: 'none',
    vni: null,
    port: null,
    nic: 'eth1',
    subnet: '172.21.2.0/24',
    a: { name: 'node-a', ip: '172.21.2.21', podBlock: '10.244.3.0/26', mac: '02:5c:02:0a:00:01', tunnelAddresses: [] },
    b: { name: 'node-b', ip: '172.21.2.22', podBlock: '10.244.4.128/26', mac: '02:5c:02:0b:00:01', tunnelAddresses: [] },
    podPackets: 32,
    icmpPerDirection: 6,
    tcp: 20,
    copies: 0,
    nodeTrafficPackets: 0,
    recorded: { captures: { 'node-a.eth1.pcap': 34 }, otherPackets: 2 },
  },
  'ipip-two-nics': {
    mode: 'ipip',
    vni: null,
    port: null,
    nic: 'eth1',
    subnet: '172.16.10.0/24',
    a: { name: 'node-a', ip: '172.16.10.11', podBlock: '10.244.10.0/26', mac: '02:5c:03:0a:00:01', tunnelAddresses: ['10.244.10.0'] },
    b: { name: 'node-b', ip: '172.16.10.12', podBlock: '10.244.11.64/26', mac: '02:5c:03:0b:00:01', tunnelAddresses: ['10.244.11.64'] },
    podPackets: 40,
    icmpPerDirection: 10,
    tcp: 20,
    copies: 0,
    nodeTrafficPackets: 0,
    recorded: { captures: { 'node-a.eth1.pcap': 42 }, otherPackets: 2 },
  },
  'three-nics-storage': {
    mode: 'ipip',
    vni: null,
    port: null,
    nic: 'ens5',
    subnet: '10.100.30.0/24',
    a: { name: 'node-a', ip: '10.100.30.31', podBlock: '10.244.30.0/26', mac: '02:5c:04:0a:00:05' },
    b: { name: 'node-b', ip: '10.100.30.32', podBlock: '10.244.31.192/26', mac: '02:5c:04:0b:00:05' },
    podPackets: 32,
    icmpPerDirection: 6,
    tcp: 20,
    copies: 0,
    nodeTrafficPackets: 4,
    recorded: { captures: { 'node-a.ens4.pcap': 6, 'node-a.ens5.pcap': 34 }, otherPackets: 4 },
  },
  'any-sll2': {
    mode: 'vxlan',
    vni: 4096,
    port: 4789,
    nic: 'eth1',
    subnet: '172.22.5.0/24',
    a: { name: 'node-a', ip: '172.22.5.51', podBlock: '10.244.50.0/26', mac: null },
    b: { name: 'node-b', ip: '172.22.5.52', podBlock: '10.244.51.128/26', mac: null },
    podPackets: 32,
    icmpPerDirection: 6,
    tcp: 20,
    copies: 2,
    nodeTrafficPackets: 0,
    recorded: { captures: { 'node-a.any.pcap': 100 }, otherPackets: 4 },
  },
  'pcapng-dumpcap': {
    mode: 'ipip',
    vni: null,
    port: null,
    nic: 'ens192',
    subnet: '172.23.6.0/24',
    a: { name: 'node-a', ip: '172.23.6.61', podBlock: '10.244.60.0/26', mac: '02:5c:06:0a:00:01' },
    b: { name: 'node-b', ip: '172.23.6.62', podBlock: '10.244.61.64/26', mac: '02:5c:06:0b:00:01' },
    podPackets: 32,
    icmpPerDirection: 6,
    tcp: 20,
    copies: 1,
    nodeTrafficPackets: 0,
    recorded: { captures: { 'node-a.pcapng': 66 }, otherPackets: 2 },
  },
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS);

/** A tshark display filter that selects the pod packets on the underlay NIC, one per pod packet (in these scenarios: nothing else is tunnelled, and no-encap has no other IPv4). */
export function underlayFilter(t: ScenarioTruth): string {
  return t.mode === 'vxlan' ? 'vxlan' : t.mode === 'ipip' ? 'ip.proto == 4' : 'ip';
}

/**
 * The arguments scripts/analyze-samples.mjs passes for one scenario directory:
 * its captures, then `--node-addrs` for each *.addrs.json, sorted by name,
 * as paths relative to `base` (`<base>/<scenario>/<file>`).
 */
export function scenarioArgs(dir: string, base: string, scenario: string): { captures: string[]; args: string[] } {
  const files = readdirSync(join(dir, scenario)).sort();
  const captures = files.filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).map((f) => join(base, scenario, f));
  const addrs = files.filter((f) => f.endsWith('.addrs.json')).flatMap((f) => ['--node-addrs', join(base, scenario, f)]);
  return { captures, args: ['analyze', ...captures, ...addrs] };
}

/** Scenario directories (those with at least one capture) under dir, sorted. */
export function scenarioDirs(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .filter((s) => statSync(join(dir, s)).isDirectory() && readdirSync(join(dir, s)).some((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)));
}

function pathBetween(report: Report, src: string, dst: string): PathReport {
  const found = report.paths.filter((p) => p.outerSrc === src && p.outerDst === dst);
  expect(found.map((p) => p.id), `exactly one path ${src} → ${dst}`).toHaveLength(1);
  return found[0]!;
}

/**
 * Check a report's verdict against the scenario's truth. `recorded` (the
 * committed samples): also the exact counts of that recording (pod packets,
 * per-capture packets, ARP); a fresh recording may add TCP retransmissions.
 */
export function checkVerdict(report: Report, t: ScenarioTruth, opts: { recorded: boolean }): void {
  expect(report.schema).toBe('podpath.report/1');
  for (const c of report.captures) {
    expect(c.error, `${c.file} read to its end`).toBeNull();
    expect(c.malformedPackets, `${c.file} malformed packets`).toBe(0);
    expect(c.truncatedPackets, `${c.file} truncated packets`).toBe(0);
  }

  // Two paths, one per direction, both the documented mode over the documented NIC.
  expect(report.paths, 'one path per direction').toHaveLength(2);
  const ab = pathBetween(report, t.a.ip, t.b.ip);
  const ba = pathBetween(report, t.b.ip, t.a.ip);
  for (const [p, from, to] of [
    [ab, t.a, t.b],
    [ba, t.b, t.a],
  ] as const) {
    const where = `${p.id} ${from.name} → ${to.name}`;
    expect(p.mode, `${where} mode`).toBe(t.mode);
    expect(p.vni, `${where} vni`).toBe(t.vni);
    expect(p.port, `${where} port`).toBe(t.port);
    expect([p.srcNode, p.dstNode], `${where} node names`).toEqual([from.name, to.name]);
    expect(p.interface, `${where} NIC`).toBe(t.nic);
    expect(p.subnet, `${where} subnet`).toBe(t.subnet);
    // Every piece of evidence names the same NIC.
    expect(new Set(p.interfaceEvidence.map((e) => e.interface)), `${where} evidence`).toEqual(new Set([t.nic]));
    if (from.mac !== null) expect([p.srcMac, p.dstMac], `${where} MACs`).toEqual([from.mac, to.mac]);
    expect(p.innerProtocols.icmp ?? 0, `${where} ICMP packets`).toBe(t.icmpPerDirection);
    // Every pod pair has an address in the pod blocks at the right end.
    for (const pair of p.podPairs) {
      expect(inBlock(pair.src, from.podBlock), `${where} pair source ${pair.src} in ${from.podBlock}`).toBe(true);
      expect(inBlock(pair.dst, to.podBlock), `${where} pair destination ${pair.dst} in ${to.podBlock}`).toBe(true);
    }
  }
  const summary = report.paths.map((p) => `${p.id} ${p.outerSrc}→${p.outerDst} ${p.packets} packets ${JSON.stringify(p.innerProtocols)}`).join('; ');
  const tcp = (ab.innerProtocols.tcp ?? 0) + (ba.innerProtocols.tcp ?? 0);
  const podPackets = ab.packets + ba.packets;
  if (opts.recorded) {
    expect(tcp, `TCP packets, both directions (${summary})`).toBe(t.tcp);
    expect(podPackets, `pod packets of the two paths (${summary})`).toBe(t.podPackets);
  } else {
    // A fresh recording can hold TCP retransmissions (the userspace IPIP
    // tunnel delays packets enough for a tail-loss probe to resend a FIN),
    // never fewer packets, and nothing but the pings and the two connections.
    expect(tcp, `TCP packets, both directions, at least the two 10-packet connections (${summary})`).toBeGreaterThanOrEqual(t.tcp);
    expect(podPackets, `pod packets = ICMP + TCP (${summary})`).toBe(t.podPackets + (tcp - t.tcp));
  }
  expect(report.totals.podPackets, 'totals.podPackets = the two paths').toBe(podPackets);

  // The nodes and what is behind them.
  expect(report.nodes.map((n) => n.ip), 'nodes').toEqual([t.a.ip, t.b.ip].sort(byAddr));
  for (const want of [t.a, t.b]) {
    const n = report.nodes.find((x) => x.ip === want.ip)!;
    expect(n.name, `node ${want.ip} name`).toBe(want.name);
    expect(n.podBlocks, `${want.name} pod blocks`).toEqual([want.podBlock]);
    expect(n.interfaces, `${want.name} interfaces`).toContain(t.nic);
    if (want.tunnelAddresses) expect(n.tunnelAddresses, `${want.name} tunnel addresses`).toEqual(want.tunnelAddresses);
    if (want.mac !== null) expect(n.macs, `${want.name} MACs`).toEqual([want.mac]);
    // The node's underlay subnet (a field added after schema 1 started; optional here).
    if ('subnet' in n) expect(n.subnet, `${want.name} subnet`).toBe(t.subnet);
  }

  // One verdict for the node pair, the same way both ways.
  expect(report.verdicts).toHaveLength(1);
  expect(report.verdicts[0]).toContain(`over ${t.nic} (${t.subnet}) both ways, ${podPackets} packets.`);
  // Healthy, symmetric paths: no warnings or errors (asymmetry, one-way, attribution conflicts, damage).
  expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);

  expect(report.totals.duplicatePodPackets, 'totals.duplicatePodPackets').toBe(t.copies * podPackets);
  expect(report.totals.nodeTrafficPackets, 'totals.nodeTrafficPackets').toBe(t.nodeTrafficPackets);
  if (opts.recorded) {
    const perFile = Object.fromEntries(report.captures.map((c) => [c.file.split('/').pop()!, c.packets]));
    expect(perFile, 'packets per capture').toEqual(t.recorded.captures);
    expect(report.totals.otherPackets, 'totals.otherPackets').toBe(t.recorded.otherPackets);
    const total = Object.values(t.recorded.captures).reduce((a, b) => a + b, 0);
    expect(report.totals.packets, 'totals.packets').toBe(total);
  }
}

function addrNum(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function byAddr(x: string, y: string): number {
  return addrNum(x) - addrNum(y);
}

function inBlock(ip: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  const base = addrNum(net!);
  const a = addrNum(ip);
  return a >= base && a < base + size;
}
