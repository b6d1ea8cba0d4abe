/**
 * Golden reports: podpath on every bundled sample, run as
 * scripts/analyze-samples.mjs runs it (`analyze` of the captures, then
 * --node-addrs for each *.addrs.json, paths relative to the repo root, plus
 * --vxlan-port 8472 for the flannel sample; `diff --before ... --after ...`
 * for the before/after samples), compared byte for byte with
 * test/golden/expected/<scenario>.{json,txt} (and .md for MARKDOWN_SCENARIO).
 * Every --json output is also checked against the verdict samples/README.md
 * documents (test/system/scenarios.ts), and so is `analyze` of each phase of
 * the before/after samples.
 *
 * UPDATE_GOLDEN=1 npx vitest run test/golden   rewrites the baselines.
 * See test/golden/README.md for what is normalised and why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiffResult } from '../../src/analysis/diff.js';
import type { Report } from '../../src/analysis/report.js';
import { BIN, ROOT } from '../cli/helpers.js';
import { checkAnalyze, checkDiff, checkWithoutExtraArgs, extraArgs, phaseArgs, SCENARIOS, scenarioArgs, scenarioDirs } from '../system/scenarios.js';

const SAMPLES = join(ROOT, 'samples');
const EXPECTED = join(import.meta.dirname, 'expected');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const MARKDOWN_SCENARIO = 'three-nics-storage';
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Known podpath bugs that show in a golden. The baseline holds the CORRECT
 * output (`right`), never the buggy one: the golden compares podpath's output
 * with `wrong` replaced by `right`, so that every other change still shows; and
 * an `it.fails` asserts that the raw output is free of `wrong`: it fails (as
 * expected) while the bug is there, and the day the bug is fixed it "passes
 * unexpectedly", which vitest reports as a failure: then delete the entry.
 */
const KNOWN_BUGS: { file: string; bug: string; wrong: string; right: string }[] = [
  // None open. Example of an entry (fixed: the SLL2 ifindex of a packet node-a
  // received was looked up in the sender's address file):
  // {
  //   file: 'any-sll2.json',
  //   bug: "an incoming packet's SLL2 ifindex is looked up in the sender's address file",
  //   wrong: '"detail": "captured on ifindex 2, which is eth1 in samples/any-sll2/node-b.addrs.json"',
  //   right: '"detail": "captured on ifindex 2, which is eth1 in samples/any-sll2/node-a.addrs.json"',
  // },
];

/** The only normalisation: the version stamp (see README.md). */
function normalise(text: string): string {
  return text.replaceAll(`podpath ${VERSION}`, 'podpath <version>');
}

function correctKnownBugs(file: string, text: string): string {
  for (const k of KNOWN_BUGS) if (k.file === file) text = text.replaceAll(k.wrong, k.right);
  return text;
}

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', COLUMNS: '100' };
  delete e.FORCE_COLOR;
  return e;
}

function run(args: string[]): string {
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) throw new Error('dist/cli.cjs missing: run `npx tsup` (npm test builds first)');
  // stdout is a pipe, not a TTY: the table takes its default width (100) and no colour.
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(r.stderr, `stderr of podpath ${args.join(' ')}`).toBe('');
  expect(r.status, `exit status of podpath ${args.join(' ')}`).toBe(0);
  return r.stdout;
}

function golden(file: string, actual: string): void {
  const path = join(EXPECTED, file);
  const text = correctKnownBugs(file, normalise(actual));
  if (UPDATE) {
    mkdirSync(EXPECTED, { recursive: true });
    writeFileSync(path, text);
    return;
  }
  if (!existsSync(path)) throw new Error(`no baseline ${file}: run UPDATE_GOLDEN=1 npx vitest run test/golden, then read it`);
  expect(text, `${file} (UPDATE_GOLDEN=1 npx vitest run test/golden rewrites it, after you have read the diff)`).toBe(readFileSync(path, 'utf8'));
}

const scenarios = scenarioDirs(SAMPLES);

describe('golden reports of the bundled samples', () => {
  it('covers every sample scenario, and every baseline belongs to one', () => {
    expect(scenarios).toEqual(Object.keys(SCENARIOS).sort());
    if (UPDATE) return;
    const want = scenarios.flatMap((s) => [`${s}.json`, `${s}.txt`, ...(s === MARKDOWN_SCENARIO ? [`${s}.md`] : [])]).sort();
    expect(readdirSync(EXPECTED).sort()).toEqual(want);
  });

  it('the truths add up: pod packets = ICMP + TCP for every node pair', () => {
    for (const [name, t] of Object.entries(SCENARIOS)) {
      for (const a of t.kind === 'diff' ? [t.before, t.after] : [t]) {
        for (const p of a.pairs) expect(p.icmp[0] + p.icmp[1] + p.tcp, `${name} ${p.from}⇄${p.to}`).toBe(p.podPackets);
      }
    }
  });

  // `npm start` itself: the same command lines, and the same text as the .txt baselines.
  it.skipIf(UPDATE)('scripts/analyze-samples.mjs runs each scenario with the command line and output of its .txt baseline', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'analyze-samples.mjs')], { cwd: ROOT, env: env(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const sections = r.stdout.split('\n## ').slice(1);
    expect(sections.map((s) => s.slice(0, s.indexOf('\n')))).toEqual(scenarios);
    for (const section of sections) {
      const scenario = section.slice(0, section.indexOf('\n'));
      const m = /^\n\$ podpath (.*)\n\n/.exec(section.slice(scenario.length + 1));
      expect(m, `${scenario}: "$ podpath ..." line`).not.toBeNull();
      expect(m![1], `${scenario}: command line`).toBe(scenarioArgs(SAMPLES, 'samples', scenario).args.join(' '));
      const out = section.slice(scenario.length + 1 + m![0].length);
      expect(correctKnownBugs(`${scenario}.txt`, normalise(out)), `${scenario}: output`).toBe(readFileSync(join(EXPECTED, `${scenario}.txt`), 'utf8'));
    }
  }, 60_000);

  describe.each(scenarios)('%s', (scenario) => {
    const truth = SCENARIOS[scenario]!;
    const { args } = scenarioArgs(SAMPLES, 'samples', scenario);

    it('--json', () => {
      const out = run([...args, '--json']);
      // The verdict must be the one samples/README.md documents, whatever the baseline says.
      if (truth.kind === 'diff') checkDiff(JSON.parse(out) as DiffResult, truth, { recorded: true });
      else checkAnalyze(JSON.parse(out) as Report, truth, { recorded: true });
      golden(`${scenario}.json`, out);
    });

    it(truth.kind === 'diff' ? 'diff text (default format)' : 'table (default format)', () => {
      golden(`${scenario}.txt`, run(args));
    });

    if (truth.kind === 'diff') {
      for (const phase of ['before', 'after'] as const) {
        it(`analyze of ${phase}/ gives the documented verdict`, () => {
          const report = JSON.parse(run([...phaseArgs(SAMPLES, 'samples', scenario, phase).args, '--json'])) as Report;
          checkAnalyze(report, truth[phase], { recorded: true }, phase);
        });
      }
    }

    if (truth.kind === 'analyze' && truth.withoutExtraArgs) {
      it(`without ${extraArgs(scenario).join(' ')}: what podpath says then`, () => {
        const plain = args.slice(0, args.length - extraArgs(scenario).length);
        checkWithoutExtraArgs(JSON.parse(run([...plain, '--json'])) as Report, truth, { recorded: true });
      });
    }

    if (scenario === MARKDOWN_SCENARIO) {
      it('--format markdown', () => {
        golden(`${scenario}.md`, run([...args, '--format', 'markdown']));
      });
    }

    for (const k of KNOWN_BUGS.filter((b) => b.file.startsWith(`${scenario}.`))) {
      (UPDATE ? it.skip : it.fails)(`known bug, still there (expected to fail): ${k.bug}`, () => {
        const format = k.file.endsWith('.json') ? ['--json'] : k.file.endsWith('.md') ? ['--format', 'markdown'] : [];
        expect(run([...args, ...format])).not.toContain(k.wrong);
      });
    }
  });
});
