/**
 * The file reader's page-aligned buffer (see pageAlignedBytes): aligned when
 * WebAssembly memory can be had, and a plain buffer (same bytes read) when
 * it cannot, e.g. under `ulimit -v`, which refuses the address space a
 * WebAssembly memory reserves.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_CHUNK, pageAlignedBytes } from '../../src/capture/source.js';
import { BIN, ROOT, podpath } from '../cli/helpers.js';

describe('pageAlignedBytes', () => {
  it('is a whole buffer of WebAssembly pages, starting at its first byte, as long as asked', () => {
    for (const n of [1, FILE_CHUNK, 65536 * 3 + 5]) {
      const b = pageAlignedBytes(n);
      expect(b.length).toBe(n);
      expect(b.byteOffset).toBe(0);
      expect(b.buffer.byteLength % 65536).toBe(0);
      expect(b.buffer.byteLength).toBeLessThan(n + 65536);
    }
  });

  it.skipIf(process.platform !== 'linux')('reads captures the same when no WebAssembly memory can be had (ulimit -v)', () => {
    const sample = join(ROOT, 'samples', 'vxlan', 'node-a.eth1.pcap');
    const want = podpath(['analyze', sample, '--json']);
    expect(want.status).toBe(0);
    // 6 GB of address space: enough for node, too little for the 8 GiB+ a WebAssembly memory reserves.
    const probe = spawnSync('bash', ['-c', `ulimit -v 6000000 && "${process.execPath}" -e "new WebAssembly.Memory({ initial: 4, maximum: 4 })"`], { encoding: 'utf8' });
    expect(probe.status, 'WebAssembly memory should fail under the limit').not.toBe(0);
    const got = spawnSync('bash', ['-c', `ulimit -v 6000000 && "${process.execPath}" "${BIN}" analyze "${sample}" --json`], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(got.stderr).toBe('');
    expect(got.status).toBe(0);
    expect(got.stdout).toBe(want.stdout);
  });
});
