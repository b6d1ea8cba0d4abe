import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podpath, ROOT } from './helpers.js';

const S = (p: string): string => join(ROOT, 'samples', p);
const tmp = mkdtempSync(join(tmpdir(), 'podpath-verify-'));
const three = [S('three-nics-storage/node-a.ens4.pcap'), S('three-nics-storage/node-a.ens5.pcap')];
const threeAddrs = ['--node-addrs', S('three-nics-storage/node-a.addrs.json'), '--node-addrs', S('three-nics-storage/node-b.addrs.json')];

describe('podpath verify (built CLI): every exit code', () => {
  it('0 when every pod path matches', () => {
    const r = podpath(['verify', ...three, ...threeAddrs, '--expect', 'ipip', '--expect-interface', 'ens5', '--expect-cidr', '10.100.30.0/24']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^PASS/);
  });

  it('1 listing each violating path with node pair, direction, mode, NIC and frames', () => {
    const r = podpath(['verify', ...three, ...threeAddrs, '--expect', 'ipip', '--expect-interface', 'ens4']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL/);
    expect(r.stdout).toContain('node-a (10.100.30.31) → node-b (10.100.30.32): IPIP over ens5');
    expect(r.stdout).toContain('node-b (10.100.30.32) → node-a (10.100.30.31): IPIP over ens5');
    expect(r.stdout).toContain('over ens5 where ens4 was expected');
    expect(r.stdout).toMatch(/e\.g\. frames [\d, ]+ of .*node-a\.ens5\.pcap/);
  });

  it('1 for "no encapsulation at all" on an IPIP capture, and for a range the nodes are outside', () => {
    expect(podpath(['verify', S('ipip-two-nics/node-a.eth1.pcap'), '--expect', 'no-encap']).status).toBe(1);
    const r = podpath(['verify', '--json', S('ipip-two-nics/node-a.eth1.pcap'), '--expect-cidr', '192.168.10.0/24']);
    expect(r.status).toBe(1);
    const v = JSON.parse(r.stdout) as { ok: boolean; violations: { reasons: string[] }[] };
    expect(v.ok).toBe(false);
    expect(v.violations).toHaveLength(2);
    expect(v.violations[0]!.reasons).toContain('underlay source 172.16.10.11 is outside 192.168.10.0/24');
  });

  it('1 when there is no pod traffic at all, 0 with --allow-empty', () => {
    const r = podpath(['verify', S('three-nics-storage/node-a.ens4.pcap'), '--expect', 'ipip']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('no pod traffic seen');
    expect(podpath(['verify', S('three-nics-storage/node-a.ens4.pcap'), '--expect', 'ipip', '--allow-empty']).status).toBe(0);
  });

  it('2 for usage errors: no expectation, unknown mode, bad CIDR, unreadable capture', () => {
    expect(podpath(['verify', ...three]).status).toBe(2);
    expect(podpath(['verify', ...three, '--expect', 'gre-ish']).status).toBe(2);
    expect(podpath(['verify', ...three, '--expect-cidr', 'nonsense']).status).toBe(2);
    const r = podpath(['verify', join(tmp, 'nope.pcap'), '--expect', 'ipip']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nope.pcap: no such file');
  });

  it('3 when the expectation holds for what was read but a capture was damaged', () => {
    const bytes = readFileSync(S('ipip-two-nics/node-a.eth1.pcap'));
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const r = podpath(['verify', cut, '--expect', 'ipip']);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^PASS/);
    expect(r.stderr).toContain('cut.pcap');
  });

  it('--json carries the verdict and violations; help documents the exit codes', () => {
    const r = podpath(['verify', '--json', S('no-encap/node-a.eth1.pcap'), '--expect', 'vxlan']);
    expect(r.status).toBe(1);
    const v = JSON.parse(r.stdout) as { schema: string; ok: boolean; violations: { mode: string; reasons: string[] }[] };
    expect(v.schema).toBe('podpath.verify/1');
    expect(v.violations.map((x) => x.mode)).toEqual(['none', 'none']);
    expect(v.violations[0]!.reasons[0]).toBe('no encapsulation where VXLAN was expected');
    const h = podpath(['verify', '--help']);
    expect(h.stdout).toMatch(/Exit codes: 0 every pod path matches; 1/);
  });
});
