/**
 * `podpath diff`: what changed between two reports (before and after a
 * configuration change). Pure: two reports in, plain data out.
 *
 * Paths are matched per node pair and direction. A node is known by its name
 * (node address files), else by the pod blocks behind it, else by its
 * address: a node whose address moves to another NIC (the usual effect of
 * changing IP_AUTODETECTION_METHOD) keeps its pod blocks, so its paths still
 * match and the address change shows as a change.
 */
import { modeLabel } from './build-report.js';
import type { Finding, Mode, PathReport, Report } from './report.js';

export const DIFF_SCHEMA = 'podpath.diff/1';

export interface DiffSide {
  /** Captures analysed, or the saved report's captures. */
  sources: string[];
  podPackets: number;
}

export interface PathSummary {
  paths: string[];
  modes: Mode[];
  interfaces: string[];
  subnets: string[];
  /** "172.16.10.11 to 172.16.10.12". */
  outer: string[];
  vnis: number[];
  ports: number[];
  packets: number;
  bytes: number;
  encapBytes: number;
  /** Encapsulation overhead as a percentage of outer bytes (one decimal). */
  overheadPercent: number;
  maxOuterLength: number;
  maxInnerLength: number;
  /** Median ICMP echo round-trip time in ms across the pair's paths, null without pings. */
  rttMedianMs: number | null;
}

export interface FieldChange {
  field: 'mode' | 'interface' | 'subnet' | 'outer addresses' | 'vni' | 'port';
  before: string;
  after: string;
}

export type PathStatus = 'unchanged' | 'changed' | 'appeared' | 'vanished';

export interface PathDiff {
  /** "node-a → node-b" (names, pod blocks or addresses). */
  direction: string;
  status: PathStatus;
  changes: FieldChange[];
  before: PathSummary | null;
  after: PathSummary | null;
}

export interface DiffResult {
  schema: typeof DIFF_SCHEMA;
  before: DiffSide;
  after: DiffSide;
  /** True when any path appeared, vanished or changed mode, NIC, subnet, outer addresses, VNI or port. */
  changed: boolean;
  paths: PathDiff[];
  findings: { appeared: Finding[]; resolved: Finding[] };
}

interface Identity {
  key: string;
  label: string;
}

function identities(r: Report): (ip: string | null, mac: string | null) => Identity {
  const byIp = new Map(r.nodes.map((n) => [n.ip, n]));
  return (ip, mac) => {
    if (!ip) return { key: `mac:${mac ?? '?'}`, label: mac ? `MAC ${mac}` : 'unknown node' };
    const n = byIp.get(ip);
    if (n?.name) return { key: `name:${n.name}`, label: n.name };
    if (n && n.podBlocks.length > 0) return { key: `blocks:${n.podBlocks.join(',')}`, label: `node of ${n.podBlocks.join(', ')}` };
    return { key: `ip:${ip}`, label: ip };
  };
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function summarise(ps: PathReport[]): PathSummary {
  const bytes = ps.reduce((a, p) => a + p.bytes, 0);
  const encap = ps.reduce((a, p) => a + p.encapBytes, 0);
  // Weight each path's median by its samples: a fair summary without the raw samples.
  const rtts: number[] = [];
  for (const p of ps) if (p.icmpRtt) for (let i = 0; i < Math.min(p.icmpRtt.samples, 1000); i++) rtts.push(p.icmpRtt.medianMs);
  const m = median(rtts);
  return {
    paths: ps.map((p) => p.id),
    modes: uniq(ps.map((p) => p.mode)).sort(),
    interfaces: uniq(ps.map((p) => p.interface ?? 'unknown')).sort(),
    subnets: uniq(ps.map((p) => p.subnet).filter((s): s is string => s !== null)).sort(),
    outer: uniq(ps.map((p) => `${p.outerSrc ?? '?'} to ${p.outerDst ?? '?'}`)).sort(),
    vnis: uniq(ps.map((p) => p.vni).filter((v): v is number => v !== null)).sort((a, b) => a - b),
    ports: uniq(ps.map((p) => p.port).filter((v): v is number => v !== null)).sort((a, b) => a - b),
    packets: ps.reduce((a, p) => a + p.packets, 0),
    bytes,
    encapBytes: encap,
    overheadPercent: bytes > 0 ? Math.round((encap / bytes) * 1000) / 10 : 0,
    // Folds, not Math.max(0, ...list): a saved report is untrusted, and 130,000 paths of one node
    // pair overflowed the call stack with a spread (found by test/fuzz).
    maxOuterLength: ps.reduce((m, p) => Math.max(m, p.maxOuterLength), 0),
    maxInnerLength: ps.reduce((m, p) => Math.max(m, p.maxInnerLength), 0),
    rttMedianMs: m === null ? null : Math.round(m * 1000) / 1000,
  };
}

function group(r: Report): Map<string, { label: string; paths: PathReport[] }> {
  const id = identities(r);
  const out = new Map<string, { label: string; paths: PathReport[] }>();
  for (const p of r.paths) {
    const a = id(p.outerSrc, p.srcMac);
    const b = id(p.outerDst, p.dstMac);
    const key = `${a.key} → ${b.key}`;
    let g = out.get(key);
    if (!g) out.set(key, (g = { label: `${a.label} → ${b.label}`, paths: [] }));
    g.paths.push(p);
  }
  return out;
}

const list = (xs: readonly (string | number)[]): string => (xs.length === 0 ? 'none' : xs.join(', '));

function fieldChanges(b: PathSummary, a: PathSummary): FieldChange[] {
  const out: FieldChange[] = [];
  const cmp = (field: FieldChange['field'], x: readonly (string | number)[], y: readonly (string | number)[], fmt = list): void => {
    if (list(x) !== list(y)) out.push({ field, before: fmt(x), after: fmt(y) });
  };
  cmp('mode', b.modes, a.modes, (xs) => xs.map((m) => modeLabel(m as Mode)).join(', ') || 'none');
  cmp('interface', b.interfaces, a.interfaces);
  cmp('subnet', b.subnets, a.subnets);
  cmp('outer addresses', b.outer, a.outer);
  cmp('vni', b.vnis, a.vnis);
  cmp('port', b.ports, a.ports);
  return out;
}

/** Findings are matched by code and the node pairs they name, not by their (count-bearing) message. */
function findingKeys(r: Report): Map<string, Finding> {
  const id = identities(r);
  const byId = new Map(r.paths.map((p) => [p.id, p]));
  const out = new Map<string, Finding>();
  for (const f of r.findings) {
    const pairs = (f.paths ?? [])
      .map((pid) => byId.get(pid))
      .filter((p): p is PathReport => p !== undefined)
      .map((p) => `${id(p.outerSrc, p.srcMac).key}>${id(p.outerDst, p.dstMac).key}`)
      .sort();
    const key = `${f.code}|${uniq(pairs).join(';')}`;
    if (!out.has(key)) out.set(key, f);
  }
  return out;
}

export function diffReports(before: Report, after: Report): DiffResult {
  const gb = group(before);
  const ga = group(after);
  const keys = uniq([...gb.keys(), ...ga.keys()]).sort();
  const paths: PathDiff[] = [];
  for (const k of keys) {
    const b = gb.get(k);
    const a = ga.get(k);
    const sb = b ? summarise(b.paths) : null;
    const sa = a ? summarise(a.paths) : null;
    const direction = (a ?? b)!.label;
    if (sb && sa) {
      const changes = fieldChanges(sb, sa);
      paths.push({ direction, status: changes.length > 0 ? 'changed' : 'unchanged', changes, before: sb, after: sa });
    } else {
      paths.push({ direction, status: sb ? 'vanished' : 'appeared', changes: [], before: sb, after: sa });
    }
  }
  const fb = findingKeys(before);
  const fa = findingKeys(after);
  const ignore = (f: Finding): boolean => f.code.startsWith('capture.');
  return {
    schema: DIFF_SCHEMA,
    before: { sources: before.captures.map((c) => c.file), podPackets: before.paths.reduce((s, p) => s + p.packets, 0) },
    after: { sources: after.captures.map((c) => c.file), podPackets: after.paths.reduce((s, p) => s + p.packets, 0) },
    changed: paths.some((p) => p.status !== 'unchanged'),
    paths,
    findings: {
      appeared: [...fa].filter(([k, f]) => !fb.has(k) && !ignore(f)).map(([, f]) => f),
      resolved: [...fb].filter(([k, f]) => !fa.has(k) && !ignore(f)).map(([, f]) => f),
    },
  };
}
