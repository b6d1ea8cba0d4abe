/**
 * The terminal report of `podpath analyze`: verdicts first (the answer), then
 * the evidence (paths, nodes, findings, captures) as cli-table3 tables that
 * fit the terminal. No line is ever wider than `width`: cells are wrapped to
 * column widths chosen here, and a table too wide even with every text column
 * squeezed is printed one record per small key/value table instead.
 */
import Table from 'cli-table3';
import picocolors from 'picocolors';
import type { CaptureInfo, Finding, NodeReport, PathReport, Report, Severity } from '../analysis/report.js';
import {
  EMPTY,
  SECTION,
  captureDamageItems,
  captureFormatLabel,
  captureInterfacesLabel,
  findingMessage,
  formatBytes,
  formatCount,
  listLabel,
  shortListLabel,
  modeLabel,
  nicLabel,
  nodeNameLabel,
  nodePairLabel,
  overheadLabel,
  podPairsLabel,
  sanitize,
  totalsLine,
  vniPortParts,
  nodeInterfacesLabel,
} from './format.js';

export interface TableRenderOptions {
  /** ANSI colour for headings and severities; off means no escape codes at all. */
  color: boolean;
  /** Terminal columns; no output line is wider. Default 100. */
  width?: number;
}

export const DEFAULT_WIDTH = 100;

type Colors = ReturnType<typeof picocolors.createColors>;
type Paint = (s: string) => string;

interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Never wrapped within a line (numbers, "VNI 4096") while a text column can still give up room. */
  nowrap?: boolean;
  /** Sentences: kept at a readable width before words elsewhere are broken. */
  prose?: boolean;
  /** Colour for a cell, applied after wrapping so widths are measured on plain text. */
  paint?: (text: string, c: Colors) => string;
}

interface Grid {
  columns: Column[];
  rows: string[][];
}

/** One space each side of every cell, as cli-table3 draws by default. */
const PAD = 2;
/** Text columns are not squeezed below this (content plus padding) before the last resort. */
const TEXT_FLOOR = 10;
/** Sentence columns are not squeezed below this before words are broken elsewhere. */
const PROSE_FLOOR = 24;
const LAST_RESORT_FLOOR = 3;
const BREAK_AFTER = '/.-_:,=';

export function renderTable(report: Report, opts: TableRenderOptions): string {
  const width = Math.max(1, Math.floor(opts.width ?? DEFAULT_WIDTH));
  const c = picocolors.createColors(opts.color);
  const sections: string[][] = [
    section(c, SECTION.verdicts, verdictLines(report.verdicts, width), EMPTY.verdicts, width),
    section(c, SECTION.paths, gridLines(pathGrid(report.paths), width, c), EMPTY.paths, width),
    section(c, SECTION.nodes, gridLines(nodeGrid(report.nodes), width, c), EMPTY.nodes, width),
    section(c, SECTION.findings, findingLines(report.findings, width, c), EMPTY.findings, width),
    section(c, SECTION.captures, captureLines(report, width, c), EMPTY.captures, width),
  ];
  return sections.map((s) => s.join('\n')).join('\n\n') + '\n';
}

function section(c: Colors, title: string, body: string[] | null, empty: string, width: number): string[] {
  return [c.bold(title), ...(body && body.length > 0 ? body : wrapText(empty, width))];
}

function verdictLines(verdicts: string[], width: number): string[] | null {
  if (verdicts.length === 0) return null;
  const lines: string[] = [];
  for (const v of verdicts) {
    const wrapped = wrapText(sanitize(v), Math.max(1, width - 2));
    wrapped.forEach((l, i) => lines.push((i === 0 ? '• ' : '  ') + l));
  }
  return lines;
}

function captureLines(report: Report, width: number, c: Colors): string[] | null {
  const table = gridLines(captureGrid(report.captures), width, c);
  if (!table) return null;
  return [...table, ...wrapText(sanitize(totalsLine(report.totals)), width)];
}

// ---------------------------------------------------------------- grids

/**
 * VNI and port go under the mode in the same cell rather than in a column of
 * their own: nine columns of addresses do not fit 100 terminal columns
 * without breaking addresses in the middle.
 */
function pathGrid(paths: PathReport[]): Grid | null {
  if (paths.length === 0) return null;
  const columns: Column[] = [
    { header: 'id' },
    { header: 'mode', nowrap: true },
    { header: 'NIC (subnet)' },
    { header: 'nodes' },
    { header: 'packets', align: 'right', nowrap: true },
    { header: 'bytes', align: 'right', nowrap: true },
    { header: 'overhead', align: 'right', nowrap: true },
    { header: 'pod pairs' },
  ];
  const rows = paths.map((p) => [
    p.id,
    [modeLabel(p.mode), ...vniPortParts(p)].join('\n'),
    nicLabel(p),
    nodePairLabel(p),
    formatCount(p.packets),
    formatBytes(p.bytes),
    overheadLabel(p),
    podPairsLabel(p),
  ]);
  return { columns, rows };
}

function nodeGrid(nodes: NodeReport[]): Grid | null {
  if (nodes.length === 0) return null;
  return {
    columns: [
      { header: 'node' },
      { header: 'name' },
      { header: 'interfaces' },
      { header: 'pod blocks' },
      { header: 'tunnel addresses' },
    ],
    rows: nodes.map((n) => [
      n.ip,
      nodeNameLabel(n),
      nodeInterfacesLabel(n),
      shortListLabel(n.podBlocks),
      shortListLabel(n.tunnelAddresses),
    ]),
  };
}

const SEVERITY_PAINT: Record<Severity, (c: Colors) => Paint> = {
  error: (c) => (s) => c.bold(c.red(s)),
  warning: (c) => c.yellow,
  info: (c) => c.cyan,
};

/**
 * Findings are sentences with remedies: a list reads better than a table of
 * narrow prose columns, and costs nothing to lay out (cli-table3's wrapping
 * took seconds for a few dozen findings).
 *
 *   warning  mtu.mss_too_large
 *     node-a (172.16.10.11) → node-b (172.16.10.12): pod TCP SYNs ... (paths: p1)
 *     remedy: set the Calico MTU ...
 */
function findingLines(findings: Finding[], width: number, c: Colors): string[] | null {
  if (findings.length === 0) return null;
  const lines: string[] = [];
  for (const f of findings) {
    const paint = SEVERITY_PAINT[f.severity];
    const head = wrapText(`${f.severity.padEnd(8)} ${sanitize(f.code)}`, width);
    // Colour the severity word only, after wrapping (widths are measured on plain text).
    if (paint && head.length > 0) head[0] = paint(c)(f.severity) + head[0]!.slice(f.severity.length);
    lines.push(...head);
    for (const l of wrapText(sanitize(findingMessage(f)), Math.max(1, width - 2))) lines.push(`  ${l}`);
    if (f.remedy) {
      wrapText(sanitize(`remedy: ${f.remedy}`), Math.max(1, width - 4)).forEach((l, i) => lines.push(`${i === 0 ? '  ' : '    '}${l}`));
    }
  }
  return lines;
}

function captureGrid(captures: CaptureInfo[]): Grid | null {
  if (captures.length === 0) return null;
  return {
    columns: [
      { header: 'file' },
      { header: 'format' },
      { header: 'packets', align: 'right', nowrap: true },
      { header: 'interfaces' },
      { header: 'damage', prose: true },
    ],
    rows: captures.map((cap) => {
      const damage = captureDamageItems(cap);
      return [
        cap.file,
        captureFormatLabel(cap),
        formatCount(cap.packets),
        captureInterfacesLabel(cap),
        damage.length > 0 ? damage.join('; ') : 'none',
      ];
    }),
  };
}

// ---------------------------------------------------------------- layout

function gridLines(input: Grid | null, width: number, c: Colors): string[] | null {
  if (!input) return null;
  const grid: Grid = { columns: input.columns, rows: input.rows.map((r) => r.map((text) => clipCell(sanitize(text)))) };
  const { columns, rows } = grid;
  const widths = fitWidths(grid, width);
  if (widths) {
    return drawTable(
      columns.map((col) => col.header),
      rows,
      columns.map((col) => col.align ?? 'left'),
      widths,
      c,
      (_r, i) => columns[i]?.paint,
    );
  }
  // Too many columns for this terminal: each record as a small key/value table.
  const keyWidth = maxOf(columns.map((col) => col.header.length)) + PAD;
  // One width for every record, so the boxes line up.
  const valueNatural = maxOf(rows.map((row) => maxOf(row.map(longestLine)))) + PAD;
  const valueWidth = Math.max(LAST_RESORT_FLOOR + PAD, Math.min(valueNatural, width - 3 - keyWidth));
  const lines: string[] = [];
  for (const row of rows) {
    const pairs = columns.map((col, i) => [col.header, row[i] ?? '']);
    lines.push(
      ...drawTable(
        null,
        pairs,
        ['left', 'left'],
        [keyWidth, valueWidth],
        c,
        (r, i) => (i === 1 ? columns[r]?.paint : undefined),
        true,
      ),
    );
  }
  return lines;
}

/**
 * Column widths (cli-table3 colWidths, padding included) whose sum plus the
 * borders fits `width`; null when even squeezed text columns do not fit.
 *
 * Natural widths when they fit. Otherwise the widest column gives up room
 * one character at a time, in tiers: first down to its longest word (so
 * cells wrap only between words, and sentences keep a readable width); then,
 * from there, long words (file paths, MACs, subnets) are broken in the
 * widest columns; then anything but numbers is squeezed.
 */
function fitWidths(grid: Grid, width: number): number[] | null {
  const { columns, rows } = grid;
  const available = width - (columns.length + 1);
  const natural = columns.map((col, i) => maxOf([longestLine(col.header), ...rows.map((r) => longestLine(r[i] ?? ''))]) + PAD);
  if (sum(natural) <= available) return natural;
  const floor = (limit: (col: Column, i: number) => number): number[] =>
    columns.map((col, i) => (col.nowrap ? natural[i]! : Math.min(natural[i]!, limit(col, i))));
  const tiers = [
    floor((col, i) => {
      const word = maxOf([longestWord(col.header), ...rows.map((r) => longestWord(r[i] ?? ''))]) + PAD;
      return col.prose ? Math.max(word, PROSE_FLOOR) : word;
    }),
    floor((col) => Math.max(longestWord(col.header) + PAD, col.prose ? PROSE_FLOOR : TEXT_FLOOR)),
  ];
  const w = [...natural];
  for (const tier of tiers) {
    if (shrink(w, tier, available)) return w;
  }
  return null;
}

/** Narrows the widest column above its floor, one at a time, until the sum fits; in place. */
function shrink(w: number[], floor: number[], available: number): boolean {
  let total = sum(w);
  while (total > available) {
    let widest = -1;
    for (let i = 0; i < w.length; i++) {
      if (w[i]! > floor[i]! && (widest < 0 || w[i]! > w[widest]!)) widest = i;
    }
    if (widest < 0) return false;
    w[widest]!--;
    total--;
  }
  return true;
}

/** cli-table3 rows per table (see drawTable). */
const MAX_TABLE_ROWS = 200;
/**
 * Longest cell text shown. Names come from capture files (a pcapng if_name
 * may be 64 KiB; a capture may declare 100,000 interfaces), and drawing
 * costs time per line: the JSON report keeps the whole text.
 */
const MAX_CELL_CHARS = 4096;

function clipCell(text: string): string {
  if (text.length <= MAX_CELL_CHARS) return text;
  return `${text.slice(0, MAX_CELL_CHARS)}… (${formatCount(text.length - MAX_CELL_CHARS)} more characters)`;
}

function drawTable(
  head: string[] | null,
  rows: string[][],
  aligns: ('left' | 'right')[],
  widths: number[],
  c: Colors,
  paintFor: (row: number, col: number) => Column['paint'],
  compact = false,
): string[] {
  // cli-table3 truncates a cell's whole text (for a debug message) every time it draws one of
  // its lines, one character at a time: a cell of n characters on L lines costs L·n² width
  // measurements, so a long pcapng interface name (or a capture with thousands of interfaces)
  // never finished rendering (found by test/fuzz). Every line therefore goes in as a one-line
  // row of a compact table, and the separators between records are put back here: the same
  // output. Its layout is also quadratic in the rows of a table (100,000 rows: 96 s), so a
  // table holds at most MAX_TABLE_ROWS of them and the pieces are joined without a border.
  const tableFor = (withHead: boolean): InstanceType<typeof Table> =>
    new Table({
      ...(head && withHead ? { head: head.map((h, i) => c.bold(wrapText(h, widths[i]! - PAD).join('\n'))) } : {}),
      colWidths: widths,
      colAligns: aligns,
      wordWrap: true,
      wrapOnWordBoundary: true,
      // Colour comes only from picocolors, so `color: false` means no escapes at all.
      style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
    });
  if (rows.length === 0) return tableFor(true).toString().split('\n');
  const out: string[] = [];
  let bottom = '';
  rows.forEach((row, r) => {
    const cells = row.map((text, i) => wrapText(text, widths[i]! - PAD));
    const height = maxOf(cells.map((lines) => lines.length));
    for (let from = 0; from < height; from += MAX_TABLE_ROWS) {
      const withHead = r === 0 && from === 0;
      const table = tableFor(withHead);
      for (let k = from; k < Math.min(height, from + MAX_TABLE_ROWS); k++) {
        table.push(
          cells.map((lines, i) => {
            const line = lines[k] ?? '';
            const paint = paintFor(r, i);
            return paint && line !== '' ? paint(line, c) : line;
          }),
        );
      }
      const lines = table.toString().split('\n');
      if (withHead) out.push(lines[0]!);
      // A new record's box opens where the last one's closed: its top border becomes the separator
      // (none in compact style). A record's next piece continues its box.
      else if (from === 0 && !compact) out.push(lines[0]!.replace(/┌/g, '├').replace(/┬/g, '┼').replace(/┐/g, '┤'));
      for (let k = 1; k < lines.length - 1; k++) out.push(lines[k]!);
      bottom = lines[lines.length - 1]!;
    }
  });
  out.push(bottom);
  return out;
}

/**
 * Greedy word wrap to `max` columns; a word longer than a line is broken,
 * after a "/", ".", "-" etc. when one is near the end, so file paths and
 * addresses split where a reader expects.
 */
export function wrapText(text: string, max: number): string[] {
  const limit = Math.max(1, max);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter((w) => w !== '')) {
      let rest = word;
      if (line !== '' && textWidth(line) + 1 + textWidth(rest) <= limit) {
        line += ' ' + rest;
        continue;
      }
      if (line !== '') out.push(line);
      line = '';
      while (widerThan(rest, limit)) {
        const cut = breakPoint(rest, limit);
        out.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    out.push(line);
  }
  return out;
}

// Widths are terminal columns, not UTF-16 units: names from captures may be CJK (two columns
// each), emoji (two units) or combining marks (none), and lines of them ran past the width,
// emoji were cut in half (found by test/fuzz).
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u;

function charWidth(ch: string): number {
  return ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
}

function textWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let n = 0;
  for (const ch of s) n += charWidth(ch);
  return n;
}

/**
 * textWidth(s) > limit, reading no further into `s` than it takes to tell.
 * A word is broken a line at a time: measuring the whole rest of a 64 KiB
 * interface name for every line took seconds (found by `npm run fuzz`).
 */
function widerThan(s: string, limit: number): boolean {
  let n = 0;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    n += c >= 0x20 && c <= 0x7e ? 1 : charWidth(ch);
    if (n > limit) return true;
  }
  return false;
}

/**
 * Code units of the longest prefix of `word` that fits `limit` columns (at
 * least one character). Reads `word` only up to the cut (see widerThan):
 * when its first limit + 1 characters are printable ASCII, the cut is at
 * `limit` (a zero-width mark after them would have been kept on the line).
 */
function fitIndex(word: string, limit: number): number {
  if (PRINTABLE_ASCII.test(word.length > limit + 1 ? word.slice(0, limit + 1) : word)) return Math.min(word.length, limit);
  let width = 0;
  let i = 0;
  for (const ch of word) {
    const w = charWidth(ch);
    if (i > 0 && width + w > limit) break;
    width += w;
    i += ch.length;
  }
  return i;
}

function breakPoint(word: string, limit: number): number {
  const end = fitIndex(word, limit);
  for (let i = end; i > end / 2; i--) {
    if (BREAK_AFTER.includes(word[i - 1]!)) return i;
  }
  return end;
}

function longestLine(s: string): number {
  return maxOf(s.split('\n').map((l) => l.length));
}

function longestWord(s: string): number {
  return maxOf(s.split(/\s+/).map((w) => w.length));
}

function maxOf(xs: number[]): number {
  let m = 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
