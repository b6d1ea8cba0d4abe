#!/usr/bin/env node
/**
 * Build step (`npm run build`, after tsup): V8's code cache for the command,
 * dist/cli.cjs.cache, which bin/podpath.js starts from (see there).
 *
 * Runs the command over the bundled samples, once per command and output,
 * each run starting from the cache the run before wrote: the cache ends up
 * holding the bytecode of every function those runs compiled. A function no
 * run reached is compiled when first called, as without a cache.
 *
 *   node scripts/code-cache.mjs      (after tsup; writes dist/cli.cjs.cache)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'podpath.js');
const cache = join(root, 'dist', 'cli.cjs.cache');
const tmp = `${cache}.tmp`;
const s = (...p) => join(root, 'samples', ...p);

// Each run: argv and the exit codes it may end with (verify's 1 and diff's 1 are answers, not failures).
const RUNS = [
  [['analyze', s('three-nics-storage', 'node-a.ens4.pcap'), s('three-nics-storage', 'node-a.ens5.pcap')], [0]],
  [['analyze', '--json', '--jobs', '1', s('any-sll2', 'node-a.any.pcap'), '--node-addrs', s('any-sll2', 'node-a.addrs.json')], [0]],
  [['analyze', '--format', 'markdown', s('vxlan', 'node-a.eth1.pcap')], [0]],
  [['packets', s('pcapng-dumpcap', 'node-a.pcapng')], [0]],
  [['packets', '--json', s('vxlan', 'node-a.eth1.pcap')], [0]],
  [['verify', s('vxlan', 'node-a.eth1.pcap'), '--expect', 'ipip'], [1]],
  [['diff', s('before-after-nic', 'before', 'node-a.pcapng'), s('before-after-nic', 'after', 'node-a.pcapng')], [0, 1]],
];

rmSync(cache, { force: true });
for (const [args, codes] of RUNS) {
  for (const a of args) if (a.startsWith(root) && !existsSync(a)) throw new Error(`code-cache: missing sample ${a}`);
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, PODPATH_WRITE_CODE_CACHE: tmp, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.error) throw r.error;
  if (!codes.includes(r.status)) {
    rmSync(tmp, { force: true });
    throw new Error(`code-cache: podpath ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  }
  renameSync(tmp, cache);
}
console.log(`code cache: ${cache}`);
