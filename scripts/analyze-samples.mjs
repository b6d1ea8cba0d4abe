#!/usr/bin/env node
// `npm start`: run podpath on every bundled sample scenario the way a user
// would on their own captures: `analyze` with each scenario's node address
// files, and `diff` for the before/after scenarios.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'podpath.js');
const extra = process.argv.slice(2);
const isCapture = (f) => /\.(pcap|pcapng)(\.gz)?$/.test(f);

function files(rel) {
  const dir = join(root, rel);
  const all = readdirSync(dir).sort();
  return {
    captures: all.filter(isCapture).map((f) => join(rel, f)),
    addrs: all.filter((f) => f.endsWith('.addrs.json')).flatMap((f) => ['--node-addrs', join(rel, f)]),
  };
}

function run(args) {
  process.stdout.write(`\n$ podpath ${args.join(' ')}\n\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  return r.status ?? 70;
}

let worst = 0;
for (const scenario of readdirSync(join(root, 'samples')).sort()) {
  const rel = join('samples', scenario);
  if (!statSync(join(root, rel)).isDirectory()) continue;
  process.stdout.write(`\n## ${scenario}\n`);
  if (existsSync(join(root, rel, 'before')) && existsSync(join(root, rel, 'after'))) {
    const before = files(join(rel, 'before'));
    const after = files(join(rel, 'after'));
    const args = ['diff', ...before.captures.flatMap((c) => ['--before', c]), ...after.captures.flatMap((c) => ['--after', c]), ...after.addrs, ...extra];
    worst = Math.max(worst, run(args));
    continue;
  }
  const { captures, addrs } = files(rel);
  if (captures.length === 0) continue;
  // flannel's VXLAN port is not Calico's: say so, as a user of that sample would.
  const ports = scenario.includes('8472') ? ['--vxlan-port', '8472'] : [];
  worst = Math.max(worst, run(['analyze', ...captures, ...addrs, ...ports, ...extra]));
}
process.exitCode = worst;
