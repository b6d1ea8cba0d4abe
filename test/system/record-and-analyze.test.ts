/**
 * System test: record FRESH captures with real tcpdump/dumpcap in network
 * namespaces (scripts/record-samples.sh), then run the built CLI on them with
 * their fresh node address files and check the verdict of every scenario
 * against samples/README.md (test/system/scenarios.ts). Structural, not byte
 * for byte: timestamps, ports, sequence numbers and IP IDs differ per run.
 *
 * PODPATH_KEEP_RECORDINGS=1 keeps the temporary directory of recordings (for
 * looking into a failure); by default it is removed.
 *
 * Needs root, `ip netns`, bridge, tcpdump, dumpcap, python3 and /dev/net/tun;
 * without them it is skipped with a message naming what is missing.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/analysis/report.js';
import { BIN, ROOT } from '../cli/helpers.js';
import { checkVerdict, SCENARIO_NAMES, SCENARIOS, scenarioArgs, underlayFilter } from './scenarios.js';

const SCRIPT = join(ROOT, 'scripts', 'record-samples.sh');
const RECORD_TIMEOUT_MS = 110_000;
// A prefix of our own: the script deletes every namespace with its prefix, and
// others (a developer re-recording samples, a parallel run) may be using "pp-".
const PREFIX = `ppsys${process.pid}-`;

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** What this machine lacks to record the samples; empty when it can. */
function missingPieces(): string[] {
  const missing: string[] = [];
  if (process.platform !== 'linux') return [`Linux (this is ${process.platform})`];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces, raw sockets, captures)');
  if (!onPath('ip')) missing.push('ip (iproute2)');
  else if (spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status !== 0) missing.push('`ip netns` (iproute2 with netns support)');
  for (const c of ['bridge', 'tcpdump', 'dumpcap', 'python3', 'sha1sum']) if (!onPath(c)) missing.push(c);
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun (userspace IPIP tunnel)');
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) missing.push('dist/cli.js (run `npx tsup`)');
  return missing;
}

const missing = missingPieces();
const haveTshark = onPath('tshark');
if (missing.length > 0) {
  console.warn(`[system] record-and-analyze skipped: missing ${missing.join(', ')}`);
}

function ourNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return (r.stdout ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((ns) => ns.startsWith(PREFIX));
}

describe.skipIf(missing.length > 0)('record fresh captures in namespaces, then analyze them', () => {
  let out = '';
  let recording: { ok: boolean; log: string } = { ok: false, log: 'not recorded' };

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'podpath-system-'));
    const r = spawnSync('bash', [SCRIPT, out, ...SCENARIO_NAMES], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PP_NS_PREFIX: PREFIX },
      timeout: RECORD_TIMEOUT_MS,
      killSignal: 'SIGTERM', // the script's trap removes its namespaces and processes
      maxBuffer: 64 * 1024 * 1024,
    });
    const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const why = r.error ? ` (${r.error.message})` : r.signal ? ` (killed by ${r.signal})` : ` (exit ${r.status})`;
    recording = { ok: r.status === 0, log: r.status === 0 ? log : `record-samples.sh failed${why}:\n${log.split('\n').slice(-40).join('\n')}` };
  }, RECORD_TIMEOUT_MS + 10_000);

  afterAll(() => {
    if (!out) return;
    if (process.env.PODPATH_KEEP_RECORDINGS === '1') console.warn(`[system] recordings kept in ${out}`);
    else rmSync(out, { recursive: true, force: true });
  });

  it('records every scenario', () => {
    expect(recording.ok, recording.log).toBe(true);
    expect(readdirSync(out).sort()).toEqual([...SCENARIO_NAMES].sort());
  });

  it('leaves no namespaces behind', () => {
    expect(ourNamespaces()).toEqual([]);
  });

  describe.each(SCENARIO_NAMES)('%s', (scenario) => {
    it('gives the documented verdict on a fresh recording', () => {
      expect(recording.ok, recording.log).toBe(true);
      // The same files as the bundled sample.
      const names = (dir: string): string[] => readdirSync(dir).sort();
      expect(names(join(out, scenario))).toEqual(names(join(ROOT, 'samples', scenario)));

      const { args } = scenarioArgs(out, '.', scenario);
      const r = spawnSync(process.execPath, [BIN, ...args, '--json'], {
        cwd: out,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      const truth = SCENARIOS[scenario]!;
      checkVerdict(report, truth, { recorded: false });

      // The pod packet count: the README's, plus any TCP retransmissions this
      // recording happens to hold; tshark, reading the same files, has the final word.
      if (!haveTshark) {
        console.warn(`[system] ${scenario}: tshark not installed; pod packet count checked against samples/README.md only`);
        return;
      }
      let underlay = 0;
      for (const f of scenarioArgs(out, '.', scenario).captures) {
        const t = spawnSync('tshark', ['-r', f, '-Y', underlayFilter(truth), '-T', 'fields', '-e', 'frame.number'], { cwd: out, encoding: 'utf8' });
        expect(t.status, `tshark -r ${f}: ${t.stderr}`).toBe(0);
        underlay += t.stdout.split('\n').filter((l) => l !== '').length;
      }
      expect(underlay, `tshark's count of pod packets (${underlayFilter(truth)}) vs samples/README.md`).toBeGreaterThanOrEqual(truth.podPackets);
      expect(report.totals.podPackets, `totals.podPackets vs tshark -Y '${underlayFilter(truth)}'`).toBe(underlay);
    });
  });
});
