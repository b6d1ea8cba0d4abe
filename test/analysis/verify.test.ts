import { describe, expect, it } from 'vitest';
import type { NodeReport, PathReport, Report } from '../../src/analysis/report.js';
import { verifyReport } from '../../src/analysis/verify.js';
import { makeNode, makePath, makeReport } from '../support/report.js';

const path = (id: string, mode: PathReport['mode'], src: string | null, dst: string | null, iface: string | null = 'eth1'): PathReport => makePath(id, mode, src, dst, iface);
const node = (ip: string, subnet: string | null): NodeReport => makeNode(ip, { subnet });
const report = (paths: PathReport[], nodes: NodeReport[] = []): Report => makeReport(paths, nodes);

// a and b share 172.16.40.0/24; c is in 172.16.41.0/24.
const A = '172.16.40.11';
const B = '172.16.40.12';
const C = '172.16.41.13';
const nodes = [node(A, '172.16.40.0/24'), node(B, '172.16.40.0/24'), node(C, '172.16.41.0/24')];

describe('verifyReport', () => {
  it('cross-subnet: native inside a subnet and encapsulated across passes', () => {
    const r = verifyReport(report([path('p1', 'none', A, B), path('p2', 'ipip', A, C), path('p3', 'vxlan', C, A)], nodes), { mode: 'cross-subnet' });
    expect(r.ok).toBe(true);
    expect(r.violations).toEqual([]);
  });

  it('cross-subnet: flags encapsulation inside a subnet and native across subnets', () => {
    const r = verifyReport(report([path('p1', 'ipip', A, B), path('p2', 'none', A, C)], nodes), { mode: 'cross-subnet' });
    expect(r.ok).toBe(false);
    expect(r.violations.map((v) => [v.path, v.reasons])).toEqual([
      ['p1', ['IPIP between nodes in the same subnet 172.16.40.0/24: CrossSubnet should send this unencapsulated']],
      ['p2', ['no encapsulation between subnets 172.16.40.0/24 and 172.16.41.0/24: CrossSubnet should encapsulate this']],
    ]);
  });

  it('cross-subnet: --subnet supplies subnets when node files do not; unknown subnets are violations, not passes', () => {
    const bare = [node(A, null), node(B, null)];
    const unknown = verifyReport(report([path('p1', 'none', A, B)], bare), { mode: 'cross-subnet' });
    expect(unknown.ok).toBe(false);
    expect(unknown.violations[0]!.reasons[0]).toMatch(/cannot tell whether the nodes share a subnet/);
    const given = verifyReport(report([path('p1', 'none', A, B)], bare), { mode: 'cross-subnet', subnets: ['172.16.40.0/24'] });
    expect(given.ok).toBe(true);
  });

  it('interface and cidr checks combine with the mode; unknown values fail', () => {
    const r = verifyReport(report([path('p1', 'ipip', A, B, 'bond4'), path('p2', 'ipip', '10.0.0.1', B, null)]), {
      mode: 'ipip',
      interface: 'bond4',
      cidr: '172.16.40.0/24',
    });
    expect(r.violations.map((v) => [v.path, v.reasons])).toEqual([
      ['p2', ['the NIC is unknown (expected bond4; give --node-addrs, --interface or a pcapng)', 'underlay source 10.0.0.1 is outside 172.16.40.0/24']],
    ]);
  });

  it('no pod traffic fails unless allowed', () => {
    expect(verifyReport(report([]), { mode: 'no-encap' }).ok).toBe(false);
    expect(verifyReport(report([]), { mode: 'no-encap' }).note).toBe('no pod traffic seen');
    expect(verifyReport(report([]), { mode: 'no-encap', allowEmpty: true }).ok).toBe(true);
  });

  it('a none path with unknown node addresses fails a cidr expectation', () => {
    const r = verifyReport(report([path('p1', 'none', null, null)]), { cidr: '172.16.40.0/24' });
    expect(r.violations[0]!.reasons).toEqual([
      'the underlay source address is unknown (expected in 172.16.40.0/24)',
      'the underlay destination address is unknown (expected in 172.16.40.0/24)',
    ]);
  });
});
