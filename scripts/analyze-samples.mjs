#!/usr/bin/env node
// `npm start`: run `podpath analyze` on every bundled sample scenario, with
// each scenario's node address files, the way a user would on their captures.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const samples = join(root, 'samples');
const extra = process.argv.slice(2);
let worst = 0;
for (const scenario of readdirSync(samples).sort()) {
  const dir = join(samples, scenario);
  if (!statSync(dir).isDirectory()) continue;
  const files = readdirSync(dir).sort();
  const captures = files.filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).map((f) => join('samples', scenario, f));
  if (captures.length === 0) continue;
  const addrs = files.filter((f) => f.endsWith('.addrs.json')).flatMap((f) => ['--node-addrs', join('samples', scenario, f)]);
  const args = ['analyze', ...captures, ...addrs, ...extra];
  process.stdout.write(`\n## ${scenario}: podpath ${args.join(' ')}\n\n`);
  const r = spawnSync(process.execPath, [join(root, 'bin', 'podpath.js'), ...args], { cwd: root, stdio: 'inherit' });
  worst = Math.max(worst, r.status ?? 70);
}
process.exitCode = worst;
