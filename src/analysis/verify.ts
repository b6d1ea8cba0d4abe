/**
 * `podpath verify`: does every pod path meet an expectation? Pure: a report
 * and an expectation in, a verdict with the violating paths out.
 */
import ipaddr from 'ipaddr.js';
import { modeLabel } from './build-report.js';
import type { Mode, PathReport, Report } from './report.js';

export const VERIFY_SCHEMA = 'podpath.verify/1';

export type ExpectMode = 'no-encap' | 'ipip' | 'vxlan' | 'geneve' | 'wireguard' | 'cross-subnet';
export const EXPECT_MODES: readonly ExpectMode[] = ['no-encap', 'ipip', 'vxlan', 'geneve', 'wireguard', 'cross-subnet'];

export interface Expectation {
  mode?: ExpectMode;
  /** Pod traffic only over this NIC. */
  interface?: string;
  /** Underlay addresses of pod traffic only in this range. */
  cidr?: string;
  /** Subnets for cross-subnet (in addition to those in node address files). */
  subnets?: string[];
  /** A capture without pod traffic passes instead of failing. */
  allowEmpty?: boolean;
}

export interface Violation {
  path: string;
  /** "node-a (172.16.10.11) → node-b (172.16.10.12)". */
  direction: string;
  mode: Mode;
  interface: string | null;
  subnet: string | null;
  outerSrc: string | null;
  outerDst: string | null;
  packets: number;
  /** Each way the path misses the expectation, in plain words. */
  reasons: string[];
  exampleFrames: { capture: string; frame: number }[];
}

export interface VerifyResult {
  schema: typeof VERIFY_SCHEMA;
  ok: boolean;
  expectation: Expectation;
  /** Plain-words statement of what was expected. */
  expected: string;
  podPaths: number;
  podPackets: number;
  violations: Violation[];
  /** Why the result is what it is when there are no violations to list (e.g. no pod traffic). */
  note: string | null;
}

function endLabel(ip: string | null, name: string | null, mac: string | null): string {
  if (ip) return name ? `${name} (${ip})` : ip;
  return mac ? `MAC ${mac}` : 'unknown node';
}

export function describeExpectation(e: Expectation): string {
  const parts: string[] = [];
  if (e.mode === 'cross-subnet') parts.push('no encapsulation within a subnet, encapsulation across subnets');
  else if (e.mode === 'no-encap') parts.push('no encapsulation');
  else if (e.mode) parts.push(`${modeLabel(e.mode)} encapsulation`);
  if (e.interface) parts.push(`only over ${e.interface}`);
  if (e.cidr) parts.push(`underlay addresses only in ${e.cidr}`);
  return parts.join(', ') || 'any pod traffic';
}

const WANT: Record<Exclude<ExpectMode, 'cross-subnet'>, Mode> = {
  'no-encap': 'none',
  ipip: 'ipip',
  vxlan: 'vxlan',
  geneve: 'geneve',
  wireguard: 'wireguard',
};

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function contains(cidr: Cidr, ip: string): boolean {
  const a = ipaddr.parse(ip);
  return a.kind() === cidr[0].kind() && a.match(cidr);
}

export function verifyReport(report: Report, e: Expectation): VerifyResult {
  const expected = describeExpectation(e);
  const subnets: Cidr[] = (e.subnets ?? []).map((s) => ipaddr.parseCIDR(s));
  const range: Cidr | null = e.cidr ? ipaddr.parseCIDR(e.cidr) : null;
  const nodeSubnet = new Map(report.nodes.map((n) => [n.ip, n.subnet]));

  /** The subnet a node address is in: --subnet first, then its node address file. */
  const subnetOf = (ip: string | null): string | null => {
    if (!ip) return null;
    for (const s of subnets) if (contains(s, ip)) return `${s[0].toString()}/${s[1]}`;
    return nodeSubnet.get(ip) ?? null;
  };

  const violations: Violation[] = [];
  for (const p of report.paths) {
    const reasons = checkPath(p, e, range, subnetOf);
    if (reasons.length > 0) {
      violations.push({
        path: p.id,
        direction: `${endLabel(p.outerSrc, p.srcNode, p.srcMac)} → ${endLabel(p.outerDst, p.dstNode, p.dstMac)}`,
        mode: p.mode,
        interface: p.interface,
        subnet: p.subnet,
        outerSrc: p.outerSrc,
        outerDst: p.outerDst,
        packets: p.packets,
        reasons,
        exampleFrames: p.exampleFrames,
      });
    }
  }
  const podPackets = report.paths.reduce((a, p) => a + p.packets, 0);
  let ok = violations.length === 0;
  let note: string | null = null;
  if (report.paths.length === 0) {
    // No pod traffic proves nothing: pass only when the caller says so.
    note = 'no pod traffic seen';
    ok = e.allowEmpty === true;
  }
  return {
    schema: VERIFY_SCHEMA,
    ok,
    expectation: e,
    expected,
    podPaths: report.paths.length,
    podPackets,
    violations,
    note,
  };
}

function checkPath(p: PathReport, e: Expectation, range: Cidr | null, subnetOf: (ip: string | null) => string | null): string[] {
  const reasons: string[] = [];
  if (e.mode === 'cross-subnet') {
    const a = subnetOf(p.outerSrc);
    const b = subnetOf(p.outerDst);
    if (!a || !b) {
      const unknown = [!a ? endLabel(p.outerSrc, p.srcNode, p.srcMac) : null, !b ? endLabel(p.outerDst, p.dstNode, p.dstMac) : null].filter(Boolean);
      reasons.push(`cannot tell whether the nodes share a subnet: no subnet known for ${unknown.join(' and ')} (give --node-addrs or --subnet)`);
    } else if (a === b && p.mode !== 'none') {
      reasons.push(`${modeLabel(p.mode)} between nodes in the same subnet ${a}: CrossSubnet should send this unencapsulated`);
    } else if (a !== b && p.mode === 'none') {
      reasons.push(`no encapsulation between subnets ${a} and ${b}: CrossSubnet should encapsulate this`);
    }
  } else if (e.mode && p.mode !== WANT[e.mode]) {
    reasons.push(`${modeLabel(p.mode)} where ${e.mode === 'no-encap' ? 'no encapsulation' : modeLabel(WANT[e.mode])} was expected`);
  }
  if (e.interface !== undefined) {
    if (p.interface === null) reasons.push(`the NIC is unknown (expected ${e.interface}; give --node-addrs, --interface or a pcapng)`);
    else if (p.interface !== e.interface) reasons.push(`over ${p.interface} where ${e.interface} was expected`);
  }
  if (range) {
    const cidr = `${range[0].toString()}/${range[1]}`;
    for (const [ip, role] of [
      [p.outerSrc, 'source'],
      [p.outerDst, 'destination'],
    ] as const) {
      if (ip === null) reasons.push(`the underlay ${role} address is unknown (expected in ${cidr})`);
      else if (!contains(range, ip)) reasons.push(`underlay ${role} ${ip} is outside ${cidr}`);
    }
  }
  return reasons;
}
