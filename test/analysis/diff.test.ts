import { describe, expect, it } from 'vitest';
import { diffReports } from '../../src/analysis/diff.js';
import { validateReport, ReportFileError } from '../../src/analysis/report-file.js';
import type { Finding, NodeReport, PathReport, Report } from '../../src/analysis/report.js';
import { makeNode, makePath, makeReport } from '../support/report.js';

const path = (id: string, mode: PathReport['mode'], src: string, dst: string, iface: string, extra: Partial<PathReport> = {}): PathReport =>
  makePath(id, mode, src, dst, iface, { exampleFrames: [], ...extra });
const node = (ip: string, blocks: string[], name: string | null = null): NodeReport => makeNode(ip, { podBlocks: blocks, name });
const report = (paths: PathReport[], nodes: NodeReport[], findings: Finding[] = []): Report => makeReport(paths, nodes, findings);

const BA = ['10.244.1.0/26'];
const BB = ['10.244.2.64/26'];

describe('diffReports', () => {
  it('matches nodes by their pod blocks when their addresses move to another NIC (IP_AUTODETECTION_METHOD change)', () => {
    const before = report(
      [path('p1', 'ipip', '192.168.10.11', '192.168.10.12', 'eth0'), path('p2', 'ipip', '192.168.10.12', '192.168.10.11', 'eth0')],
      [node('192.168.10.11', BA), node('192.168.10.12', BB)],
    );
    const after = report(
      [path('p1', 'ipip', '172.16.10.11', '172.16.10.12', 'eth1'), path('p2', 'ipip', '172.16.10.12', '172.16.10.11', 'eth1')],
      [node('172.16.10.11', BA), node('172.16.10.12', BB)],
    );
    const d = diffReports(before, after);
    expect(d.changed).toBe(true);
    expect(d.paths.map((p) => [p.direction, p.status])).toEqual([
      ['node of 10.244.1.0/26 → node of 10.244.2.64/26', 'changed'],
      ['node of 10.244.2.64/26 → node of 10.244.1.0/26', 'changed'],
    ]);
    expect(d.paths[0]!.changes).toEqual([
      { field: 'interface', before: 'eth0', after: 'eth1' },
      { field: 'outer addresses', before: '192.168.10.11 to 192.168.10.12', after: '172.16.10.11 to 172.16.10.12' },
    ]);
  });

  it('reports a mode change with overhead and ping RTT, and counts nothing else as a change', () => {
    const rtt = (ms: number) => ({ samples: 5, medianMs: ms, minMs: ms, maxMs: ms });
    const before = report([path('p1', 'ipip', 'A', 'B', 'eth1', { icmpRtt: rtt(0.2) })], [node('A', BA, 'a'), node('B', BB, 'b')]);
    const after = report([path('p1', 'none', 'A', 'B', 'eth1', { icmpRtt: rtt(0.1), packets: 500 })], [node('A', BA, 'a'), node('B', BB, 'b')]);
    const d = diffReports(before, after);
    expect(d.paths).toHaveLength(1);
    const p = d.paths[0]!;
    expect(p.direction).toBe('a → b');
    expect(p.changes).toEqual([{ field: 'mode', before: 'IPIP', after: 'no encapsulation' }]);
    expect([p.before!.overheadPercent, p.after!.overheadPercent]).toEqual([20, 0]);
    expect([p.before!.rttMedianMs, p.after!.rttMedianMs]).toEqual([0.2, 0.1]);
    expect([p.before!.packets, p.after!.packets]).toEqual([100, 500]);

    const same = diffReports(before, report([path('p9', 'ipip', 'A', 'B', 'eth1', { packets: 7 })], [node('A', BA, 'a'), node('B', BB, 'b')]));
    expect(same.changed).toBe(false);
    expect(same.paths[0]!.status).toBe('unchanged');
  });

  it('paths that appear or vanish, and findings that appear or are resolved', () => {
    const f1: Finding = { severity: 'warning', code: 'path.one_way', message: 'x', paths: ['p1'] };
    const before = report([path('p1', 'ipip', 'A', 'B', 'eth1')], [node('A', BA), node('B', BB)], [f1]);
    const after = report([path('p1', 'ipip', 'B', 'A', 'eth1')], [node('A', BA), node('B', BB)], [{ severity: 'info', code: 'traffic.unclassified', message: 'y' }]);
    const d = diffReports(before, after);
    expect(d.paths.map((p) => p.status).sort()).toEqual(['appeared', 'vanished']);
    expect(d.findings.appeared.map((f) => f.code)).toEqual(['traffic.unclassified']);
    expect(d.findings.resolved.map((f) => f.code)).toEqual(['path.one_way']);
  });
});

describe('validateReport (saved reports are untrusted input)', () => {
  const good = report([path('p1', 'ipip', 'A', 'B', 'eth1')], [node('A', BA)]);
  it('accepts a real report', () => {
    expect(validateReport(JSON.parse(JSON.stringify(good)), 'r.json')).toBeTruthy();
  });
  it.each([
    [{}, 'schema: expected "podpath.report/1"'],
    [{ ...good, paths: 'no' }, 'paths: expected a list'],
    [{ ...good, paths: [{ ...good.paths[0], mode: 'teleport' }] }, 'paths[0].mode: expected one of'],
    [{ ...good, paths: [{ ...good.paths[0], packets: 'many' }] }, 'paths[0].packets: expected a number'],
    [{ ...good, nodes: [{ ip: 3 }] }, 'nodes[0].ip: expected a string'],
    [[1, 2], 'the file: expected an object'],
  ])('rejects %j with a message naming the field', (data, msg) => {
    expect(() => validateReport(data, 'saved.json')).toThrow(ReportFileError);
    expect(() => validateReport(data, 'saved.json')).toThrow(`saved.json: ${msg}`);
  });
});
