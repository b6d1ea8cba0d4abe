import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podpath, ROOT } from './helpers.js';

const S = (p: string): string => join(ROOT, 'samples', p);
const tmp = mkdtempSync(join(tmpdir(), 'podpath-diff-'));

describe('podpath diff (built CLI)', () => {
  it('a capture against its own saved report: nothing changed, exit 0 even with --fail-on-change', () => {
    const saved = join(tmp, 'baseline.json');
    const a = podpath(['analyze', '--json', S('ipip-two-nics/node-a.eth1.pcap')]);
    writeFileSync(saved, a.stdout);
    const r = podpath(['diff', saved, S('ipip-two-nics/node-a.eth1.pcap'), '--fail-on-change']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^No path changed: 0 changed, 0 appeared, 0 vanished, 2 unchanged/);
  });

  it('--fail-on-change exits 1 when paths changed; without it, 0', () => {
    const args = ['diff', S('ipip-two-nics/node-a.eth1.pcap'), S('no-encap/node-a.eth1.pcap')];
    expect(podpath(args).status).toBe(0);
    const r = podpath([...args, '--fail-on-change', '--json']);
    expect(r.status).toBe(1);
    const d = JSON.parse(r.stdout) as { schema: string; changed: boolean; paths: { status: string }[] };
    expect(d.schema).toBe('podpath.diff/1');
    expect(d.changed).toBe(true);
    expect(d.paths.map((p) => p.status).sort()).toEqual(['appeared', 'appeared', 'vanished', 'vanished']);
  });

  it('--before/--after take several captures per side', () => {
    const r = podpath(['diff', '--before', S('three-nics-storage/node-a.ens4.pcap'), '--before', S('three-nics-storage/node-a.ens5.pcap'), '--after', S('three-nics-storage/node-a.ens5.pcap')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 unchanged');
  });

  it('usage and input errors exit 2 with one line naming the problem', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 'podpath.report/1', captures: [], paths: [{ id: 'p1', mode: 'warp' }] }));
    const r = podpath(['diff', bad, S('vxlan/node-a.eth1.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad.json: paths[0].mode: expected one of');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(podpath(['diff', S('vxlan/node-a.eth1.pcap')]).status).toBe(2);
    expect(podpath(['diff', 'a', 'b', '--before', 'c', '--after', 'd']).status).toBe(2);
    expect(podpath(['diff', '--before', S('vxlan/node-a.eth1.pcap')]).status).toBe(2);
  });
});
