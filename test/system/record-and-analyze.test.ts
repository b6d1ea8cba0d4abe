/**
 * System test: record FRESH captures of all fifteen scenarios (the default
 * six and the issue-4 nine: `scripts/record-samples.sh <tmp> all`) with real
 * tcpdump/dumpcap in network namespaces, then run the built CLI on them the
 * way scripts/analyze-samples.mjs does (`analyze`, with --vxlan-port 8472 for
 * flannel; `diff` for the before/after scenarios, and `analyze` of each
 * phase) with their fresh node address files, and check the verdict, the
 * findings and (for diffs) the changes of every scenario against
 * samples/README.md (test/system/scenarios.ts). Structural, not byte for
 * byte: timestamps, ports, sequence numbers and IP IDs differ per run, and
 * TCP counts may differ by a packet or two (ICMP, fragments and ICMP errors
 * do not).
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
import type { DiffResult } from '../../src/analysis/diff.js';
import type { Report } from '../../src/analysis/report.js';
import type { VerifyResult } from '../../src/analysis/verify.js';
import { BIN, ROOT } from '../cli/helpers.js';
import {
  type AnalyzeTruth,
  checkAnalyze,
  checkDiff,
  checkWithoutExtraArgs,
  extraArgs,
  phaseArgs,
  SCENARIO_NAMES,
  SCENARIOS,
  scenarioArgs,
  scenarioFiles,
} from './scenarios.js';

const SCRIPT = join(ROOT, 'scripts', 'record-samples.sh');
// All fifteen take about 70 s (the default six about 20 s, the issue-4 nine about 50 s).
const RECORD_TIMEOUT_MS = 150_000;
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
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) missing.push('dist/cli.cjs (run `npx tsup`)');
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
    const r = spawnSync('bash', [SCRIPT, out, 'all'], {
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

  it('records every scenario (the group "all" is the fifteen of samples/)', () => {
    expect(recording.ok, recording.log).toBe(true);
    expect(readdirSync(out).sort()).toEqual([...SCENARIO_NAMES].sort());
  });

  it('leaves no namespaces behind', () => {
    expect(ourNamespaces()).toEqual([]);
  });

  function run(args: string[]): string {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: out, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
    expect(r.stderr, `stderr of podpath ${args.join(' ')}`).toBe('');
    expect(r.status, `exit status of podpath ${args.join(' ')}`).toBe(0);
    return r.stdout;
  }

  /** The pod packet count: tshark, reading the same files, has the final word. */
  function tsharkAgrees(label: string, captures: string[], truth: AnalyzeTruth, report: Report): void {
    if (!haveTshark) {
      console.warn(`[system] ${label}: tshark not installed; pod packet count checked against samples/README.md only`);
      return;
    }
    let underlay = 0;
    for (const f of captures) {
      const t = spawnSync('tshark', ['-r', f, '-Y', truth.tshark, '-T', 'fields', '-e', 'frame.number'], { cwd: out, encoding: 'utf8' });
      expect(t.status, `tshark -r ${f}: ${t.stderr}`).toBe(0);
      underlay += t.stdout.split('\n').filter((l) => l !== '').length;
    }
    expect(report.totals.podPackets, `${label}: totals.podPackets vs tshark -Y '${truth.tshark}'`).toBe(underlay);
  }

  describe.each(SCENARIO_NAMES)('%s', (scenario) => {
    const truth = SCENARIOS[scenario]!;

    it(truth.kind === 'diff' ? 'gives the documented changes, and each phase the documented verdict, on a fresh recording' : 'gives the documented verdict on a fresh recording', () => {
      expect(recording.ok, recording.log).toBe(true);
      // The same files as the bundled sample (before/ and after/ included).
      expect(scenarioFiles(join(out, scenario))).toEqual(scenarioFiles(join(ROOT, 'samples', scenario)));

      const { args, captures } = scenarioArgs(out, '.', scenario);
      if (truth.kind === 'diff') {
        checkDiff(JSON.parse(run([...args, '--json'])) as DiffResult, truth, { recorded: false });
        for (const phase of ['before', 'after'] as const) {
          const p = phaseArgs(out, '.', scenario, phase);
          const report = JSON.parse(run([...p.args, '--json'])) as Report;
          checkAnalyze(report, truth[phase], { recorded: false }, phase);
          tsharkAgrees(`${scenario}/${phase}`, p.captures, truth[phase], report);
        }
        return;
      }
      const report = JSON.parse(run([...args, '--json'])) as Report;
      checkAnalyze(report, truth, { recorded: false });
      tsharkAgrees(scenario, captures, truth, report);
      if (truth.withoutExtraArgs) {
        const plain = args.slice(0, args.length - extraArgs(scenario).length);
        checkWithoutExtraArgs(JSON.parse(run([...plain, '--json'])) as Report, truth, { recorded: false });
      }
    });
  });

  it('verify --expect cross-subnet: CrossSubnet passes, Always fails on node-a ⇄ node-b only', () => {
    expect(recording.ok, recording.log).toBe(true);
    const verify = (scenario: string): { status: number | null; result: VerifyResult } => {
      const { captures } = scenarioArgs(out, '.', scenario);
      const nodes = ['node-a', 'node-b', 'node-c'].flatMap((n) => ['--node-addrs', join(scenario, `${n}.addrs.json`)]);
      const r = spawnSync(process.execPath, [BIN, 'verify', ...captures, ...nodes, '--expect', 'cross-subnet', '--json'], { cwd: out, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return { status: r.status, result: JSON.parse(r.stdout) as VerifyResult };
    };
    const pass = verify('cross-subnet');
    expect([pass.status, pass.result.ok, pass.result.violations]).toEqual([0, true, []]);
    const fail = verify('cross-subnet-always');
    expect([fail.status, fail.result.ok]).toEqual([1, false]);
    expect(fail.result.violations.map((v) => v.direction)).toEqual(['node-a (172.16.40.41) → node-b (172.16.40.42)', 'node-b (172.16.40.42) → node-a (172.16.40.41)']);
  });
});
