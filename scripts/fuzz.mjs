#!/usr/bin/env node
/**
 * `npm run fuzz`: the long whole-path fuzz run against the built library
 * (dist/index.js). Same generators and checks as test/fuzz/whole-path.test.ts
 * (test/fuzz/mutate.mjs, test/fuzz/harness.mjs), over the whole capture
 * corpus (test/fixtures/captures, samples, test/fixtures/real, test/fixtures/fuzz-regressions).
 *
 *   npm run build && npm run fuzz                     100,000 cases, random seed (printed)
 *   npm run fuzz -- --cases 20000 --seed 1234         a given run
 *   npm run fuzz -- --seed 1234 --case 517            replay one case in-process, with its stack
 *   npm run fuzz -- --only capture|node|report        one kind of input
 *   npm run fuzz -- --workers 4 --time-limit 2000     parallelism, per-case time limit (ms)
 *
 * Case i of seed S is made by fast-check from a seed derived from (S, i), so
 * any case can be replayed alone (with the same corpus: a capture added under
 * the corpus directories renumbers them; the saved input replays regardless). Cases run in worker threads: a case that
 * blocks its thread (an endless synchronous loop) is killed after a hard
 * limit and reported as a hang; one that exhausts the worker's heap is
 * reported as a memory failure. Every failing input is saved under
 * fuzz-failures/ with a .txt beside it saying what failed and how to
 * reproduce it. Exit status: 0 no failures, 1 failures, 2 usage error.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { FuzzFailure, buildContext, listCaptures, materializeCapture, runCaptureCase, runNodeAddrsCase, runReportCase } from '../test/fuzz/harness.mjs';
import { captureCaseArbitrary, materializeText, textCaseArbitrary, textFileBytes } from '../test/fuzz/mutate.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist/index.js');
const OUT = join(ROOT, 'fuzz-failures');
const CORPUS_DIRS = ['test/fixtures/captures', 'samples', 'test/fixtures/real', 'test/fixtures/fuzz-regressions'];
/** Of every 10 cases: 8 captures, 1 node address file, 1 saved report. */
const KINDS = ['capture', 'capture', 'capture', 'capture', 'capture', 'capture', 'capture', 'capture', 'node', 'report'];
const MAX_SAVED = 500;

const USAGE = 'usage: node scripts/fuzz.mjs [--cases N] [--seed S] [--case I] [--only capture|node|report] [--workers W] [--time-limit MS]\n';

function usage(msg) {
  process.stderr.write(`fuzz: ${msg}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { cases: 100_000, seed: null, case: null, only: null, workers: Math.max(1, Math.min(availableParallelism(), 4)), timeLimit: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const int = (v) => {
      if (!/^-?\d+$/.test(v)) usage(`${a}: "${v}" is not an integer`);
      return Number(v);
    };
    if (a === '--cases') o.cases = int(val());
    else if (a === '--seed') o.seed = int(val()) | 0;
    else if (a === '--case') o.case = int(val());
    else if (a === '--only') {
      o.only = val();
      if (!['capture', 'node', 'report'].includes(o.only)) usage(`--only takes capture, node or report`);
    } else if (a === '--workers') o.workers = Math.max(1, int(val()));
    else if (a === '--time-limit') o.timeLimit = Math.max(1, int(val()));
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    else usage(`unknown argument ${a}`);
  }
  if (o.case !== null && o.seed === null) usage('--case needs the --seed of the run it comes from');
  return o;
}

/** The seed fast-check makes case i from (a 32-bit mix of run seed and index). */
function caseSeed(seed, i) {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h | 0;
}

function kindOf(i, only) {
  return only ?? KINDS[i % KINDS.length];
}

function generate(ctx, kind, seed, i) {
  const arb = kind === 'capture' ? captureCaseArbitrary(ctx.corpus.length) : textCaseArbitrary(kind === 'node' ? ctx.nodeTexts.length : ctx.reportTexts.length);
  return fc.sample(arb, { seed: caseSeed(seed, i), numRuns: 1 })[0];
}

async function runOne(ctx, kind, c) {
  if (kind === 'capture') return runCaptureCase(ctx, c);
  if (kind === 'node') return runNodeAddrsCase(ctx, c);
  return runReportCase(ctx, c);
}

/** Each thread's scratch files go in a directory of its own under `base` (the main thread's, so it can remove what killed workers leave). */
async function makeContext(timeLimitMs, base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()) {
  const lib = await import(pathToFileURL(DIST).href);
  const tmp = mkdtempSync(join(base, 'podpath-fuzz-'));
  const ctx = await buildContext(lib, { root: ROOT, captures: listCaptures(ROOT, CORPUS_DIRS), tmpDir: tmp, timeLimitMs });
  return ctx;
}

// ---------------------------------------------------------------------------
// Worker: runs the cases it is sent.

if (!isMainThread) {
  const { seed, only, timeLimit, base } = workerData;
  const ctx = await makeContext(timeLimit, base);
  parentPort.on('message', async (msg) => {
    if (msg === 'exit') {
      rmSync(ctx.tmpDir, { recursive: true, force: true });
      process.exit(0);
    }
    const { i } = msg;
    const kind = kindOf(i, only);
    try {
      const c = generate(ctx, kind, seed, i);
      await runOne(ctx, kind, c);
      parentPort.postMessage({ i, ok: true });
    } catch (e) {
      const failure = e instanceof FuzzFailure ? e : new FuzzFailure('crash', 'the harness itself threw', e);
      parentPort.postMessage({ i, ok: false, kind: failure.kind, message: failure.message });
    }
  });
  parentPort.postMessage({ ready: true });
} else {
  await main();
}

// ---------------------------------------------------------------------------
// Main thread: hands out cases, watches for hangs, saves failures.

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(DIST)) {
    process.stderr.write('fuzz: dist/index.js is missing: run `npm run build` first (the long fuzz runs against the built library)\n');
    process.exit(2);
  }
  const seed = o.seed ?? (Date.now() ^ (process.pid << 16)) | 0;
  process.stdout.write(`podpath fuzz: seed ${seed}${o.case !== null ? `, case ${o.case}` : `, ${o.cases} cases, ${o.workers} workers`}, time limit ${o.timeLimit} ms\n`);
  const ctx = await makeContext(o.timeLimit);
  process.stdout.write(`corpus: ${ctx.corpus.length} captures, ${ctx.nodeTexts.length} node address texts, ${ctx.reportTexts.length} reports\n`);

  if (o.case !== null) {
    const kind = kindOf(o.case, o.only);
    const c = generate(ctx, kind, seed, o.case);
    process.stdout.write(`case ${o.case} (${kind}): ${JSON.stringify(c, replacer)}\n`);
    try {
      const r = await runOne(ctx, kind, c);
      process.stdout.write(`passed: ${JSON.stringify(r)}\n`);
      process.exitCode = 0;
    } catch (e) {
      process.stdout.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      saveFailure(ctx, seed, o.case, kind, c, e instanceof FuzzFailure ? e.kind : 'crash', e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    }
    rmSync(ctx.tmpDir, { recursive: true, force: true });
    return;
  }

  const failures = [];
  const started = performance.now();
  let next = 0;
  let done = 0;
  let lastReport = started;
  const hardLimit = Math.max(15_000, o.timeLimit * 5);

  const onFailure = (i, kind, message) => {
    const k = kindOf(i, o.only);
    failures.push({ i, kind, message });
    process.stdout.write(`\nFAIL case ${i} (${k}, ${kind}): ${message.split('\n')[0]}\n`);
    if (failures.length <= MAX_SAVED) {
      const c = generate(ctx, k, seed, i);
      const saved = saveFailure(ctx, seed, i, k, c, kind, message);
      process.stdout.write(`  saved ${saved}; reproduce: node scripts/fuzz.mjs --seed ${seed} --case ${i}${o.only ? ` --only ${o.only}` : ''}\n`);
    }
  };

  await new Promise((resolve) => {
    let live = 0;
    const spawn = () => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { seed, only: o.only, timeLimit: o.timeLimit, base: ctx.tmpDir }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
      live++;
      let current = -1;
      let timer = null;
      let dead = false;
      const finish = () => {
        if (dead) return;
        dead = true;
        live--;
        if (timer) clearTimeout(timer);
        if (live === 0) resolve();
      };
      const dispatch = () => {
        if (next >= o.cases) {
          current = -1;
          w.postMessage('exit');
          return;
        }
        current = next++;
        w.postMessage({ i: current });
        timer = setTimeout(() => {
          // Blocked in synchronous code past any reasonable time: an endless loop.
          const i = current;
          onFailure(i, 'hang', `case did not return within ${hardLimit} ms (worker killed)`);
          done++;
          current = -1;
          spawn(); // before finish(), so the run does not look over
          finish();
          void w.terminate();
        }, hardLimit);
      };
      w.on('message', (m) => {
        if (m.ready) return dispatch();
        clearTimeout(timer);
        timer = null;
        done++;
        if (!m.ok) onFailure(m.i, m.kind, m.message);
        const now = performance.now();
        if (now - lastReport > 10_000) {
          lastReport = now;
          const rate = done / ((now - started) / 1000);
          process.stdout.write(`${done}/${o.cases} cases, ${rate.toFixed(0)}/s, ${failures.length} failures\n`);
        }
        dispatch();
      });
      w.on('error', (e) => {
        if (current >= 0) {
          const i = current;
          done++;
          onFailure(i, /memory/i.test(String(e?.code ?? e?.message)) ? 'memory' : 'crash', `worker died: ${e?.stack ?? e}`);
        }
        if (next < o.cases) spawn();
        finish();
      });
      w.on('exit', () => finish());
    };
    for (let k = 0; k < Math.min(o.workers, o.cases); k++) spawn();
    if (o.cases === 0) resolve();
  });

  const secs = (performance.now() - started) / 1000;
  rmSync(ctx.tmpDir, { recursive: true, force: true });
  process.stdout.write(`\n${done} cases in ${secs.toFixed(1)} s (${(done / secs).toFixed(0)}/s), seed ${seed}: ${failures.length} failure${failures.length === 1 ? '' : 's'}\n`);
  if (failures.length > 0) {
    const groups = new Map();
    for (const f of failures) {
      const key = `${f.kind}: ${f.message.split('\n')[0].replace(/\d+/g, 'N')}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    for (const [k, n] of [...groups].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${n} × ${k}\n`);
    process.stdout.write(`failing inputs in ${OUT}/ (first ${MAX_SAVED})\n`);
    process.exitCode = 1;
  }
}

function replacer(_k, v) {
  return v instanceof Uint8Array ? `hex:${Buffer.from(v).toString('hex')}` : v;
}

/** Write the failing input and a note saying what failed and how to reproduce it; returns the input's path. */
function saveFailure(ctx, seed, i, kind, c, failKind, message) {
  mkdirSync(OUT, { recursive: true });
  const stem = join(OUT, `${kind}-seed${seed}-case${i}-${failKind}`);
  let input;
  let extra = '';
  if (kind === 'capture') {
    const m = materializeCapture(ctx, c);
    input = `${stem}.${c.delivery.gzip ? 'pcap.gz' : 'pcap'}`;
    writeFileSync(input, m.fileBytes);
    extra = `source: ${m.source}\nalso: node bin/podpath.js analyze ${input}; node bin/podpath.js packets ${input}\n`;
  } else if (kind === 'node') {
    const text = materializeText(ctx.nodeTexts, c);
    input = `${stem}.addrs.txt`;
    writeFileSync(input, textFileBytes(text, c.viaFile === 'no' ? 'utf8' : c.viaFile));
    extra = `also: node bin/podpath.js analyze samples/vxlan/node-a.eth1.pcap --node-addrs ${input}\n`;
  } else {
    const text = materializeText(ctx.reportTexts, c);
    input = `${stem}.report.json`;
    writeFileSync(input, textFileBytes(text, c.viaFile === 'no' ? 'utf8' : c.viaFile));
    extra = `also: node bin/podpath.js diff ${input} samples/vxlan/node-a.eth1.pcap\n`;
  }
  writeFileSync(
    `${stem}.txt`,
    `${message}\n\nreproduce: npm run build && node scripts/fuzz.mjs --seed ${seed} --case ${i}${kind !== KINDS[i % KINDS.length] ? ` --only ${kind}` : ''}\n${extra}case: ${JSON.stringify(c, replacer)}\n`,
  );
  return input;
}
