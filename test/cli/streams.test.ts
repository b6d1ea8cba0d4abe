import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, podpath } from './helpers.js';

const VXLAN = join(FIXTURES, 'vxlan', 'vxlan.pcap');

describe('streams (built CLI)', () => {
  it('stdin that ends mid-record is a truncated tail: the packets before it, one line on stderr, exit 3', () => {
    const bytes = readFileSync(VXLAN);
    const r = podpath(['packets', '-'], bytes.subarray(0, bytes.length - 25));
    expect(r.status).toBe(3);
    expect(r.stdout.trim().split('\n')).toHaveLength(9);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^podpath: -: capture ends inside a record: .*packet 10\)/);
    const a = podpath(['analyze', '--json', '-'], bytes.subarray(0, bytes.length - 25));
    expect(a.status).toBe(3);
    expect((JSON.parse(a.stdout) as { captures: { packets: number }[] }).captures[0]!.packets).toBe(9);
  });

  it('Ctrl-C on a run waiting for more input exits 130 and prints nothing alarming', async () => {
    const child = spawn(process.execPath, [BIN, 'analyze', '-'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Half a capture: podpath is reading, waiting for the rest.
    child.stdin.write(readFileSync(VXLAN).subarray(0, 400));
    await new Promise((r) => setTimeout(r, 700));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toBe('');
  });
});
