/**
 * The differential engine: read a capture with podpath, then hold every frame
 * against an oracle table column by column. A difference is a failure unless a
 * justification (differences.ts) names its file, its column, the frames it
 * covers and the exact shape of the difference; a justification that no
 * longer matches anything is a failure too, so the table cannot go stale.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { readCapture } from '../../src/capture/source.js';
import { detectFormat } from '../../src/capture/stream.js';
import type { CaptureFormat } from '../../src/capture/record.js';
import { PacketDecoder, type DecoderOptions } from '../../src/decode/decoder.js';
import { STATUS_NAMES } from '../../src/decode/packet.js';
import { COMPARED_COLUMNS, podpathFields, UNCOMPARED_COLUMNS } from './fields.js';
import type { OracleTable } from './oracle.js';
import { values } from './oracle.js';

export interface PodpathRun {
  format: CaptureFormat | null;
  packets: number;
  error: string | null;
  /** Fields by podpath frame number (1-based, packets only). */
  frames: Map<number, Map<string, string>>;
  /** "frame N: issue at offset" for every packet podpath calls malformed. */
  malformed: string[];
}

export async function runPodpath(capture: string, opts: DecoderOptions = {}): Promise<PodpathRun> {
  const dec = new PacketDecoder(opts);
  const frames = new Map<number, Map<string, string>>();
  // TShark spells a missing interface name differently per container, so know the container first.
  const head = Buffer.alloc(4);
  const fd = openSync(capture, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const kind = detectFormat(head);
  const format: CaptureFormat = kind === 'pcapng' ? 'pcapng' : 'pcap';
  const malformed: string[] = [];
  const summary = await readCapture(capture, (rec) => {
    const pv = dec.decodeRecord(rec);
    frames.set(rec.index, podpathFields(pv, rec, format));
    if (STATUS_NAMES[pv.status] === 'malformed') malformed.push(`frame ${rec.index}: ${pv.issue} at byte ${pv.issueOffset}`);
  });
  return { format: summary.format, packets: summary.packets, error: summary.error ? summary.error.message : null, frames, malformed };
}

/** Which oracle table a comparison or justification is about. */
export type OracleKind = 'tsv' | 'layers' | 'nodefrag' | 'decode-as-vxlan';

export type Rule =
  /** podpath's comma list is a strict prefix of TShark's: TShark decodes further in. */
  | { kind: 'podpath-prefix' }
  /** TShark's comma list is a strict prefix of podpath's: podpath decodes further in. */
  | { kind: 'tshark-prefix' }
  /** podpath's cell is exactly this. */
  | { kind: 'podpath-value'; value: string };

/**
 * Which TShark frames a justification covers: a list, every frame, or frames
 * picked by what TShark's own .layers.tsv says about them.
 */
export type FrameSelector =
  | number[]
  | 'all'
  /** frame.protocols contains this (e.g. ':gre:cmd:'). */
  | { protocolsContain: string }
  /**
   * Outer IPv4 fragments by the outermost ip.flags.mf / ip.frag_offset:
   * 'first' is MF set at offset 0, 'last' is MF clear at a non-zero offset.
   */
  | { fragment: 'first' | 'last' };

export interface Justification {
  /** "<kind>/<file>" as under test/fixtures/captures. */
  file: string;
  /** Oracle tables it applies to; default every table of the file. */
  oracles?: OracleKind[];
  frames: FrameSelector;
  columns: string[];
  rule: Rule;
  reason: string;
}

export interface Mismatch {
  frame: number;
  column: string;
  podpath: string;
  tshark: string;
}

export interface FileExceptions {
  /** TShark frame numbers that are not packets (pcapng custom blocks listed as 'data' frames by TShark 4.0). */
  tsharkOnlyFrames?: number[];
  reason?: string;
}

function selects(sel: FrameSelector, frame: number, layers: OracleTable | null): boolean {
  if (sel === 'all') return true;
  if (Array.isArray(sel)) return sel.includes(frame);
  const row = layers?.rows.get(frame);
  if (!row) return false;
  if ('protocolsContain' in sel) return (row.get('frame.protocols') ?? '').includes(sel.protocolsContain);
  const mf = values(row.get('ip.flags.mf'))[0];
  const off = values(row.get('ip.frag_offset'))[0];
  if (mf === undefined || off === undefined) return false;
  return sel.fragment === 'first' ? mf === '1' && off === '0' : mf === '0' && off !== '0';
}

function isStrictPrefix(a: string[], b: string[]): boolean {
  return a.length < b.length && a.every((v, i) => v === b[i]);
}

function ruleHolds(rule: Rule, ours: string, theirs: string): boolean {
  const a = values(ours);
  const b = values(theirs);
  switch (rule.kind) {
    case 'podpath-prefix':
      return isStrictPrefix(a, b);
    case 'tshark-prefix':
      return isStrictPrefix(b, a);
    case 'podpath-value':
      return ours === rule.value;
  }
}

export interface Comparison {
  mismatches: string[];
  /** Indices (into the justification list given) that excused at least one difference. */
  used: Set<number>;
  framesCompared: number;
  cellsCompared: number;
}

/**
 * Compare podpath's frames with one oracle table. `file` names the capture
 * ("<kind>/<file>") in messages and picks the justifications.
 */
export function compareTable(
  file: string,
  oracle: OracleKind,
  run: PodpathRun,
  table: OracleTable,
  justifications: readonly Justification[],
  exceptions: FileExceptions = {},
  /** TShark's .layers.tsv for the file, which frame selectors read. */
  layers: OracleTable | null = null,
): Comparison {
  const mismatches: string[] = [];
  const used = new Set<number>();
  const mine = justifications
    .map((j, idx) => ({ j, idx }))
    .filter(({ j }) => j.file === file && (j.oracles === undefined || j.oracles.includes(oracle)));

  const unknown = table.columns.filter((c) => !COMPARED_COLUMNS.includes(c) && !(c in UNCOMPARED_COLUMNS));
  for (const c of unknown) mismatches.push(`${file} [${oracle}]: oracle column ${c} is neither compared nor listed as uncompared`);
  const columns = table.columns.filter((c) => COMPARED_COLUMNS.includes(c));

  const skip = new Set(exceptions.tsharkOnlyFrames ?? []);
  for (const f of skip) {
    if (!table.rows.has(f)) mismatches.push(`${file} [${oracle}]: frame ${f} listed as TShark-only but the oracle has no such frame`);
    const protocols = layers?.rows.get(f)?.get('frame.protocols');
    if (protocols !== 'data') mismatches.push(`${file} [${oracle}]: frame ${f} listed as TShark-only but TShark decoded it as ${JSON.stringify(protocols)}, not a bare 'data' record`);
  }
  const oracleFrames = table.frames.filter((f) => !skip.has(f));
  if (oracleFrames.length !== run.packets) {
    mismatches.push(`${file} [${oracle}]: frame count: podpath ${run.packets}, tshark ${oracleFrames.length}${skip.size ? ` (+${skip.size} non-packet records)` : ''}`);
  }
  let framesCompared = 0;
  let cellsCompared = 0;
  oracleFrames.forEach((tsharkFrame, i) => {
    const ours = run.frames.get(i + 1);
    if (!ours) {
      mismatches.push(`${file} [${oracle}] frame ${tsharkFrame}: podpath read no such packet`);
      return;
    }
    framesCompared++;
    const row = table.rows.get(tsharkFrame)!;
    for (const column of columns) {
      cellsCompared++;
      const theirs = row.get(column) ?? '';
      const podpath = ours.get(column) ?? '';
      if (podpath === theirs) continue;
      const excuse = mine.find(
        ({ j }) => j.columns.includes(column) && selects(j.frames, tsharkFrame, layers) && ruleHolds(j.rule, podpath, theirs),
      );
      if (excuse) {
        used.add(excuse.idx);
        continue;
      }
      mismatches.push(`${file} [${oracle}] frame ${tsharkFrame} ${column}: podpath ${JSON.stringify(podpath)} tshark ${JSON.stringify(theirs)}`);
    }
  });
  return { mismatches, used, framesCompared, cellsCompared };
}
