/**
 * bin/podpath.js starts the bundle from the V8 code cache the build wrote
 * (scripts/code-cache.mjs), and only from a cache made for exactly that
 * bundle: V8 itself checks no more than the source's length, and runs a
 * same-length bundle's old bytecode.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podpath, ROOT } from './helpers.js';

const DIST = join(ROOT, 'dist');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

/** A copy of bin/ and the command's bundle (and cache) to tamper with. */
function install(bundle: string, cache: Uint8Array | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-cache-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist'));
  copyFileSync(join(ROOT, 'bin', 'podpath.js'), join(dir, 'bin', 'podpath.js'));
  writeFileSync(join(dir, 'dist', 'cli.cjs'), bundle);
  if (cache) writeFileSync(join(dir, 'dist', 'cli.cjs.cache'), cache);
  // bin/podpath.js is ESM by the package's "type".
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  return dir;
}

function run(dir: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  return spawnSync(process.execPath, [join(dir, 'bin', 'podpath.js'), ...args], { encoding: 'utf8', env: { ...process.env, PODPATH_DEBUG_CODE_CACHE: '1', NO_COLOR: '1' } });
}

describe('code cache (built CLI)', () => {
  const bundle = readFileSync(join(DIST, 'cli.cjs'), 'utf8');
  const cache = readFileSync(join(DIST, 'cli.cjs.cache'));

  it('the build wrote one for this bundle, and the command uses it', () => {
    expect(cache.subarray(0, 32).equals(createHash('sha256').update(bundle).digest())).toBe(true);
    const r = podpath(['--version'], undefined, { PODPATH_DEBUG_CODE_CACHE: '1' });
    expect(r.stdout.trim()).toBe(VERSION);
    expect(r.stderr).toBe('podpath: code cache used\n');
  });

  it('a cache made for another bundle of the same length is not used (V8 would run its old bytecode)', () => {
    const changed = bundle.replace(`var VERSION = "${VERSION}"`, `var VERSION = "${'9'.repeat(VERSION.length)}"`);
    expect(changed).not.toBe(bundle);
    expect(changed.length).toBe(bundle.length);
    const r = run(install(changed, cache), ['--version']);
    expect(r.stdout.trim()).toBe('9'.repeat(VERSION.length));
    expect(r.stderr).toBe('podpath: code cache none for this bundle\n');
    expect(r.status).toBe(0);
  });

  it('a damaged cache is rejected by V8 and the command still runs in full', () => {
    const damaged = Buffer.from(cache);
    for (let i = 32; i < damaged.length; i += 97) damaged[i] = damaged[i]! ^ 0x5a;
    const dir = install(bundle, damaged);
    const r = run(dir, ['analyze', '--json', join(ROOT, 'samples', 'vxlan', 'node-a.eth1.pcap')]);
    expect(r.stderr).toBe('podpath: code cache rejected by V8\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(podpath(['analyze', '--json', join(ROOT, 'samples', 'vxlan', 'node-a.eth1.pcap')]).stdout);
  });

  it('no cache: compiled as usual', () => {
    const r = run(install(bundle, null), ['--version']);
    expect(r.stdout.trim()).toBe(VERSION);
    expect(r.stderr).toBe('podpath: code cache none for this bundle\n');
  });

  it('no bundle at all (not built yet): one line that says so, exit 2', () => {
    const dir = install(bundle, null);
    rmSync(join(dir, 'dist'), { recursive: true });
    const r = run(dir, ['--version']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`podpath: ${join(realpathSync(dir), 'dist', 'cli.cjs')} is missing: build it first (npm run build, or npm install && npm start)\n`);
  });
});
