#!/usr/bin/env node
/**
 * podpath benchmark: every tool on the same captures in the same run, each
 * as its own child process so peak RSS is the tool's own.
 *
 *   npm run bench                     build, then every capture, 3 runs each (median)
 *   npm run bench -- --quick          mixed-100k only, 1 run
 *   npm run bench -- --only ipip-1m   captures whose name contains ipip-1m (comma-separated list allowed)
 *   npm run bench -- --runs 5         median of 5
 *   npm run bench -- --tool walk,decode   only tools whose name contains one of these (a tool's full name: that tool only)
 *   npm run bench -- --tool gzip,pcapng,stdin   podpath analyze on a .gz copy, a pcapng copy and from stdin (with the plain row to compare)
 *
 * Prints a table and writes the same figures to bench/results.json. Never
 * asserts a time: exits 0 whatever the figures are (2 on a usage error).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CAPTURE_NAMES, ensureCaptures, selectCaptures } from './generate.mjs';
import { walkPcap } from './walk.mjs';
import { writePcapngCopy } from './pcapng.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const NODE = process.execPath;
const RSS_HOOK = pathToFileURL(join(BENCH, 'rss-hook.mjs')).href;
/**
 * The build under test, copied from dist/ (with bin/, package.json and
 * decode.mjs) when the run starts: a rebuild during a long run (tsup cleans
 * dist/ first) must not break or mix the measurements. Inside the repo, so
 * the copy still finds node_modules; under bench/data/, so git ignores it.
 */
const BUILD = join(BENCH, 'data', 'build');
const TSHARK_SUBSET = 100_000;
const TCPDUMP_SCAN_SUBSET = 50_000;

/** Packets a tool runs on for this capture when only its first ones (a subset), else null. */
function subsetOf(t, c) {
  const limit = typeof t.subset === 'function' ? t.subset(c) : t.subset;
  return limit && c.packets > limit ? limit : null;
}
const QUICK_CAPTURE = 'mixed-100k.pcap';
/** Level of the .gz copies the gzip row reads: gzip's own default, what `gzip capture.pcap` writes. */
const GZIP_LEVEL = 6;

// ---------------------------------------------------------------------------
// Tools. To add one (e.g. a new podpath command), append an entry:
//   name       shown in the table and results.json
//   argv(c, n) the command line for capture c ({name, path, bytes, packets});
//              n is the packet limit when the tool runs on a subset, else null
//   node       true when argv[0] is Node (lets the RSS fallback preload a probe)
//   stdout     'null' to send stdout to /dev/null, 'capture' to parse it
//   subset     max packets the tool is run on (slow tools), or (capture) => that or null; absent: the whole file
//   available  () => null when it can run, else the reason it cannot
//   check      (stdout, c) => note string when the tool's own count disagrees, else null
//   stdin      (c) => a file the tool gets as its stdin (an fd on the file, no process between)
//   stdinPipe  (c) => a file `cat` writes into a pipe that is the tool's stdin (`cat FILE | tool`)
//   gzip       true when the tool reads the capture's .gz copy (made by ensureCopy); MB/s
//              still counts the uncompressed capture bytes, so the rows compare
//   pcapng     true when the tool reads the capture's pcapng copy (likewise)
//   vs         name of a row of the same file the tool is compared with (the `x plain`
//              column); selecting the tool selects that row too

const PODPATH = join(BUILD, 'bin', 'podpath.js');
const PROTOTYPE = 'prototype (issue #5)';
const podpath = (...args) => (c) => [NODE, PODPATH, ...args, c.path];
/**
 * A `podpath analyze --json` row: the capture reaches it as `args(c)` say (a .gz copy, stdin,
 * twice), and its report's packet and byte counts are checked against the capture's.
 */
const analyzeJson = (name, args, more) => ({
  name,
  node: true,
  argv: (c) => [NODE, PODPATH, 'analyze', ...args(c), '--json'],
  stdout: 'capture',
  check: (out, c) => reportCheck(out, c, more.gzip === true, more.pcapng ? copyOf('pcapng', c).bytes : c.bytes),
  available: analyzeAvailable,
  ...more,
});

export const TOOLS = [
  {
    name: 'walk',
    node: true,
    argv: (c) => [NODE, 'bench/walk.mjs', c.path],
    stdout: 'capture',
    check: (out, c) => countCheck(out, c),
  },
  // Issue #5's "rough prototype", rebuilt (bench/prototype.mjs): Ethernet, IPv4, VXLAN on 4789 and
  // IPIP decoded, packets counted per outer and inner address pair, nothing more. The issue's
  // targets were set from its figures, measured once; this row measures it again in the same run.
  {
    name: PROTOTYPE,
    node: true,
    argv: (c) => [NODE, 'bench/prototype.mjs', c.path],
    stdout: 'capture',
    check: (out, c) => countCheck(out, c),
  },
  {
    name: 'podpath decode',
    node: true,
    argv: (c) => [NODE, join(BUILD, 'bench', 'decode.mjs'), c.path],
    stdout: 'capture',
    check: (out, c) => {
      const bad = countCheck(out, c);
      if (bad) return bad;
      const r = JSON.parse(out);
      return r.notOk > 0 ? `${r.notOk} packets not ok` : null;
    },
    available: needBuild,
  },
  { name: 'podpath packets --json', node: true, argv: podpath('packets', '--json'), stdout: 'null', available: needBuild },
  { name: 'podpath packets', node: true, argv: podpath('packets'), stdout: 'null', available: needBuild },
  // Hook for `podpath analyze`: measured as soon as the build has the command.
  // Flags a realistic run needs (--node-addrs, --pod-cidr) go in the argv builder.
  { name: 'podpath analyze', node: true, argv: podpath('analyze'), stdout: 'null', available: analyzeAvailable },
  // Issue #5: gzip and stdin within 2x of the plain file (x plain >= 0.5).
  analyzeJson('podpath analyze (gzip)', (c) => [gzipPath(c)], { gzip: true, vs: 'podpath analyze' }),
  // The same packets as pcapng (dumpcap's and Wireshark's format): its block parsing against classic pcap's.
  analyzeJson('podpath analyze (pcapng)', (c) => [pcapngPath(c)], { pcapng: true, vs: 'podpath analyze' }),
  analyzeJson('podpath analyze (stdin)', () => ['-'], { stdin: (c) => c.path, vs: 'podpath analyze' }),
  analyzeJson('podpath analyze (stdin pipe)', () => ['-'], { stdinPipe: (c) => c.path, vs: 'podpath analyze' }),
  // Issue #5: several captures in one analyze use both cores (worker threads): the file twice,
  // in one thread and in worker threads (MB/s over both copies).
  analyzeJson('podpath analyze 2 files, --jobs 1', (c) => [c.path, c.path, '--jobs', '1'], { copies: 2 }),
  // --jobs 2 spelled out: by default captures under 256 MiB in all stay on one thread.
  analyzeJson('podpath analyze 2 files, threads', (c) => [c.path, c.path, '--jobs', '2'], { copies: 2, vs: 'podpath analyze 2 files, --jobs 1' }),
  {
    name: 'tcpdump -nr',
    argv: (c, n) => ['tcpdump', '-nr', c.path, ...(n ? ['-c', String(n)] : [])],
    stdout: 'null',
    available: () => installed('tcpdump'),
    // tcpdump keeps every address it prints in a small chained hash table (addrtoname.c, even
    // with -n): its time grows with the square of the addresses seen (100k packets of the scan: 21 s, 200k: 95 s), so it reads a subset there.
    subset: (c) => (c.name.includes('-scan-') ? TCPDUMP_SCAN_SUBSET : null),
  },
  {
    name: 'tshark conv,ip',
    argv: (c, n) => ['tshark', '-r', c.path, '-q', '-z', 'conv,ip', ...(n ? ['-c', String(n)] : [])],
    stdout: 'null',
    subset: TSHARK_SUBSET,
    available: () => installed('tshark'),
  },
];

function countCheck(out, c) {
  let r;
  try {
    r = JSON.parse(out.trim().split('\n').pop());
  } catch {
    return 'unreadable output';
  }
  if (r.packets !== c.packets) return `counted ${r.packets} packets, expected ${c.packets}`;
  if (r.bytes !== undefined && r.bytes !== c.bytes) return `read ${r.bytes} bytes, expected ${c.bytes}`;
  return null;
}

/** `analyze --json` read the whole capture: its packet and byte counts (`bytes` of capture data), and no error. */
function reportCheck(out, c, compressed, bytes) {
  let cap;
  try {
    cap = JSON.parse(out).captures[0];
  } catch {
    return 'unreadable output';
  }
  if (!cap) return 'no capture in the report';
  if (cap.error) return `read error: ${String(cap.error.message ?? JSON.stringify(cap.error)).slice(0, 120)}`;
  if (cap.packets !== c.packets) return `counted ${cap.packets} packets, expected ${c.packets}`;
  if (cap.bytes !== bytes) return `read ${cap.bytes} bytes, expected ${bytes}`;
  if (cap.compressed !== compressed) return `compressed: ${cap.compressed}, expected ${compressed}`;
  return null;
}

// ---------------------------------------------------------------------------
// The copies other rows read: <capture>.gz (gzip level GZIP_LEVEL, streamed,
// never the whole capture in memory) and <capture>ng (the same packets as
// pcapng, bench/pcapng.mjs), next to the capture in bench/data (git-ignored),
// written to .tmp and renamed. Reused while the sidecar <copy>.json names the
// same capture (its generator sidecar), the same recipe and the file's size.
// Node's zlib writes mtime 0 in the header, so a .gz depends only on the
// capture, the level and the zlib version; a pcapng copy only on the capture
// and the writer.

/** Bump when bench/pcapng.mjs writes different bytes. */
const PCAPNG_WRITER = 1;
const COPIES = {
  gzip: {
    path: (c) => `${c.path}.gz`,
    recipe: () => ({ level: GZIP_LEVEL, zlib: process.versions.zlib }),
    what: `gzip -${GZIP_LEVEL}`,
    make: (c, tmp) => pipeline(createReadStream(c.path, { highWaterMark: 1 << 20 }), createGzip({ level: GZIP_LEVEL }), createWriteStream(tmp)),
  },
  pcapng: {
    path: (c) => `${c.path}ng`,
    recipe: () => ({ writer: PCAPNG_WRITER }),
    what: 'pcapng',
    make: (c, tmp) => writePcapngCopy(c.path, tmp),
  },
};
const gzipPath = COPIES.gzip.path;
const pcapngPath = COPIES.pcapng.path;
/** `${kind} ${capture name}` -> { bytes, ...recipe } of that copy. */
const copies = new Map();
const copyOf = (kind, c) => copies.get(`${kind} ${c.name}`);

async function ensureCopy(kind, c, log = (s) => console.log(s)) {
  const k = COPIES[kind];
  const path = k.path(c);
  const name = path.slice(path.lastIndexOf('/') + 1);
  const source = readJson(`${c.path}.json`);
  const want = { capture: c.name, captureBytes: c.bytes, generator: source?.generator ?? null, ...k.recipe() };
  const have = readJson(`${path}.json`);
  const same = have && Object.keys(want).every((x) => have[x] === want[x]);
  if (same && existsSync(path) && statSync(path).size === have.bytes) {
    log(`reuse     ${name}: ${k.what}, ${fmtMB(have.bytes)}`);
  } else {
    const t0 = process.hrtime.bigint();
    const tmp = `${path}.tmp`;
    await k.make(c, tmp);
    renameSync(tmp, path);
    const bytes = statSync(path).size;
    writeFileSync(`${path}.json`, JSON.stringify({ ...want, bytes }) + '\n');
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    log(`${kind.padEnd(9)} ${name}: ${k.what}, ${fmtMB(c.bytes)} -> ${fmtMB(bytes)} in ${s.toFixed(1)} s`);
  }
  const info = { bytes: statSync(path).size, ...k.recipe() };
  copies.set(`${kind} ${c.name}`, info);
  return info;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Read a file once so the timed runs find it in the page cache. */
function warm(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

let buildState;
let buildTime = null;
/** Copy the build into BUILD once per run; null when it is there, else why not. */
function needBuild() {
  if (buildState !== undefined) return buildState;
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'index.js')) || !existsSync(join(dist, 'cli.cjs'))) {
    return (buildState = 'not built (npm run build)');
  }
  buildTime = statSync(join(dist, 'cli.cjs')).mtime.toISOString();
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(join(BUILD, 'bench'), { recursive: true });
  cpSync(dist, join(BUILD, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(BUILD, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
  cpSync(join(BENCH, 'decode.mjs'), join(BUILD, 'bench', 'decode.mjs'));
  const r = spawnSync(NODE, [PODPATH, '--version'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) return (buildState = `build does not start: ${firstError(r.stderr ?? '')}`);
  buildState = null;
  return buildState;
}

/** The line of a child's stderr worth showing: the error, not Node's version trailer. */
function firstError(stderr) {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Node\.js v\d/.test(l) && !/Running as user "root"/.test(l));
  return (lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? '').slice(0, 160);
}

let analyzeState;
function analyzeAvailable() {
  if (analyzeState !== undefined) return analyzeState;
  const missing = needBuild();
  if (missing) return (analyzeState = missing);
  // Commander answers `analyze --help` with the root help (exit 0) while the command
  // does not exist, so look for the command's own usage line too.
  const r = spawnSync(NODE, [PODPATH, 'analyze', '--help'], { cwd: ROOT, encoding: 'utf8' });
  const ok = r.status === 0 && /Usage: podpath analyze\b/.test(r.stdout ?? '');
  analyzeState = ok ? null : 'not available yet';
  return analyzeState;
}

const installedCache = new Map();
function installed(cmd) {
  if (!installedCache.has(cmd)) {
    const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
    installedCache.set(cmd, r.status === 0 ? null : 'not installed');
  }
  return installedCache.get(cmd);
}

// ---------------------------------------------------------------------------
// Measuring one run: wall time from the parent's clock, peak RSS by the best
// method this machine has.

/**
 * 'gnu-time': /usr/bin/time -f '%e %M' -o FILE (peak RSS of the tool, KiB).
 * 'node-hook': Node tools preload rss-hook.mjs (process.resourceUsage().maxRSS);
 *              other tools are sampled from /proc/PID/status VmHWM (a lower bound).
 */
function detectRssMethod(tmp) {
  // PODPATH_BENCH_RSS=node-hook forces the fallback (to test it on a machine that has GNU time).
  if (process.env.PODPATH_BENCH_RSS === 'node-hook') return 'node-hook';
  const out = join(tmp, 'probe');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', out, 'true'], { encoding: 'utf8' });
  if (r.status === 0 && existsSync(out) && /^\d+(\.\d+)? \d+\s*$/.test(readFileSync(out, 'utf8'))) return 'gnu-time';
  return 'node-hook';
}

function measure(tool, argv, env, stdinPath = null, pipePath = null) {
  return new Promise((resolve) => {
    const rssFile = join(env.tmp, `rss-${process.pid}`);
    rmSync(rssFile, { force: true });
    let cmd = argv;
    if (env.rssMethod === 'gnu-time') cmd = ['/usr/bin/time', '-f', '%e %M', '-o', rssFile, ...argv];
    else if (tool.node) cmd = [argv[0], '--import', RSS_HOOK, ...argv.slice(1)];
    const devnull = tool.stdout === 'null' ? openSync('/dev/null', 'w') : null;
    // The capture as the child's fd 0 (through /usr/bin/time, which passes it on).
    const stdinFd = stdinPath ? openSync(stdinPath, 'r') : null;
    const t0 = process.hrtime.bigint();
    // `cat FILE |`: cat's stdout pipe is the child's fd 0 (the pipe runs between the two, not through us).
    const cat = pipePath ? spawn('cat', [pipePath], { stdio: ['ignore', 'pipe', 'inherit'] }) : null;
    cat?.on('error', () => {}); // no cat: the tool reads an empty stdin, and its row says so
    const child = spawn(cmd[0], cmd.slice(1), {
      cwd: ROOT,
      stdio: [stdinFd ?? cat?.stdout ?? 'ignore', devnull ?? 'pipe', 'pipe'],
      env: { ...process.env, PODPATH_BENCH_RSS_FILE: rssFile },
    });
    cat?.stdout.destroy(); // our copy of the pipe's read end: the child has its own
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s) => {
      stdout += s;
      if (stdout.length > 1 << 20) stdout = stdout.slice(-65536);
    });
    child.stderr.setEncoding('utf8').on('data', (s) => {
      stderr = (stderr + s).slice(-4096);
    });
    // Without GNU time, a non-Node tool's peak is sampled from /proc (VmHWM only grows).
    let sampledKiB = 0;
    let sampler = null;
    if (env.rssMethod !== 'gnu-time' && !tool.node && child.pid) {
      const status = `/proc/${child.pid}/status`;
      const sample = () => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'));
          if (m) sampledKiB = Math.max(sampledKiB, Number(m[1]));
        } catch {
          // Gone already, or no /proc.
        }
      };
      sample();
      sampler = setInterval(sample, 10);
    }
    let spawnError = null;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (sampler) clearInterval(sampler);
      if (devnull !== null) closeSync(devnull);
      if (stdinFd !== null) closeSync(stdinFd);
      let rssKiB = null;
      if (existsSync(rssFile)) {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const last = lines[lines.length - 1] ?? '';
        const m = env.rssMethod === 'gnu-time' ? /^[\d.]+ (\d+)$/.exec(last) : /^(\d+)$/.exec(last);
        if (m) rssKiB = Number(m[1]);
      } else if (sampledKiB > 0) {
        rssKiB = sampledKiB;
      }
      resolve({ wall, rssKiB, code: spawnError ? 127 : code, signal, stdout, stderr: spawnError ? String(spawnError) : stderr });
    });
  });
}

// ---------------------------------------------------------------------------

/** What the note column says about how a row read its input. */
function describe(t, c) {
  if (t.gzip) {
    const g = copyOf('gzip', c);
    return `gzip -${g.level}, ${fmtMB(g.bytes)} .gz (${(c.bytes / g.bytes).toFixed(1)}:1)`;
  }
  if (t.pcapng) return `pcapng copy, ${fmtMB(copyOf('pcapng', c).bytes)}`;
  if (t.stdin) return 'file as stdin fd';
  if (t.stdinPipe) return 'cat FILE |';
  return null;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function parseArgs(argv) {
  const o = { runs: null, quick: false, only: null, tool: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--runs': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) usage('--runs needs a whole number >= 1');
        o.runs = n;
        break;
      }
      case '--quick':
        o.quick = true;
        break;
      case '--only':
        o.only = value();
        break;
      case '--tool':
        o.tool = value();
        break;
      case '-h':
      case '--help':
        console.log(
          `usage: node bench/run.mjs [--quick] [--runs N] [--only NAME[,NAME]] [--tool NAME[,NAME]]\n` +
            `captures: ${CAPTURE_NAMES.join(', ')}\ntools: ${TOOLS.map((t) => t.name).join(', ')}`,
        );
        process.exit(0);
        break;
      default:
        usage(`unknown argument ${a}`);
    }
  }
  return o;
}

function usage(msg) {
  console.error(`bench: ${msg} (try --help)`);
  process.exit(2);
}

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim() : null;
}

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmt = (n, d) => (n === null || n === undefined ? '' : n.toFixed(d));
const fmtMB = (n) => `${(n / 1e6).toFixed(1)} MB`;

function table(rows) {
  // `x plain` only when a row has one (the gzip and stdin rows), so other tables look as before.
  const plain = rows.some((r) => r.vsPlain !== undefined);
  const head = ['file', 'tool', 'MB/s', 'packets/s', 'peak RSS MiB', 'x walk', 'x tshark', ...(plain ? ['x plain'] : []), 'note'];
  const right = [false, false, true, true, true, true, true, ...(plain ? [true] : []), false];
  const cells = rows.map((r) =>
    r.status !== 'ok'
      ? [r.file, r.tool, '', '', '', '', '', ...(plain ? [''] : []), r.note ?? r.status]
      : [
          r.file,
          r.tool,
          fmt(r.mbps, 1),
          fmtInt(r.pps),
          fmt(r.rssMiB, 1),
          fmt(r.vsWalk, 2),
          fmt(r.vsTshark, 1),
          ...(plain ? [fmt(r.vsPlain, 2)] : []),
          r.note ?? '',
        ],
  );
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    c
      .map((s, i) => (right[i] ? s.padStart(w[i]) : s.padEnd(w[i])))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}

/** Peak RSS of the same tool on vxlan-1m.pcap and on its first quarter, vxlan-250k.pcap (issue #5: flat in file size). */
function memoryFlatness(rows) {
  const out = [];
  for (const small of rows.filter((r) => r.file === 'vxlan-250k.pcap' && r.status === 'ok' && r.rssMiB)) {
    const large = rows.find((r) => r.file === 'vxlan-1m.pcap' && r.tool === small.tool && r.status === 'ok' && r.rssMiB);
    if (!large || !small.tool.startsWith('podpath')) continue;
    out.push({
      tool: small.tool,
      small: small.file,
      large: large.file,
      smallMiB: small.rssMiB,
      largeMiB: large.rssMiB,
      sizeRatio: large.bytes / small.bytes,
      growthPercent: (large.rssMiB / small.rssMiB - 1) * 100,
    });
  }
  return out;
}

/** The row of a tool on a capture, when it ran without failing. */
const okRow = (rows, file, tool) => rows.find((r) => r.file === file && r.tool === tool && r.status === 'ok');

/** The steady-state line's tools, and its rounds (at least; `--runs` when more). */
const STEADY_TOOLS = ['walk', 'podpath decode', 'podpath analyze'];
const STEADY_ROUNDS = 5;

/**
 * Throughput on the packets vxlan-1m.pcap has beyond its first quarter (vxlan-250k.pcap, the same
 * packets up to there): the difference of the two wall times, for the tool and for the walk. What
 * both pay once (Node's start, podpath's bundle, the JIT's warm-up, the report) drops out, so this
 * is the steady state's ratio to the walk. Not an issue #5 target: a figure for judging the
 * 0.7 x walk one (bench/README, "Where a run's time goes").
 *
 * Measured in rounds of its own, after the table: in each, every tool on both files one after the
 * other (the order of the two files alternating), so that each difference is taken over runs a
 * second apart. The table's rows are not used: a file's runs there come together, and a slow spell
 * of the host over one file's runs and not the other's skewed the difference (session 16: 1.06 x
 * walk). The median of each tool's differences.
 */
async function steadyState(captures, tools, status, env, runs) {
  const large = captures.find((c) => c.name === 'vxlan-1m.pcap');
  const small = captures.find((c) => c.name === 'vxlan-250k.pcap');
  const picked = STEADY_TOOLS.map((name) => tools.find((t) => t.name === name && !status.get(name)));
  if (!large || !small || !picked[0] || !picked.slice(1).some(Boolean)) return [];
  const rounds = Math.max(runs, STEADY_ROUNDS);
  const diffs = picked.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < picked.length; i++) {
      const t = picked[i];
      if (!t) continue;
      const order = round % 2 === 0 ? [small, large] : [large, small];
      const wall = new Map();
      for (const c of order) {
        const m = await measure(t, t.argv(c, null), env);
        if (m.code !== 0 || m.signal) return [];
        wall.set(c, m.wall);
      }
      diffs[i].push(wall.get(large) - wall.get(small));
    }
  }
  const walkS = median(diffs[0]);
  const out = [];
  for (let i = 1; i < picked.length; i++) {
    if (!picked[i]) continue;
    const toolS = median(diffs[i]);
    if (toolS <= 0 || walkS <= 0) continue;
    out.push({ tool: picked[i].name, packets: large.packets - small.packets, rounds, toolS, walkS, xWalk: walkS / toolS });
  }
  return out;
}

/**
 * `podpath analyze`'s peak RSS on the largest capture (issue #5: under 150 MiB on a 1 GiB capture),
 * and its highest on any capture (the scans fill podpath's tables: bench/README, "Peak memory").
 */
function peakMemory(rows) {
  const ok = rows.filter((r) => r.tool === 'podpath analyze' && r.status === 'ok' && r.rssMiB);
  if (ok.length === 0) return null;
  const largest = ok.reduce((a, r) => (r.bytes > a.bytes ? r : a));
  const highest = ok.reduce((a, r) => (r.rssMiB > a.rssMiB ? r : a));
  return {
    tool: 'podpath analyze',
    largestFile: largest.file,
    largestBytes: largest.bytes,
    largestMiB: largest.rssMiB,
    highestFile: highest.file,
    highestMiB: highest.rssMiB,
  };
}

/**
 * Issue #5's targets against this run's figures: one line each, `met` true or false, or null when
 * the run did not measure it (a capture or tool left out with --only / --tool, or a failed row).
 * The bench never fails on them; this is the summary to read first.
 */
function targetsMet(rows, memory, peak) {
  const row = (file, tool) => okRow(rows, file, tool);
  const out = [];
  const add = (target, value, shown, met, where) => out.push({ target, value: value ?? null, shown: value == null ? 'not measured' : shown, met: value == null ? null : met, where: where ?? null });
  for (const file of ['vxlan-1m.pcap', 'ipip-1m.pcap']) {
    const r = row(file, 'podpath analyze');
    add(`podpath analyze >= 0.70 x walk on ${file}`, r?.vsWalk, `${fmt(r?.vsWalk, 2)} x walk`, r?.vsWalk >= 0.7, file);
  }
  const small = row('ipip-small-5m.pcap', 'podpath analyze');
  add('podpath analyze >= 5 M packets/s on ipip-small-5m.pcap', small?.pps, `${fmt(small?.pps / 1e6, 2)} M packets/s`, small?.pps >= 5e6, 'ipip-small-5m.pcap');
  for (const tool of ['podpath analyze (gzip)', 'podpath analyze (stdin)', 'podpath analyze (stdin pipe)']) {
    const rs = rows.filter((r) => r.tool === tool && r.status === 'ok' && typeof r.vsPlain === 'number');
    const worst = rs.length ? rs.reduce((a, r) => (r.vsPlain < a.vsPlain ? r : a)) : null;
    add(`${tool} within 2x of the plain file (x plain >= 0.50, on the lowest file)`, worst?.vsPlain, `${fmt(worst?.vsPlain, 2)} x plain`, worst?.vsPlain >= 0.5, worst?.file);
  }
  const flat = memory.find((m) => m.tool === 'podpath analyze');
  add('podpath analyze peak RSS +20% at most on 4x the bytes', flat?.growthPercent, `${flat?.growthPercent >= 0 ? '+' : ''}${fmt(flat?.growthPercent, 1)}%`, flat?.growthPercent <= 20, flat ? `${flat.small} -> ${flat.large}` : null);
  // The target is for a 1 GiB capture: the line names the largest this run measured (820 MB in a full run).
  add('podpath analyze peak RSS < 150 MiB on the largest capture measured', peak?.largestMiB, `${fmt(peak?.largestMiB, 1)} MiB`, peak?.largestMiB < 150, peak && `${peak.largestFile}, ${fmtMB(peak.largestBytes)}`);
  add('podpath analyze peak RSS < 150 MiB on any capture (the scans fill its tables)', peak?.highestMiB, `${fmt(peak?.highestMiB, 1)} MiB`, peak?.highestMiB < 150, peak?.highestFile);
  return out;
}

/**
 * Per capture where both ran: the prototype's figures (what the issue's targets were derived from)
 * and podpath analyze's MB/s over the prototype's, from this run's rows.
 */
function prototypeFigures(rows) {
  const out = [];
  for (const p of rows.filter((r) => r.tool === PROTOTYPE && r.status === 'ok')) {
    const a = okRow(rows, p.file, 'podpath analyze');
    out.push({
      file: p.file,
      prototypeVsWalk: p.vsWalk,
      prototypePps: p.pps,
      analyzeVsPrototype: a ? a.mbps / p.mbps : null,
    });
  }
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const runs = opts.runs ?? (opts.quick ? 1 : 3);
  let names = opts.quick ? [QUICK_CAPTURE] : CAPTURE_NAMES;
  if (opts.only) names = names.filter((n) => selectCaptures(opts.only).includes(n));
  if (names.length === 0) usage(`--only ${opts.only} matches no capture (known: ${CAPTURE_NAMES.join(', ')})`);
  const toolWords = opts.tool?.split(',').filter(Boolean);
  // A word that is a tool's whole name selects that tool alone (`podpath analyze` is not also its gzip
  // and stdin rows); any other word, every tool whose name contains it.
  const picks = (t, w) => (TOOLS.some((u) => u.name === w) ? t.name === w : t.name.includes(w));
  const tools = toolWords ? TOOLS.filter((t) => toolWords.some((w) => picks(t, w))) : TOOLS;
  if (tools.length === 0) usage(`--tool ${opts.tool} matches no tool (known: ${TOOLS.map((t) => t.name).join(', ')})`);
  if (!tools.some((t) => t.name === 'walk')) tools.unshift(TOOLS[0]); // every ratio needs the reference
  // Likewise the row an `x plain` ratio is taken against, placed before the first row that needs it.
  for (const t of [...tools]) {
    if (t.vs && !tools.some((u) => u.name === t.vs)) tools.splice(tools.indexOf(t), 0, TOOLS.find((u) => u.name === t.vs));
  }

  const tmp = mkdtempSync(join(tmpdir(), 'podpath-bench-'));
  const rssMethod = detectRssMethod(tmp);
  const env = { tmp, rssMethod };
  const commit = sh('git', ['rev-parse', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']);
  const date = new Date().toISOString();
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`podpath bench  ${date}  commit ${commit ? commit.slice(0, 12) : 'unknown'}${dirty ? ' (uncommitted changes)' : ''}`);
  console.log(`node ${process.version}, ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`);
  console.log(
    `peak RSS via ${rssMethod === 'gnu-time' ? "/usr/bin/time -f '%e %M'" : 'process.resourceUsage().maxRSS in Node children, /proc VmHWM sampling otherwise'}; median of ${runs} run${runs > 1 ? 's' : ''}`,
  );

  const status = new Map(tools.map((t) => [t.name, t.available ? t.available() : null]));
  if (buildState === null) {
    console.log(`build under test: dist/ as of ${buildTime}, copied to bench/data/build/`);
  }
  if (status.get('podpath analyze')) console.log(`analyze: ${status.get('podpath analyze')}`);
  for (const t of tools) {
    const why = status.get(t.name);
    if (why && t.name !== 'podpath analyze' && !(t.available === analyzeAvailable && why === status.get('podpath analyze'))) {
      console.log(`${t.name}: ${why}`);
    }
  }
  const versions = {
    node: process.version,
    tcpdump: status.get('tcpdump -nr') === null ? sh('tcpdump', ['--version'])?.split('\n')[0] ?? null : null,
    tshark: status.get('tshark conv,ip') === null ? sh('tshark', ['--version'])?.split('\n')[0] ?? null : null,
  };

  console.log('');
  const captures = ensureCaptures(names);
  for (const kind of Object.keys(COPIES)) {
    if (tools.some((t) => t[kind] && !status.get(t.name))) for (const c of captures) await ensureCopy(kind, c);
  }
  console.log('');

  const rows = [];
  for (const c of captures) {
    // Warm the page cache so the first tool does not pay for the disk.
    walkPcap(c.path);
    for (const kind of Object.keys(COPIES)) if (copyOf(kind, c)) warm(COPIES[kind].path(c));
    const subsetBytes = new Map();
    const perTool = tools.map((t) => ({ tool: t, runs: [], note: null }));
    for (let run = 1; run <= runs; run++) {
      for (const entry of perTool) {
        const t = entry.tool;
        if (status.get(t.name)) continue;
        const n = subsetOf(t, c);
        if (n && !subsetBytes.has(n)) subsetBytes.set(n, walkPcap(c.path, n).bytes);
        const m = await measure(t, t.argv(c, n), env, t.stdin ? t.stdin(c) : null, t.stdinPipe ? t.stdinPipe(c) : null);
        const failed = m.code !== 0 || m.signal;
        let note = failed ? `exit ${m.signal ?? m.code}` : null;
        if (!failed && t.check) note = t.check(m.stdout, c);
        if (failed) {
          const why = firstError(m.stderr);
          if (why) note += `: ${why}`;
        }
        if (note) entry.note = note;
        entry.runs.push({ wallS: m.wall, rssKiB: m.rssKiB, exit: m.signal ?? m.code });
        console.log(
          `  ${c.name}  ${t.name.padEnd(24)} run ${run}/${runs}  ${m.wall.toFixed(2).padStart(7)} s  ` +
            `${m.rssKiB === null ? '   ? ' : (m.rssKiB / 1024).toFixed(0).padStart(5)} MiB${note ? `  (${note})` : ''}`,
        );
      }
    }
    const fileRows = perTool.map(({ tool: t, runs: rs, note }) => {
      const why = status.get(t.name);
      const base = { file: c.name, tool: t.name };
      if (why) return { ...base, status: why, note: why };
      if (rs.some((r) => r.exit !== 0)) return { ...base, status: 'failed', note, runs: rs };
      const n = subsetOf(t, c);
      const packets = (n ?? c.packets) * (t.copies ?? 1);
      const bytes = (n ? subsetBytes.get(n) : c.bytes) * (t.copies ?? 1);
      const wallS = median(rs.map((r) => r.wallS));
      const rssValues = rs.map((r) => r.rssKiB).filter((v) => v !== null);
      return {
        ...base,
        status: 'ok',
        subsetPackets: n,
        packets,
        bytes,
        wallS,
        mbps: bytes / 1e6 / wallS,
        pps: packets / wallS,
        rssMiB: rssValues.length ? Math.max(...rssValues) / 1024 : null,
        vsWalk: null,
        vsTshark: null,
        note: [n ? `subset: first ${fmtInt(n)} packets` : null, describe(t, c), note].filter(Boolean).join('; ') || null,
        ...(t.vs ? { vsPlain: null } : {}),
        ...(t.gzip ? { gzipLevel: copyOf('gzip', c).level, gzipBytes: copyOf('gzip', c).bytes } : {}),
        ...(t.pcapng ? { pcapngBytes: copyOf('pcapng', c).bytes } : {}),
        runs: rs,
      };
    });
    const walk = fileRows.find((r) => r.tool === 'walk' && r.status === 'ok');
    const tshark = fileRows.find((r) => r.tool === 'tshark conv,ip' && r.status === 'ok');
    for (const r of fileRows) {
      if (r.status !== 'ok') continue;
      if (walk) r.vsWalk = r.mbps / walk.mbps;
      if (tshark) r.vsTshark = r.pps / tshark.pps;
      const tool = tools.find((t) => t.name === r.tool);
      const ref = tool.vs && fileRows.find((x) => x.tool === tool.vs && x.status === 'ok');
      if (ref) r.vsPlain = r.mbps / ref.mbps;
    }
    rows.push(...fileRows);
  }
  const steady = await steadyState(captures, tools, status, env, runs);
  rmSync(tmp, { recursive: true, force: true });

  console.log('');
  console.log(table(rows));
  console.log('');
  console.log('MB/s = 10^6 bytes of capture file per second of wall time (process start to exit); packets/s likewise;');
  console.log('peak RSS = the largest over the runs; x walk = MB/s / walk MB/s; x tshark = packets/s / tshark packets/s.');
  if (rows.some((r) => r.vsPlain !== undefined)) {
    console.log(
      'x plain = MB/s / the plain `podpath analyze` row of the same file and run (issue #5 target: >= 0.50). The gzip row reads\n' +
        `<file>.gz (gzip -${GZIP_LEVEL}, made once in bench/data), the pcapng row <file>ng (the same packets as pcapng), the\n` +
        'stdin row gets the plain file as its fd 0 and the stdin pipe row reads `cat FILE |`; all count MB/s on the classic,\n' +
        'uncompressed capture and add --json (the report is ~100 KB either way). On the "2 files, threads" row, x plain is\n' +
        'the speed-up of worker threads over --jobs 1 on the same two files (issue #5: several captures use both cores).',
    );
  }
  const memory = memoryFlatness(rows);
  for (const m of memory) {
    console.log(
      `memory: ${m.tool} peak RSS ${fmt(m.largeMiB, 1)} MiB on ${m.large} vs ${fmt(m.smallMiB, 1)} MiB on ${m.small} (${fmt(m.sizeRatio, 1)}x the bytes): ` +
        `${m.growthPercent >= 0 ? '+' : ''}${fmt(m.growthPercent, 1)}% (issue #5 target: at most +20%)`,
    );
  }
  const peak = peakMemory(rows);
  if (peak) {
    console.log(
      `memory: ${peak.tool} peak RSS ${fmt(peak.largestMiB, 1)} MiB on the largest capture, ${peak.largestFile} (${fmt(peak.largestBytes / 1e6, 1)} MB) ` +
        `(issue #5 target: under 150 MiB on a 1 GiB capture); highest: ${fmt(peak.highestMiB, 1)} MiB on ${peak.highestFile}`,
    );
  }
  for (const s of steady) {
    console.log(
      `steady state: ${s.tool} on the ${fmtInt(s.packets)} packets vxlan-1m.pcap has beyond vxlan-250k.pcap: ${fmt(s.toolS * 1000, 0)} ms against the walk's ` +
        `${fmt(s.walkS * 1000, 0)} ms, ${fmt(s.xWalk, 2)} x walk (median of ${s.rounds} paired rounds; start, JIT warm-up and report left out; not a target: see bench/README)`,
    );
  }
  const prototype = prototypeFigures(rows);
  for (const p of prototype) {
    console.log(
      `prototype: on ${p.file} the issue's prototype ran at ${fmt(p.prototypeVsWalk, 2)} x walk, ${fmt(p.prototypePps / 1e6, 2)} M packets/s ` +
        `(the issue: ~0.8 x walk on large packets, 5.4 M packets/s on small ones); ` +
        (p.analyzeVsPrototype === null ? 'podpath analyze not run' : `podpath analyze at ${fmt(p.analyzeVsPrototype, 2)} x the prototype's MB/s`),
    );
  }
  const targets = targetsMet(rows, memory, peak);
  console.log('');
  console.log('targets (issue #5; the run never fails on them):');
  for (const t of targets) {
    const mark = t.met === null ? '  -    ' : t.met ? '  met  ' : 'NOT met';
    console.log(`  ${mark}  ${t.shown.padEnd(20)} ${t.target}${t.where && t.met !== null ? ` [${t.where}]` : ''}`);
  }
  if (rows.some((r) => r.subsetPackets)) {
    console.log(
      `tshark is run on the first ${fmtInt(TSHARK_SUBSET)} packets of larger files (-c ${TSHARK_SUBSET}), tcpdump on the first ${fmtInt(TCPDUMP_SCAN_SUBSET)} of the scans; ` +
        'their figures, and the x tshark ratios, come from those subsets.',
    );
  }

  const results = {
    schema: 1,
    date,
    commit,
    uncommittedChanges: Boolean(dirty),
    machine: { cpu, cpus: cpus().length, memGiB: Number((totalmem() / 2 ** 30).toFixed(1)), platform: process.platform },
    versions,
    buildTime,
    rssMethod,
    runs,
    units: { mbps: '10^6 bytes/s', rssMiB: '2^20 bytes', wallS: 'seconds, median' },
    captures,
    memory,
    peakMemory: peak,
    steadyState: steady,
    prototype,
    targets: targets.map(({ shown: _s, ...t }) => t),
    results: rows.map(({ runs: rs, ...r }) => ({ ...r, runs: rs ?? [] })),
  };
  writeFileSync(join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`results: ${join('bench', 'results.json')}`);
}

await main();
