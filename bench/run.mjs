#!/usr/bin/env node
/**
 * podpath benchmark: every tool on the same captures in the same run, each
 * as its own child process so peak RSS is the tool's own.
 *
 *   npm run bench                     build, then every capture, 3 runs each (median)
 *   npm run bench -- --quick          mixed-100k only, 1 run
 *   npm run bench -- --only ipip-1m   captures whose name contains ipip-1m (comma-separated list allowed)
 *   npm run bench -- --runs 5         median of 5
 *   npm run bench -- --tool walk,decode   only tools whose name contains one of these
 *
 * Prints a table and writes the same figures to bench/results.json. Never
 * asserts a time: exits 0 whatever the figures are (2 on a usage error).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CAPTURE_NAMES, ensureCaptures, selectCaptures } from './generate.mjs';
import { walkPcap } from './walk.mjs';

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
const QUICK_CAPTURE = 'mixed-100k.pcap';

// ---------------------------------------------------------------------------
// Tools. To add one (e.g. a new podpath command), append an entry:
//   name       shown in the table and results.json
//   argv(c, n) the command line for capture c ({name, path, bytes, packets});
//              n is the packet limit when the tool runs on a subset, else null
//   node       true when argv[0] is Node (lets the RSS fallback preload a probe)
//   stdout     'null' to send stdout to /dev/null, 'capture' to parse it
//   subset     max packets the tool is run on (slow tools), or absent for the whole file
//   available  () => null when it can run, else the reason it cannot
//   check      (stdout, c) => note string when the tool's own count disagrees, else null

const podpath = (...args) => (c) => [NODE, join(BUILD, 'bin', 'podpath.js'), ...args, c.path];

export const TOOLS = [
  {
    name: 'walk',
    node: true,
    argv: (c) => [NODE, 'bench/walk.mjs', c.path],
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
  { name: 'tcpdump -nr', argv: (c) => ['tcpdump', '-nr', c.path], stdout: 'null', available: () => installed('tcpdump') },
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

let buildState;
let buildTime = null;
/** Copy the build into BUILD once per run; null when it is there, else why not. */
function needBuild() {
  if (buildState !== undefined) return buildState;
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'index.js')) || !existsSync(join(dist, 'cli.js'))) {
    return (buildState = 'not built (npm run build)');
  }
  buildTime = statSync(join(dist, 'cli.js')).mtime.toISOString();
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(join(BUILD, 'bench'), { recursive: true });
  cpSync(dist, join(BUILD, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(BUILD, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
  cpSync(join(BENCH, 'decode.mjs'), join(BUILD, 'bench', 'decode.mjs'));
  const r = spawnSync(NODE, [join(BUILD, 'bin', 'podpath.js'), '--version'], { cwd: ROOT, encoding: 'utf8' });
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
  const r = spawnSync(NODE, [join(BUILD, 'bin', 'podpath.js'), 'analyze', '--help'], { cwd: ROOT, encoding: 'utf8' });
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

function measure(tool, argv, env) {
  return new Promise((resolve) => {
    const rssFile = join(env.tmp, `rss-${process.pid}`);
    rmSync(rssFile, { force: true });
    let cmd = argv;
    if (env.rssMethod === 'gnu-time') cmd = ['/usr/bin/time', '-f', '%e %M', '-o', rssFile, ...argv];
    else if (tool.node) cmd = [argv[0], '--import', RSS_HOOK, ...argv.slice(1)];
    const devnull = tool.stdout === 'null' ? openSync('/dev/null', 'w') : null;
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd[0], cmd.slice(1), {
      cwd: ROOT,
      stdio: ['ignore', devnull ?? 'pipe', 'pipe'],
      env: { ...process.env, PODPATH_BENCH_RSS_FILE: rssFile },
    });
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

function table(rows) {
  const head = ['file', 'tool', 'MB/s', 'packets/s', 'peak RSS MiB', 'x walk', 'x tshark', 'note'];
  const right = [false, false, true, true, true, true, true, false];
  const cells = rows.map((r) =>
    r.status !== 'ok'
      ? [r.file, r.tool, '', '', '', '', '', r.note ?? r.status]
      : [r.file, r.tool, fmt(r.mbps, 1), fmtInt(r.pps), fmt(r.rssMiB, 1), fmt(r.vsWalk, 2), fmt(r.vsTshark, 1), r.note ?? ''],
  );
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    c
      .map((s, i) => (right[i] ? s.padStart(w[i]) : s.padEnd(w[i])))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const runs = opts.runs ?? (opts.quick ? 1 : 3);
  let names = opts.quick ? [QUICK_CAPTURE] : CAPTURE_NAMES;
  if (opts.only) names = names.filter((n) => selectCaptures(opts.only).includes(n));
  if (names.length === 0) usage(`--only ${opts.only} matches no capture (known: ${CAPTURE_NAMES.join(', ')})`);
  const toolWords = opts.tool?.split(',').filter(Boolean);
  const tools = toolWords ? TOOLS.filter((t) => toolWords.some((w) => t.name.includes(w))) : TOOLS;
  if (tools.length === 0) usage(`--tool ${opts.tool} matches no tool (known: ${TOOLS.map((t) => t.name).join(', ')})`);
  if (!tools.some((t) => t.name === 'walk')) tools.unshift(TOOLS[0]); // every ratio needs the reference

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
    if (why && t.name !== 'podpath analyze') console.log(`${t.name}: ${why}`);
  }
  const versions = {
    node: process.version,
    tcpdump: status.get('tcpdump -nr') === null ? sh('tcpdump', ['--version'])?.split('\n')[0] ?? null : null,
    tshark: status.get('tshark conv,ip') === null ? sh('tshark', ['--version'])?.split('\n')[0] ?? null : null,
  };

  console.log('');
  const captures = ensureCaptures(names);
  console.log('');

  const rows = [];
  for (const c of captures) {
    // Warm the page cache so the first tool does not pay for the disk.
    walkPcap(c.path);
    const subsetBytes = new Map();
    const perTool = tools.map((t) => ({ tool: t, runs: [], note: null }));
    for (let run = 1; run <= runs; run++) {
      for (const entry of perTool) {
        const t = entry.tool;
        if (status.get(t.name)) continue;
        const n = t.subset && c.packets > t.subset ? t.subset : null;
        if (n && !subsetBytes.has(n)) subsetBytes.set(n, walkPcap(c.path, n).bytes);
        const m = await measure(t, t.argv(c, n), env);
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
      const n = t.subset && c.packets > t.subset ? t.subset : null;
      const packets = n ?? c.packets;
      const bytes = n ? subsetBytes.get(n) : c.bytes;
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
        note: [n ? `subset: first ${fmtInt(n)} packets` : null, note].filter(Boolean).join('; ') || null,
        runs: rs,
      };
    });
    const walk = fileRows.find((r) => r.tool === 'walk' && r.status === 'ok');
    const tshark = fileRows.find((r) => r.tool === 'tshark conv,ip' && r.status === 'ok');
    for (const r of fileRows) {
      if (r.status !== 'ok') continue;
      if (walk) r.vsWalk = r.mbps / walk.mbps;
      if (tshark) r.vsTshark = r.pps / tshark.pps;
    }
    rows.push(...fileRows);
  }
  rmSync(tmp, { recursive: true, force: true });

  console.log('');
  console.log(table(rows));
  console.log('');
  console.log('MB/s = 10^6 bytes of capture file per second of wall time (process start to exit); packets/s likewise;');
  console.log('peak RSS = the largest over the runs; x walk = MB/s / walk MB/s; x tshark = packets/s / tshark packets/s.');
  if (rows.some((r) => r.subsetPackets)) {
    console.log(`tshark is run on the first ${fmtInt(TSHARK_SUBSET)} packets of larger files (-c ${TSHARK_SUBSET}); its figures, and the x tshark ratios, come from that subset.`);
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
    results: rows.map(({ runs: rs, ...r }) => ({ ...r, runs: rs ?? [] })),
  };
  writeFileSync(join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`results: ${join('bench', 'results.json')}`);
}

await main();
