/**
 * The whole-path checks behind the fuzzers, shared by the in-suite test
 * (which passes podpath's sources) and scripts/fuzz.mjs (which passes the
 * built dist/index.js): the library is a parameter, so both run the same
 * checks on the same generated cases.
 *
 * A capture case runs the mutated bytes twice: through readCaptureStream in
 * the case's chunking → PacketDecoder → packetLine/packetJson, and as a file
 * through analyzeCaptures → renderTable/renderMarkdown/renderJson, plus
 * validateReport, verifyReport and diffReports on the result. Text cases feed
 * mutated node address files to parseNodeAddrs (and on to an analysis) and
 * mutated saved reports to validateReport (and on to diffReports).
 *
 * Anything thrown that is not the input's own error class, any broken
 * property, a case over the time limit or one that grows memory past the
 * limit is a FuzzFailure.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { gzipSync } from 'node:zlib';
import { BINARY_DICTIONARY, applyOps, ipOneLineText, materializeText, textFileBytes } from './mutate.mjs';

export const DEFAULT_TIME_LIMIT_MS = 2000;
export const DEFAULT_MEMORY_LIMIT = 64 * 1024 * 1024;
/** Smallest possible record (pcap record header; pcapng SPB): bounds packets by bytes. */
const MIN_RECORD_BYTES = 16;

export class FuzzFailure extends Error {
  /**
   * @param {'crash'|'hang'|'memory'|'property'} kind
   * @param {string} message
   * @param {unknown} [cause]
   */
  constructor(kind, message, cause) {
    super(`${kind}: ${message}${cause instanceof Error ? `\n  caused by ${cause.stack ?? cause.message}` : cause !== undefined ? `\n  caused by ${String(cause)}` : ''}`);
    this.name = 'FuzzFailure';
    this.kind = kind;
  }
}

// ---------------------------------------------------------------------------
// Corpus

const CAPTURE_NAME = /\.(pcap|pcapng|cap)(\.gz)?$/i;

/** Capture files under the given directories (recursively; `expected/` oracle files skipped), sorted. */
export function listCaptures(root, dirs) {
  const out = [];
  const walk = (dir) => {
    let names;
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const abs = join(dir, name);
      const st = statSync(abs);
      if (st.isDirectory()) {
        if (name !== 'expected') walk(abs);
      } else if (CAPTURE_NAME.test(name) && st.size > 0) out.push(relative(root, abs));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out;
}

/** Node address files of the samples, by sample directory. */
function listSampleNodeFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const st = statSync(abs);
      if (st.isDirectory()) walk(abs);
      else if (name.endsWith('.addrs.json')) out.push(abs);
    }
  };
  walk(join(root, 'samples'));
  return out;
}

function groupByDir(files) {
  const m = new Map();
  for (const f of files) {
    const d = f.slice(0, f.lastIndexOf('/'));
    if (!m.has(d)) m.set(d, []);
    m.get(d).push(f);
  }
  return m;
}

/**
 * Everything the checks need that does not change per case: the corpus,
 * parsed node address sets, real reports (made by the library from the
 * samples) for diffs, text corpora for the text fuzzers.
 *
 * @param {any} lib podpath's library API (src/index.ts or dist/index.js)
 * @param {{root: string, captures: string[], tmpDir: string, timeLimitMs?: number, memoryLimit?: number, renderDiffText?: (d: any, o: {color: boolean}) => string}} opts
 */
export async function buildContext(lib, opts) {
  const root = opts.root;
  mkdirSync(opts.tmpDir, { recursive: true });
  const corpus = opts.captures.map((rel) => ({ name: rel, path: join(root, rel), bytes: new Uint8Array(readFileSync(join(root, rel))) }));
  const corpusBytes = corpus.map((c) => c.bytes);

  // Node address sets, one per sample directory, and the sample capture beside them.
  const nodeFiles = listSampleNodeFiles(root);
  const nodeAddrSets = [];
  const sampleRuns = [];
  const nodeTexts = [];
  for (const [dir, files] of groupByDir(nodeFiles)) {
    const set = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      nodeTexts.push(text);
      try {
        nodeTexts.push(ipOneLineText(JSON.parse(text)));
      } catch {
        /* not JSON: used as it is */
      }
      set.push(lib.parseNodeAddrs(text, f, f.slice(f.lastIndexOf('/') + 1).replace(/\.addrs\.json$/, '')));
    }
    nodeAddrSets.push(set);
    const captures = readdirSync(dir)
      .filter((n) => CAPTURE_NAME.test(n))
      .map((n) => join(dir, n));
    if (captures.length > 0) sampleRuns.push({ dir, captures, nodeAddrs: set });
  }
  const fixtureDir = join(root, 'test/analysis/fixtures/node-addrs');
  try {
    for (const n of readdirSync(fixtureDir).sort()) {
      if (/\.(json|txt)$/.test(n) && !n.startsWith('iproute2')) nodeTexts.push(readFileSync(join(fixtureDir, n), 'utf8'));
    }
  } catch {
    /* fixtures optional */
  }

  // Real reports, as `podpath analyze --json` writes them.
  const reportTexts = [];
  const baseReports = [];
  for (const run of sampleRuns) {
    const { report } = await lib.analyzeCaptures(run.captures, { nodeAddrs: run.nodeAddrs, vxlanPorts: [8472] });
    baseReports.push(report);
    reportTexts.push(lib.renderJson(report));
  }
  const { report: bare } = await lib.analyzeCaptures([sampleRuns[0].captures[0]], {});
  baseReports.push(bare);
  reportTexts.push(lib.renderJson(bare));

  return {
    lib,
    root,
    corpus,
    corpusBytes,
    nodeAddrSets,
    sampleRuns,
    nodeTexts,
    reportTexts,
    baseReports,
    tmpDir: opts.tmpDir,
    timeLimitMs: opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS,
    memoryLimit: opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    renderDiffText: opts.renderDiffText ?? null,
    alwaysTable: opts.alwaysTable ?? false,
    tmpSeq: 0,
  };
}

// ---------------------------------------------------------------------------
// Guards

class Guard {
  constructor(ctx, what) {
    this.ctx = ctx;
    this.what = what;
    this.start = performance.now();
    const m = getHeapStatistics();
    this.heap0 = m.used_heap_size;
    this.ab0 = m.external_memory;
    this.peakHeap = 0;
    this.peakAb = 0;
  }

  /** Throws a hang failure once the case has run past the time limit. */
  time() {
    const ms = performance.now() - this.start;
    if (ms > this.ctx.timeLimitMs) throw new FuzzFailure('hang', `${this.what}: still running after ${Math.round(ms)} ms (limit ${this.ctx.timeLimitMs} ms)`);
  }

  /**
   * Throws a memory failure when the JS heap or external memory (ArrayBuffers, Buffers) grew
   * past the limit since the case began. v8's own counters: process.memoryUsage() reads /proc
   * and costs five times as much.
   */
  memory() {
    const m = getHeapStatistics();
    const dh = m.used_heap_size - this.heap0;
    const da = m.external_memory - this.ab0;
    if (dh > this.peakHeap) this.peakHeap = dh;
    if (da > this.peakAb) this.peakAb = da;
    const limit = this.ctx.memoryLimit;
    if (da > limit || dh > limit) {
      throw new FuzzFailure('memory', `${this.what}: memory grew by ${Math.round(dh / 1048576)} MiB heap, ${Math.round(da / 1048576)} MiB ArrayBuffers (limit ${Math.round(limit / 1048576)} MiB)`);
    }
  }

  check() {
    this.time();
    this.memory();
  }
}

/** Runs fn; anything thrown that `allowed` does not accept becomes a crash (FuzzFailures pass through). */
async function expectOnly(what, allowed, fn) {
  try {
    return { value: await fn(), error: null };
  } catch (e) {
    if (e instanceof FuzzFailure) throw e;
    if (allowed(e)) return { value: undefined, error: e };
    throw new FuzzFailure('crash', `${what} threw ${e instanceof Error ? e.name : typeof e}`, e);
  }
}

function crashes(what, fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FuzzFailure) throw e;
    throw new FuzzFailure('crash', `${what} threw ${e instanceof Error ? e.name : typeof e}`, e);
  }
}

function property(ok, message) {
  if (!ok) throw new FuzzFailure('property', message);
}

/** Where a value stops being plain JSON data (undefined, NaN, Infinity, functions, class instances), or null. */
export function jsonSafetyViolation(v, path = 'report', seen = new Set()) {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${path} is ${v}`;
  if (typeof v !== 'object') return `${path} is a ${typeof v}`;
  if (seen.has(v)) return `${path} is a repeated reference`;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = jsonSafetyViolation(v[i], `${path}[${i}]`, seen);
      if (bad) return bad;
    }
  } else {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return `${path} is a ${proto?.constructor?.name ?? 'non-plain'} object`;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) return `${path}.${k} is undefined`;
      const bad = jsonSafetyViolation(x, `${path}.${k}`, seen);
      if (bad) return bad;
    }
  }
  seen.delete(v);
  return null;
}

const ANSI = /\x1b\[[0-9;]*m/g;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/gu;
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/gu;

/** Terminal columns of a line, near enough to string-width: marks and format characters take none, wide ones two. */
function displayWidth(line) {
  const plain = line.replace(ANSI, '').replace(ZERO_WIDTH, '');
  let n = 0;
  for (const _ of plain) n++;
  return n + (plain.match(WIDE)?.length ?? 0);
}

// ---------------------------------------------------------------------------
// Capture cases

/** The bytes a capture case feeds podpath: `bytes` is the mutated capture, `fileBytes` what the file holds (gzip or not). */
export function materializeCapture(ctx, c) {
  const src = ctx.corpus[c.source % ctx.corpus.length];
  const bytes = applyOps(src.bytes, c.ops, ctx.corpusBytes, BINARY_DICTIONARY);
  let fileBytes = bytes;
  const gz = c.delivery.gzip;
  if (gz) {
    fileBytes = new Uint8Array(gzipSync(bytes, { level: 1 }));
    if (gz.damage === 'trunc') fileBytes = fileBytes.subarray(0, gz.at % (fileBytes.length + 1));
    else if (gz.damage === 'flip' && fileBytes.length > 0) {
      fileBytes = fileBytes.slice();
      fileBytes[gz.at % fileBytes.length] ^= 1 << (gz.at % 8);
    }
  }
  return { source: src.name, bytes, fileBytes };
}

/** Chunks as a byte stream would deliver them: views into junk-padded copies, or one reused buffer. */
async function* chunked(bytes, sizes, reuse, guard) {
  // A 1-byte chunking of a large input is slow without telling anything new: keep it under ~20k chunks.
  const floor = Math.ceil(bytes.length / 20_000);
  const scratch = reuse ? new Uint8Array(Math.max(...sizes.map((s) => Math.max(s, floor)), bytes.length > 0 ? 1 : 0) + 8) : null;
  if (sizes.length === 0) {
    const copy = new Uint8Array(bytes.length + 6).fill(0xee);
    copy.set(bytes, 3);
    yield copy.subarray(3, 3 + bytes.length);
    return;
  }
  let p = 0;
  for (let i = 0; p < bytes.length; i++) {
    const n = Math.max(1, floor, sizes[i % sizes.length]);
    const piece = bytes.subarray(p, Math.min(bytes.length, p + n));
    p += piece.length;
    if (scratch) {
      // The reader must copy what it keeps: the next chunk overwrites this one (as the file reader's buffer does).
      scratch.fill(0xee);
      scratch.set(piece, 4);
      yield scratch.subarray(4, 4 + piece.length);
    } else {
      const copy = new Uint8Array(piece.length + 6).fill(0xee);
      copy.set(piece, 3);
      yield copy.subarray(3, 3 + piece.length);
    }
    if ((i & 255) === 255) guard.check();
  }
}

const EXPECTATIONS = [{ mode: 'ipip' }, { mode: 'vxlan', interface: 'eth1' }, { mode: 'no-encap', cidr: '172.16.0.0/12' }, { mode: 'cross-subnet', subnets: ['10.0.0.0/8'] }, { allowEmpty: true, cidr: '::/0' }];

function errorKey(e) {
  return e ? `${e.code}@${e.offset}#${e.packet}` : 'none';
}

/**
 * Run one capture case through the whole path. Returns what was read, for
 * the caller's statistics; throws a FuzzFailure on any failure.
 */
export async function runCaptureCase(ctx, c) {
  const lib = ctx.lib;
  const { bytes, fileBytes } = materializeCapture(ctx, c);
  const guard = new Guard(ctx, 'capture case');
  const d = c.delivery;
  const a = c.analysis;

  // 1. Stream path: chunks → reader → decoder → per-packet renderers.
  const vxlanPorts = [4789, ...a.vxlanPorts];
  const decoder = crashes('new PacketDecoder', () => new lib.PacketDecoder({ vxlanPorts, ...(a.genevePorts ? { genevePorts: [6081, ...a.genevePorts] } : {}) }));
  const meta = { file: 'fuzz', frame: 0, tsSec: 0, tsNsec: 0, capLen: 0, wireLen: 0, interfaceName: null, recordDirection: 0 };
  let delivered = 0;
  let lastIndex = 0;
  const sink = (rec) => {
    delivered++;
    property(rec.offset >= 0 && rec.capLen >= 0 && rec.offset + rec.capLen <= rec.buf.length, `record ${rec.index} points outside its buffer (offset ${rec.offset}, capLen ${rec.capLen}, buffer ${rec.buf.length})`);
    property(rec.index === lastIndex + 1, `record numbers skip: ${lastIndex} then ${rec.index}`);
    lastIndex = rec.index;
    const pv = decoder.decodeRecord(rec);
    meta.frame = rec.index;
    meta.tsSec = rec.tsSec;
    meta.tsNsec = rec.tsNsec;
    meta.capLen = rec.capLen;
    meta.wireLen = rec.wireLen;
    meta.interfaceName = rec.iface?.name ?? null;
    meta.recordDirection = rec.direction;
    const line = lib.packetLine(pv, meta, { link: (delivered & 1) === 1 });
    property(typeof line === 'string' && !/[\u0000-\u001f\u007f]/.test(line), `packetLine of packet ${rec.index} is not one line of text: ${JSON.stringify(line)}`);
    JSON.stringify(lib.packetJson(pv, meta));
    if ((delivered & 1023) === 0) guard.check();
  };
  // Gzip input is handed to zlib, which may hold on to it: no reused buffer there (nor in the file reader).
  const compressed = fileBytes.length >= 2 && fileBytes[0] === 0x1f && fileBytes[1] === 0x8b;
  const reuse = d.reuse && !compressed;
  const summary = (
    await expectOnly('readCaptureStream', () => false, () =>
      lib.readCaptureStream(chunked(fileBytes, d.chunks, reuse, guard), 'fuzz-input', sink, d.maxPackets > 0 ? { maxPackets: d.maxPackets } : {}),
    )
  ).value;
  guard.check();
  property(summary.packets === delivered || (summary.stoppedEarly && delivered === d.maxPackets), `summary says ${summary.packets} packets, the sink got ${delivered}`);
  property(!summary.stoppedEarly || delivered === d.maxPackets, `stopped early after ${delivered} packets, maxPackets ${d.maxPackets}`);
  property(compressed || summary.captureBytes <= fileBytes.length, `captureBytes ${summary.captureBytes} > ${fileBytes.length} bytes given`);
  property(delivered * MIN_RECORD_BYTES <= summary.captureBytes, `${delivered} packets from ${summary.captureBytes} bytes of capture (at least ${MIN_RECORD_BYTES} bytes each)`);
  property(summary.sourceBytes <= fileBytes.length, `sourceBytes ${summary.sourceBytes} > ${fileBytes.length}`);
  const err = summary.error;
  if (err !== null) {
    property(err instanceof lib.CaptureFormatError, `summary.error is not a CaptureFormatError: ${String(err)}`);
    const msg = crashes('CaptureFormatError.message', () => err.message);
    property(typeof msg === 'string' && msg.length > 0 && !/[\u0000-\u001f\u007f]/.test(msg), `error message is not one line of text: ${JSON.stringify(msg)}`);
    property(err.packet === summary.packets + 1, `error names packet ${err.packet} after ${summary.packets} packets`);
    property(err.offset >= 0 && err.offset <= summary.captureBytes, `error offset ${err.offset} outside the ${summary.captureBytes} bytes read`);
  } else if (!summary.stoppedEarly) {
    property(summary.sourceBytes === fileBytes.length, `read cleanly but only ${summary.sourceBytes} of ${fileBytes.length} bytes`);
  }

  // 2. Analysis path: the same bytes as a file → analyzeCaptures → report → renderers.
  const file = join(ctx.tmpDir, `case-${process.pid}-${ctx.tmpSeq++ % 4}.${d.gzip ? 'pcap.gz' : 'pcap'}`);
  writeFileSync(file, fileBytes);
  const files = [file];
  if (a.extra >= 0) files.push(ctx.corpus[a.extra % ctx.corpus.length].path);
  const nodeAddrs = a.nodeAddrs >= 0 && ctx.nodeAddrSets.length > 0 ? ctx.nodeAddrSets[a.nodeAddrs % ctx.nodeAddrSets.length] : [];
  const options = {
    nodeAddrs,
    vxlanPorts: a.vxlanPorts,
    ...(a.genevePorts ? { genevePorts: a.genevePorts } : {}),
    blockSize: a.blockSize,
    topPairs: a.topPairs,
    podCidrs: a.podCidrs,
    ...(a.interfaceName ? { interfaceName: a.interfaceName } : {}),
    onProgress: () => guard.time(),
  };
  const { report, summaries } = (await expectOnly('analyzeCaptures', () => false, () => lib.analyzeCaptures(files, options))).value;
  guard.check();
  const first = summaries[0];
  if (d.maxPackets === 0) {
    property(first.packets === summary.packets, `chunking changed the packet count: ${summary.packets} read in chunks ${JSON.stringify(d.chunks)}, ${first.packets} from the file`);
    property(errorKey(first.error) === errorKey(summary.error), `chunking changed the damage: ${errorKey(summary.error)} in chunks ${JSON.stringify(d.chunks)}, ${errorKey(first.error)} from the file`);
  }
  checkReport(ctx, report, summaries, a, guard);

  // 3. The fast path is a shortcut, never another answer: every packet through the reference decoder, the same report.
  const reference = (await expectOnly('analyzeCaptures (reference decoder only)', () => false, () => lib.analyzeCaptures(files, { ...options, referenceOnly: true }))).value.report;
  guard.check();
  const differs = firstDifference(report, reference, 'report');
  property(differs === null, `the fast path changed the report: ${differs}`);
  return { packets: summary.packets, error: summary.error?.code ?? null };
}

/** Where two JSON values first differ ("report.paths[0].packets: 12 against 13"), or null. */
function firstDifference(a, b, at) {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${at}: ${JSON.stringify(a)?.slice(0, 200)} against ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  const keys = Array.isArray(a) ? [...Array(Math.max(a.length, b.length)).keys()] : [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const d = firstDifference(a[k], b[k], Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

/** Everything that must hold for a report the analysis made. */
function checkReport(ctx, report, summaries, a, guard) {
  const lib = ctx.lib;
  property(report.captures.length === summaries.length, `${summaries.length} captures read, ${report.captures.length} in the report`);
  let total = 0;
  for (let i = 0; i < summaries.length; i++) {
    const s = summaries[i];
    const rc = report.captures[i];
    property(rc.packets === s.packets, `report says ${rc.packets} packets for capture ${i}, the reader read ${s.packets}`);
    property(s.packets * MIN_RECORD_BYTES <= s.captureBytes, `${s.packets} packets from ${s.captureBytes} bytes`);
    total += s.packets;
  }
  property(report.totals.packets === total, `totals.packets ${report.totals.packets}, captures hold ${total}`);
  const podPackets = report.paths.reduce((n, p) => n + p.packets, 0);
  property(report.totals.podPackets === podPackets, `totals.podPackets ${report.totals.podPackets}, paths hold ${podPackets}`);
  property(podPackets <= total, `paths hold ${podPackets} packets of ${total} read`);
  const unsafe = jsonSafetyViolation(report);
  property(unsafe === null, `report is not plain JSON data: ${unsafe}`);

  const json = crashes('renderJson', () => lib.renderJson(report));
  const back = crashes('JSON.parse(renderJson(report))', () => JSON.parse(json));
  property(JSON.stringify(back) === JSON.stringify(report), 'report changes on a JSON round trip');
  if (a.table || ctx.alwaysTable) {
    const width = a.tableWidth;
    const table = crashes('renderTable', () => lib.renderTable(report, { color: a.color, width }));
    property(typeof table === 'string' && table.length > 0, 'renderTable gave no text');
    property(a.color || !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(table), 'renderTable without colour wrote control characters');
    for (const line of table.split('\n')) {
      property(displayWidth(line) <= width, `renderTable line wider than ${width}: ${JSON.stringify(line)}`);
    }
  }
  const md = crashes('renderMarkdown', () => lib.renderMarkdown(report));
  property(typeof md === 'string' && md.length > 0, 'renderMarkdown gave no text');
  property(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(md), 'renderMarkdown wrote control characters');
  guard.time();

  // What podpath writes, podpath must read back, compare and verify.
  const loaded = crashes('validateReport on an analyze --json report', () => lib.validateReport(back, 'fuzz-report.json'));
  const base = ctx.baseReports[(a.blockSize + a.topPairs) % ctx.baseReports.length];
  for (const [x, y] of [
    [loaded, base],
    [base, loaded],
  ]) {
    const diff = crashes('diffReports', () => lib.diffReports(x, y));
    crashes('JSON.stringify(diff)', () => JSON.stringify(diff));
    if (ctx.renderDiffText) crashes('renderDiffText', () => ctx.renderDiffText(diff, { color: a.color }));
  }
  const verdict = crashes('verifyReport', () => lib.verifyReport(report, EXPECTATIONS[a.topPairs % EXPECTATIONS.length]));
  crashes('JSON.stringify(verify)', () => JSON.stringify(verdict));
  guard.check();
}

// ---------------------------------------------------------------------------
// Node address files

/** A parseNodeAddrs result must have the shape it promises. */
function nodeAddrsShapeViolation(n) {
  if (!n || typeof n !== 'object' || !Array.isArray(n.interfaces) || n.interfaces.length === 0) return 'no interfaces list';
  for (const f of n.interfaces) {
    if (typeof f.name !== 'string' || f.name.length === 0) return `interface name ${JSON.stringify(f.name)}`;
    if (f.ifindex !== null && !(Number.isInteger(f.ifindex) && f.ifindex > 0)) return `ifindex ${f.ifindex}`;
    if (f.mac !== null && !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(f.mac)) return `mac ${JSON.stringify(f.mac)}`;
    if (f.mtu !== null && !Number.isInteger(f.mtu)) return `mtu ${f.mtu}`;
    if (!Array.isArray(f.addresses)) return 'addresses not a list';
    for (const x of f.addresses) {
      if (typeof x.ip !== 'string' || (x.family !== 4 && x.family !== 6) || typeof x.subnet !== 'string') return `address ${JSON.stringify(x)}`;
      if (!Number.isInteger(x.prefixLen) || x.prefixLen < 0 || x.prefixLen > (x.family === 4 ? 32 : 128)) return `prefix ${x.prefixLen}`;
    }
  }
  return null;
}

/** One node address file case. Only NodeAddrsError may be thrown; a file that parses must work in an analysis. */
export async function runNodeAddrsCase(ctx, c) {
  const lib = ctx.lib;
  const guard = new Guard(ctx, 'node address case');
  const text = materializeText(ctx.nodeTexts, c);
  const isNodeErr = (e) => e instanceof lib.NodeAddrsError;
  const file = 'fuzz-node.addrs';
  const parsed = await expectOnly('parseNodeAddrs', isNodeErr, () => lib.parseNodeAddrs(text, file, 'fuzz-node'));
  if (parsed.error) {
    property(typeof parsed.error.message === 'string' && parsed.error.message.startsWith(`${file}: `), `NodeAddrsError does not name the file: ${parsed.error.message}`);
    property(!/[\u0000-\u0008\u000a-\u001f]/.test(parsed.error.message), `NodeAddrsError message carries control characters: ${JSON.stringify(parsed.error.message)}`);
  }
  if (c.viaFile !== 'no') {
    const path = join(ctx.tmpDir, `node-${process.pid}-${ctx.tmpSeq++ % 4}.txt`);
    writeFileSync(path, textFileBytes(text, c.viaFile));
    const loaded = await expectOnly('loadNodeAddrs', isNodeErr, () => lib.loadNodeAddrs(`fuzz=${path}`));
    property((loaded.error === null) === (parsed.error === null) || c.viaFile === 'utf16le', `loadNodeAddrs and parseNodeAddrs disagree: ${loaded.error?.message ?? 'ok'} vs ${parsed.error?.message ?? 'ok'}`);
  }
  guard.time();
  if (parsed.error) return { accepted: false };
  const node = parsed.value;
  const bad = nodeAddrsShapeViolation(node);
  property(bad === null, `parseNodeAddrs accepted a file but returned a bad shape: ${bad}`);
  crashes('JSON.stringify(NodeAddrs)', () => JSON.stringify(node));

  // Accepted: it must work in an index and an analysis, beside a real node of the same sample.
  const run = ctx.sampleRuns[c.other % ctx.sampleRuns.length];
  const others = run.nodeAddrs.slice(0, 1);
  const idx = await expectOnly('new NodeAddrsIndex', isNodeErr, () => new lib.NodeAddrsIndex([node, ...others]));
  if (idx.value) {
    const index = idx.value;
    const probes = ['172.16.10.11', '10.244.1.1', 'fe80::1', '::', '0.0.0.0', 'not an address', ''];
    for (const f of node.interfaces) for (const x of f.addresses) probes.push(x.ip);
    for (const ip of probes) {
      crashes('ownerOf', () => index.ownerOf(ip));
      crashes('ownersOf', () => index.ownersOf(ip));
      crashes('subnetOf', () => index.subnetOf(ip));
      crashes('subnetOf(node)', () => index.subnetOf(ip, node));
    }
    for (const f of node.interfaces) {
      if (f.mac) crashes('ownerOfMac', () => index.ownerOfMac(f.mac));
      if (f.ifindex !== null) crashes('interfaceByIndex', () => index.interfaceByIndex(node, f.ifindex));
    }
  }
  const { report, summaries } = (
    await expectOnly('analyzeCaptures with a fuzzed node file', isNodeErr, () => lib.analyzeCaptures(run.captures, { nodeAddrs: [node, ...others], vxlanPorts: [8472] }))
  ).value ?? { report: null, summaries: [] };
  if (report) checkReport(ctx, report, summaries, { tableWidth: 100, color: false, blockSize: 26, topPairs: c.other, table: (c.other & 3) === 0 }, guard);
  guard.check();
  return { accepted: true };
}

// ---------------------------------------------------------------------------
// Saved reports

/** One saved-report case. Only ReportFileError may be thrown; a report that validates must diff. */
export async function runReportCase(ctx, c) {
  const lib = ctx.lib;
  const guard = new Guard(ctx, 'saved report case');
  const text = materializeText(ctx.reportTexts, c);
  const isReportErr = (e) => e instanceof lib.ReportFileError;
  const file = 'fuzz-report.json';
  if (c.viaFile !== 'no') {
    const path = join(ctx.tmpDir, `report-${process.pid}-${ctx.tmpSeq++ % 4}.json`);
    writeFileSync(path, textFileBytes(text, c.viaFile));
    const loaded = await expectOnly('loadReport', isReportErr, () => lib.loadReport(path));
    if (loaded.error) property(loaded.error.message.startsWith(`${path}: `), `ReportFileError does not name the file: ${loaded.error.message}`);
    else await diffAll(ctx, loaded.value, c, guard);
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return { accepted: false }; // loadReport's to report (checked above when read from a file)
  }
  const validated = await expectOnly('validateReport', isReportErr, () => lib.validateReport(data, file));
  if (validated.error) {
    property(validated.error.message.startsWith(`${file}: `), `ReportFileError does not name the file: ${validated.error.message}`);
    return { accepted: false };
  }
  await diffAll(ctx, validated.value, c, guard);
  guard.check();
  return { accepted: true };
}

async function diffAll(ctx, report, c, guard) {
  const lib = ctx.lib;
  const base = ctx.baseReports[c.other % ctx.baseReports.length];
  for (const [x, y] of [
    [report, base],
    [base, report],
    [report, report],
  ]) {
    const diff = crashes('diffReports on a validated report', () => lib.diffReports(x, y));
    crashes('JSON.stringify(diff)', () => JSON.stringify(diff));
    if (ctx.renderDiffText) crashes('renderDiffText', () => ctx.renderDiffText(diff, { color: (c.other & 1) === 1 }));
    guard.time();
  }
}
