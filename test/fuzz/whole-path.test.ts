/**
 * Whole-path fuzzing in `npm test`: mutated real captures (bit flips, byte
 * overwrites, truncation, splices of two captures, inserted and deleted
 * bytes, targeted corruption of length and type fields) go through
 * readCaptureStream in random chunkings → PacketDecoder → packetLine and
 * packetJson, and as files through analyzeCaptures → renderTable,
 * renderMarkdown, renderJson, validateReport, diffReports and verifyReport.
 * Mutated node address files and saved reports go through parseNodeAddrs
 * and validateReport and, when accepted, on into an analysis or a diff.
 *
 * Properties (harness.mjs): nothing but the input's own error class escapes,
 * every case returns within the time limit, memory stays bounded, packet
 * counts fit the bytes, chunking changes nothing, the report is plain JSON
 * and renders, and every packet through the reference decoder gives the same
 * report (the fast path is a shortcut, never another answer). fast-check runs a fixed seed (in the test names) and shrinks a
 * failure to a small case; the generators are shared with `npm run fuzz`
 * (scripts/fuzz.mjs), the long run.
 *
 * A case that runs past the time limit while it still yields (between
 * chunks, records, analysis steps) fails as a hang; one stuck in a synchronous
 * loop cannot be interrupted in-process and stalls the run: scripts/fuzz.mjs
 * runs cases in worker threads and kills those.
 *
 * Knobs: PODPATH_FUZZ_SEED=n picks another seed, PODPATH_FUZZ_SCALE=k runs
 * k times as many cases.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { renderDiffText } from '../../src/render/diff.js';
import { type FuzzContext, buildContext, listCaptures, runCaptureCase, runNodeAddrsCase, runReportCase } from './harness.mjs';
import { type CaptureCase, type TextCase, captureCaseArbitrary, textCaseArbitrary } from './mutate.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REGRESSIONS = 'test/fixtures/fuzz-regressions';
const SEED = Number(process.env.PODPATH_FUZZ_SEED ?? 20_240_601) | 0;
const SCALE = Math.max(1, Number(process.env.PODPATH_FUZZ_SCALE ?? 1) || 1);
/** Cases per property, sized so the file takes about half a minute on a 2-core machine. */
const RUNS = { capture: 2500 * SCALE, node: 600 * SCALE, report: 1000 * SCALE };

/** A representative subset that keeps the suite fast: every small capture (all of malformed/), no large ones. */
const MAX_CORPUS_FILE = 10 * 1024;
const CORPUS = listCaptures(ROOT, ['test/fixtures/captures', 'samples', REGRESSIONS]).filter((f) => statSync(join(ROOT, f)).size <= MAX_CORPUS_FILE);

let ctx: FuzzContext;
let dir = '';

beforeAll(async () => {
  // Every case writes its capture to a file for analyzeCaptures: in memory where there is /dev/shm.
  dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'podpath-fuzz-'));
  ctx = await buildContext(lib, { root: ROOT, captures: CORPUS, tmpDir: dir, renderDiffText });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function params<T>(runs: number, seedOffset: number): fc.Parameters<T> {
  return {
    seed: SEED + seedOffset,
    numRuns: runs,
    // A failing case is shrunk, but a slow shrink must not outlast the test.
    interruptAfterTimeLimit: 25_000 * SCALE,
    markInterruptAsFailure: false,
  };
}

describe('whole-path fuzz', () => {
  it(`mutated captures: read in random chunks, decoded, analysed, rendered (seed ${SEED}, ${RUNS.capture} cases)`, async () => {
    expect(CORPUS.length).toBeGreaterThan(50);
    await fc.assert(
      fc.asyncProperty(captureCaseArbitrary(CORPUS.length), async (c) => {
        await runCaptureCase(ctx, c);
      }),
      params<[CaptureCase]>(RUNS.capture, 0),
    );
  });

  it(`mutated node address files (JSON and ip -o text): only NodeAddrsError, accepted ones analyse (seed ${SEED + 1}, ${RUNS.node} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(textCaseArbitrary(ctx.nodeTexts.length), async (c) => {
        await runNodeAddrsCase(ctx, c);
      }),
      params<[TextCase]>(RUNS.node, 1),
    );
  });

  it(`mutated saved reports: only ReportFileError, valid ones diff (seed ${SEED + 2}, ${RUNS.report} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(textCaseArbitrary(ctx.reportTexts.length), async (c) => {
        await runReportCase(ctx, c);
      }),
      params<[TextCase]>(RUNS.report, 2),
    );
  });
});

describe('fuzz regressions', () => {
  const files = readdirSync(join(ROOT, REGRESSIONS)).filter((f) => f !== 'README.md').sort();
  const captures = files.filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f));
  const reports = files.filter((f) => f.endsWith('.report.json'));
  const nodeFiles = files.filter((f) => /\.addrs\.(json|txt)$/.test(f));

  it('README lists every regression input', () => {
    const readme = readFileSync(join(ROOT, REGRESSIONS, 'README.md'), 'utf8');
    for (const f of files) expect(readme, f).toContain(`\`${f}\``);
    expect(captures.length + reports.length + nodeFiles.length).toBe(files.length);
  });

  it.each(captures)('%s survives the whole path in every chunking', async (name) => {
    const bytes = new Uint8Array(readFileSync(join(ROOT, REGRESSIONS, name)));
    const one = { ...ctx, corpus: [{ name, path: join(ROOT, REGRESSIONS, name), bytes }], corpusBytes: [bytes] };
    for (const chunks of [[], [1], [2, 1], [3, 7, 13], [4096]]) {
      const c: CaptureCase = {
        source: 0,
        ops: [],
        delivery: { chunks, reuse: chunks.length > 0 && !name.endsWith('.gz'), gzip: null, maxPackets: 0 },
        analysis: { vxlanPorts: [8472], genevePorts: null, blockSize: 26, topPairs: 10, nodeAddrs: 0, podCidrs: ['10.244.0.0/16'], interfaceName: null, extra: -1, tableWidth: 60 + chunks.length * 20, table: true, color: chunks.length === 1 },
      };
      await runCaptureCase(one, c);
    }
  });

  it.each(reports)('%s: validateReport rejects it or diffReports takes it', async (name) => {
    const text = readFileSync(join(ROOT, REGRESSIONS, name), 'utf8');
    for (const viaFile of ['no', 'utf8'] as const) await runReportCase({ ...ctx, reportTexts: [text] }, { source: 0, json: [], ops: [], viaFile, other: 0 });
  });

  it.each(nodeFiles)('%s: parseNodeAddrs rejects it or the analysis takes it', async (name) => {
    const text = readFileSync(join(ROOT, REGRESSIONS, name), 'utf8');
    for (const viaFile of ['no', 'utf8'] as const) await runNodeAddrsCase({ ...ctx, nodeTexts: [text] }, { source: 0, json: [], ops: [], viaFile, other: 0 });
  });

  // Inputs too large to commit, made here.

  it('a --pod-cidr sweep of 131,072 addresses (one path of 131,072 conversations) analyses', async () => {
    // Raw IPv4 headers 10.0.0.1 → 10.1.x.y: Math.min(...stats) over the group overflowed the stack.
    const n = 131_072;
    const b = Buffer.alloc(24 + n * 36);
    b.writeUInt32LE(0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeUInt32LE(65535, 16);
    b.writeUInt32LE(101, 20);
    const ip = Buffer.from('450000140001000040010000', 'hex');
    for (let i = 0; i < n; i++) {
      const o = 24 + i * 36;
      b.writeUInt32LE(20, o + 8);
      b.writeUInt32LE(20, o + 12);
      ip.copy(b, o + 16);
      b.writeUInt32BE(0x0a000001, o + 28);
      b.writeUInt32BE(0x0a010000 + i, o + 32);
    }
    const file = join(dir, 'sweep.pcap');
    writeFileSync(file, b);
    const { report } = await lib.analyzeCaptures([file], { podCidrs: ['10.0.0.0/8'] });
    expect(report.totals.podPackets).toBe(n);
    expect(report.paths.map((p) => p.podPairCount)).toEqual([n]);
  });

  it('a saved report with 131,072 paths between one node pair diffs', () => {
    // Math.max(0, ...paths) in diff overflowed the stack.
    const doc = ctx.reportTexts.map((t) => JSON.parse(t) as lib.Report).find((r) => r.paths.length > 0)!;
    const path = doc.paths[0]!;
    doc.paths = Array.from({ length: 131_072 }, (_, i) => ({ ...path, id: `p${i + 1}` }));
    const report = lib.validateReport(doc, 'many-paths.json');
    const d = lib.diffReports(report, ctx.baseReports[0]!);
    expect(d.paths.some((p) => p.before?.paths.length === 131_072)).toBe(true);
  });
});
