import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT, podpath } from './helpers.js';

const VXLAN = join(FIXTURES, 'vxlan', 'vxlan.pcap');
const IPIP = join(FIXTURES, 'ipip', 'ip_in_ip.pcap');
const SAMPLES = join(ROOT, 'samples');
const REAL = join(ROOT, 'test', 'fixtures', 'real');
/** Captures that hold, between them, every layer, issue, stop and field podpath packets --json writes (paths from ROOT). */
const GOLDEN_CAPTURES = [
  'test/fixtures/captures/geneve/gso-ipv4-geneve-ipv6.pcap',
  'test/fixtures/captures/misc/icmp6-toobig.pcap',
  'test/fixtures/captures/gre/gre-pptp.pcap',
  'test/fixtures/captures/formats/SllPacket.pcap',
  'test/fixtures/captures/vxlan/vxlan-encapsulated-igmp-v2.pcap',
  'samples/one-way-tunnel/node-a.eth1.pcap',
  'test/fixtures/captures/malformed/unsupported-link-type-160.pcap',
  'test/fixtures/captures/formats/null_loopback.pcap',
  'test/fixtures/captures/formats/sll2.pcap',
  'test/fixtures/captures/wireguard/WireGuard.pcap',
  'samples/mtu-icmp-frag-needed/node-a.eth1.pcap',
  'test/fixtures/captures/gre/various_gre.pcap',
  'test/fixtures/captures/misc/icmp-frag-needed-smtp.pcap',
  'samples/pcapng-dumpcap/node-a.pcapng',
];
const tmp = mkdtempSync(join(tmpdir(), 'podpath-cli-'));

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.length > 0);
}

describe('podpath --help', () => {
  it('documents commands, examples and exit codes, and exits 0', () => {
    const r = podpath(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('packets');
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*\b3\b.*damaged/);
    const p = podpath(['packets', '--help']);
    expect(p.status).toBe(0);
    expect(p.stdout).toContain('Examples:');
    expect(p.stdout).toContain('--vxlan-port');
  });

  it('exits 2 with one line for usage errors', () => {
    for (const args of [['packets'], ['packets', '--vxlan-port', 'abc', VXLAN], ['frobnicate'], ['packets', '--bogus', VXLAN]]) {
      const r = podpath(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

describe('podpath packets', () => {
  it('prints one tunnel-aware line per packet', () => {
    const r = podpath(['packets', VXLAN]);
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(10);
    expect(out[0]).toMatch(/^\s+1\s+\d\d:\d\d:\d\d\.\d{6}\s+IPv4 192\.168\.203\.1\.45149 > 192\.168\.202\.1\.4789 len 134 UDP \| VXLAN vni 100 \| IPv4 192\.168\.203\.3 > 192\.168\.203\.5 len 84 ICMP echo request id 1292 seq 1$/);
    const ipip = lines(podpath(['packets', IPIP]).stdout);
    expect(ipip[0]).toContain('IPv4 10.0.0.94 > 10.1.0.237 len 104 | IPIP | IPv4 192.168.0.94 > 192.168.0.237 len 84 ICMP echo request');
  });

  it('--json writes one object per packet with the documented fields', () => {
    const r = podpath(['packets', '--json', VXLAN]);
    expect(r.status).toBe(0);
    const objs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs).toHaveLength(10);
    const first = objs[0]!;
    for (const k of ['frame', 'ts', 'capLen', 'wireLen', 'interface', 'ifindex', 'direction', 'layers', 'tunnels', 'status']) {
      expect(first, k).toHaveProperty(k);
    }
    const protos = (first.layers as { proto: string }[]).map((l) => l.proto);
    expect(protos).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'icmp']);
    expect(first.tunnels).toEqual([{ mode: 'vxlan', outerSrc: '192.168.203.1', outerDst: '192.168.202.1', id: 100 }]);
  });

  it('reads gzip and stdin exactly like the plain file', () => {
    const plain = podpath(['packets', '--json', VXLAN]).stdout;
    const gz = join(tmp, 'vxlan.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(VXLAN)));
    expect(podpath(['packets', '--json', gz]).stdout.replaceAll(gz, VXLAN)).toBe(plain);
    const stdin = podpath(['packets', '--json', '-'], readFileSync(VXLAN));
    expect(stdin.status).toBe(0);
    expect(stdin.stdout.replaceAll('"file":"-"', `"file":${JSON.stringify(VXLAN)}`)).toBe(plain);
  });

  it('reports a cut-short capture after printing what came before it, exit 3', () => {
    const bytes = readFileSync(VXLAN);
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 20));
    const r = podpath(['packets', cut]);
    expect(r.status).toBe(3);
    expect(lines(r.stdout)).toHaveLength(9);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(cut);
    expect(r.stderr).toMatch(/byte offset \d+, packet 10/);
  });

  it('exits 2 for missing files and non-captures, still printing readable ones', () => {
    const text = join(tmp, 'notes.txt');
    writeFileSync(text, 'tcpdump: listening on eth0\n');
    const r = podpath(['packets', VXLAN, join(tmp, 'missing.pcap'), text]);
    expect(r.status).toBe(2);
    expect(lines(r.stdout).filter((l) => !l.startsWith('#'))).toHaveLength(10);
    expect(r.stderr).toContain('missing.pcap: no such file');
    expect(r.stderr).toContain('notes.txt: text, not a capture');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('-c stops after n packets; --interface names a classic pcap interface', () => {
    const r = podpath(['packets', '-c', '3', '--interface', 'eth1', IPIP]);
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/\beth1\b/);
  });

  it('exits quietly and promptly when the reader closes the pipe (| head)', () => {
    // A few thousand copies of the VXLAN packets: far more output than a pipe buffer holds.
    const src = readFileSync(VXLAN);
    const body = src.subarray(24);
    const big = join(tmp, 'big.pcap');
    writeFileSync(big, Buffer.concat([src.subarray(0, 24), ...Array.from({ length: 3000 }, () => body)]));
    for (const json of ['', '--json']) {
      const r = spawnSync('bash', ['-c', `node ${JSON.stringify(BIN)} packets ${json} ${JSON.stringify(big)} | head -n 2; exit \${PIPESTATUS[0]}`], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status, json).toBe(0);
      expect(lines(r.stdout), json).toHaveLength(2);
      expect(r.stderr, json).toBe('');
    }
  });

  it('--json writes, byte for byte, the golden lines of captures holding every kind of layer', () => {
    // test/cli/expected/packets.ndjson: the --json contract (keys, their order, number and
    // string forms). Written by JSON.stringify of the object form before the lines were
    // written as bytes; UPDATE_GOLDEN=1 rewrites it (read the diff first).
    const r = spawnSync(process.execPath, [BIN, 'packets', '--json', ...GOLDEN_CAPTURES], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const expected = join(ROOT, 'test', 'cli', 'expected', 'packets.ndjson');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expected, r.stdout);
    expect(r.stdout).toBe(readFileSync(expected, 'utf8'));
  });

  it('text lines, with and without -e, are byte for byte the golden lines of the same captures', () => {
    // test/cli/expected/packets.txt and packets-link.txt: written by the string formatter before
    // the lines were written as bytes; UPDATE_GOLDEN=1 rewrites them (read the diff first).
    for (const [flags, name] of [[[], 'packets.txt'], [['-e'], 'packets-link.txt']] as const) {
      const r = spawnSync(process.execPath, [BIN, 'packets', ...flags, ...GOLDEN_CAPTURES], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.stderr, name).toBe('');
      expect(r.status, name).toBe(0);
      const expected = join(ROOT, 'test', 'cli', 'expected', name);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expected, r.stdout);
      expect(r.stdout, name).toBe(readFileSync(expected, 'utf8'));
    }
  });

  it('--json lines are the text JSON.stringify writes for them, on every sample and fixture capture', () => {
    // The lines are written as bytes, not through JSON.stringify: read back and written again,
    // each must come out the same (key order, number forms, escapes), over every kind of layer
    // the fixtures hold; damaged fixtures too (exit 3), up to their damage.
    const captures = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.(pcap|pcapng)$/.test(f))
        .map((f) => join(dir, f));
    const files = [...captures(SAMPLES), ...captures(FIXTURES), ...captures(REAL)];
    expect(files.length).toBeGreaterThan(150);
    // An interface name that needs escaping, from --interface (a pcapng's own names win).
    const r = spawnSync(process.execPath, [BIN, 'packets', '--json', '--interface', 'ens\u00e9 "4"\\', ...files], { encoding: 'utf8', maxBuffer: 256 << 20 });
    expect([0, 3]).toContain(r.status);
    const protos = new Set<string>();
    let packets = 0;
    for (const line of lines(r.stdout)) {
      const o = JSON.parse(line) as { layers: { proto: string }[] };
      expect(JSON.stringify(o)).toBe(line);
      for (const l of o.layers) protos.add(l.proto);
      packets++;
    }
    expect(packets).toBeGreaterThan(1000);
    expect([...protos]).toEqual(expect.arrayContaining(['eth', 'sll', 'vlan', 'arp', 'ipv4', 'ipv6', 'udp', 'tcp', 'icmp', 'icmpv6', 'vxlan', 'geneve', 'gre', 'wireguard', 'ipip']));
  });
});
