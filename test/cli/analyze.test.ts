import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podpath, ROOT } from './helpers.js';

const S = (p: string): string => join(ROOT, 'samples', p);
const tmp = mkdtempSync(join(tmpdir(), 'podpath-analyze-'));

describe('podpath analyze: several captures in worker threads (built CLI)', () => {
  const files = ['three-nics-storage/node-a.ens4.pcap', 'three-nics-storage/node-a.ens5.pcap', 'mtu-blackhole/node-a.eth1.pcap', 'any-sll2/node-a.any.pcap', 'pcapng-dumpcap/node-a.pcapng'].map(S);
  const addrs = ['three-nics-storage/node-a.addrs.json', 'three-nics-storage/node-b.addrs.json', 'blackhole-b=mtu-blackhole/node-b.addrs.json'].flatMap((f) => ['--node-addrs', f.includes('=') ? f.replace('=', `=${ROOT}/samples/`) : S(f)]);

  it('the build has the worker modules next to the CLI (CommonJS) and the library (ESM)', () => {
    expect(existsSync(join(ROOT, 'dist', 'analysis-worker.cjs'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'analysis-worker.js'))).toBe(true);
  });

  it('--jobs 1, --jobs 2, --jobs 8 and the default give the same report, byte for byte', () => {
    const runs = [['--jobs', '1'], ['--jobs', '2'], ['--jobs', '8'], []].map((j) => podpath(['analyze', '--json', ...files, ...addrs, ...j]));
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    expect(JSON.parse(runs[0]!.stdout).captures.map((c: { file: string }) => c.file)).toEqual(files);
    for (const r of runs.slice(1)) expect(r.stdout).toBe(runs[0]!.stdout);
  });

  it.each([1, 0])('a damaged capture among them (at %i): exit 3, and the same report in parallel', (at) => {
    // At 0 it is the capture whose collector the others are merged into.
    const cut = join(tmp, 'cut.pcap');
    const whole = readFileSync(files[2]!);
    writeFileSync(cut, whole.subarray(0, whole.length - 100));
    const list = [files[0]!, files[3]!];
    list.splice(at, 0, cut);
    const runs = [['--jobs', '1'], ['--jobs', '2']].map((j) => podpath(['analyze', '--json', ...list, ...j]));
    for (const r of runs) expect(r.status).toBe(3);
    expect(runs[1]!.stdout).toBe(runs[0]!.stdout);
    expect(runs[1]!.stderr).toBe(runs[0]!.stderr);
    const caps = JSON.parse(runs[1]!.stdout).captures as { file: string; packets: number; error: { code: string } | null }[];
    expect(caps.map((c) => c.file)).toEqual(list);
    expect(caps[at]!.error!.code).toBe('truncated_tail');
    expect(caps.every((c) => c.packets > 0)).toBe(true);
  });

  it('two node files of one name: a usage error before any capture is read (exit 2, no stack)', () => {
    const r = podpath(['analyze', files[0]!, '--node-addrs', S('three-nics-storage/node-b.addrs.json'), '--node-addrs', S('mtu-blackhole/node-b.addrs.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^podpath: .*node name "node-b" is already used by .*three-nics-storage\/node-b\.addrs\.json; name them with NAME=FILE\n$/);
  });

  it('--jobs must be a positive number', () => {
    const r = podpath(['analyze', files[0]!, '--jobs', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--jobs');
  });
});

describe('podpath analyze (built CLI)', () => {
  it('names mode, NIC, subnet and node pair for the IPIP sample (JSON)', () => {
    const r = podpath([
      'analyze',
      '--json',
      S('ipip-two-nics/node-a.eth1.pcap'),
      '--node-addrs',
      S('ipip-two-nics/node-a.addrs.json'),
      '--node-addrs',
      `peer=${S('ipip-two-nics/node-b.addrs.json')}`,
    ]);
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      schema: string;
      paths: { mode: string; outerSrc: string; outerDst: string; interface: string; subnet: string; srcNode: string; dstNode: string }[];
      nodes: { ip: string; name: string; podBlocks: string[] }[];
      verdicts: string[];
    };
    expect(rep.schema).toBe('podpath.report/1');
    expect(rep.paths.map((p) => [p.mode, p.outerSrc, p.outerDst, p.interface, p.subnet, p.srcNode, p.dstNode])).toEqual([
      ['ipip', '172.16.10.11', '172.16.10.12', 'eth1', '172.16.10.0/24', 'node-a', 'peer'],
      ['ipip', '172.16.10.12', '172.16.10.11', 'eth1', '172.16.10.0/24', 'peer', 'node-a'],
    ]);
    expect(rep.nodes.map((n) => [n.ip, n.name, n.podBlocks])).toEqual([
      ['172.16.10.11', 'node-a', ['10.244.10.0/26']],
      ['172.16.10.12', 'peer', ['10.244.11.64/26']],
    ]);
    expect(rep.verdicts).toEqual([
      '10.244.10.0/26 on node-a (172.16.10.11) ⇄ 10.244.11.64/26 on peer (172.16.10.12): IPIP over eth1 (172.16.10.0/24) both ways, 40 packets.',
    ]);
  });

  it('table (default) and markdown carry the same verdict; --format json equals --json', () => {
    const args = [S('vxlan/node-a.eth1.pcap'), '--node-addrs', S('vxlan/node-a.addrs.json'), '--node-addrs', S('vxlan/node-b.addrs.json')];
    const table = podpath(['analyze', ...args]);
    const md = podpath(['analyze', '--format', 'markdown', ...args]);
    expect(table.status).toBe(0);
    expect(md.status).toBe(0);
    for (const raw of [table.stdout, md.stdout]) {
      const out = raw.replace(/\s+/g, ' '); // the table wraps long verdicts
      expect(out).toContain('VXLAN VNI 4096 UDP 4789 over eth1');
      expect(out).toContain('10.244.1.0/26');
    }
    expect(table.stdout.split('\n').every((l) => [...l].length <= 100)).toBe(true);
    expect(md.stdout).toMatch(/^#+ .*Paths/m);
    expect(podpath(['analyze', '--format', 'json', ...args]).stdout).toBe(podpath(['analyze', '--json', ...args]).stdout);
  });

  it('reads stdin (-) like the file', () => {
    const file = S('no-encap/node-a.eth1.pcap');
    const a = JSON.parse(podpath(['analyze', '--json', file]).stdout) as { paths: unknown[]; verdicts: string[] };
    const b = JSON.parse(podpath(['analyze', '--json', '-'], readFileSync(file)).stdout) as { paths: unknown[]; verdicts: string[] };
    expect(b.verdicts).toEqual(a.verdicts);
    expect(b.paths.length).toBe(a.paths.length);
  });

  it('a bad node address file is a usage error naming the file (exit 2, no stack)', () => {
    const bad = join(tmp, 'broken.json');
    writeFileSync(bad, '{"not": "ip output"}');
    const r = podpath(['analyze', S('vxlan/node-a.eth1.pcap'), '--node-addrs', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('broken.json');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('bad option values exit 2', () => {
    for (const args of [
      ['--pod-cidr', '10.244.0.0/99'],
      ['--block-size', '64'],
      ['--format', 'yaml'],
      ['--vxlan-port', '70000'],
    ]) {
      const r = podpath(['analyze', S('vxlan/node-a.eth1.pcap'), ...args]);
      expect(r.status, args.join(' ')).toBe(2);
    }
  });

  it('a cut-short capture still gets its report, with exit 3 and the damage in the JSON', () => {
    const bytes = readFileSync(S('vxlan/node-a.eth1.pcap'));
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 30));
    const r = podpath(['analyze', '--json', cut]);
    expect(r.status).toBe(3);
    const rep = JSON.parse(r.stdout) as { captures: { error: { code: string } | null; packets: number }[]; paths: unknown[]; findings: { code: string }[] };
    expect(rep.captures[0]!.error?.code).toBe('truncated_tail');
    expect(rep.captures[0]!.packets).toBe(41);
    expect(rep.paths.length).toBe(2);
    expect(rep.findings.map((f) => f.code)).toContain('capture.truncated');
    expect(r.stderr).toMatch(/cut\.pcap: .*byte offset \d+, packet 42/);
  });

  it('help lists the analysis options with examples', () => {
    const r = podpath(['analyze', '--help']);
    expect(r.status).toBe(0);
    for (const o of ['--node-addrs', '--interface', '--pod-cidr', '--vxlan-port', '--block-size', '--format', '--json', 'Examples:']) {
      expect(r.stdout).toContain(o);
    }
  });
});
