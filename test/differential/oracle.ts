/**
 * TShark's reading of the public capture corpus, as stored next to the
 * captures (see test/fixtures/captures/MANIFEST.md for how each file was made):
 *
 *   expected/<kind>/<file>.tsv                    tshark -T fields (addresses, ports, VNIs, MACs, VLANs)
 *   expected/<kind>/<file>.layers.tsv             layer chain, IP header fields, ICMP MTU, SLL fields
 *   expected/<kind>/<file>.nodefrag.tsv           as .tsv, without IP reassembly (captures with fragments)
 *   expected/vxlan/vxlan_port_8472.pcap.decode-as-vxlan.tsv   as .tsv, with -d udp.port==8472,vxlan
 *
 * Values that occur more than once in a frame are comma-separated, outermost
 * first; an absent field is the empty string.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CAPTURES = 'test/fixtures/captures';
export const EXPECTED = join(CAPTURES, 'expected');

export interface OracleTable {
  /** Column names from the header line, `frame.number` first. */
  columns: string[];
  /** Rows by frame.number (TShark's numbering). */
  rows: Map<number, Map<string, string>>;
  /** Frame numbers in file order. */
  frames: number[];
}

/** Parse one `-T fields -E header=y -E separator=/t` dump. Throws on a malformed oracle, never on a capture. */
export function parseTsv(text: string, source = ''): OracleTable {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const header = lines.shift();
  if (header === undefined) throw new Error(`${source}: empty oracle`);
  const columns = header.split('\t');
  if (columns[0] !== 'frame.number') throw new Error(`${source}: first column is ${columns[0]}, not frame.number`);
  const rows = new Map<number, Map<string, string>>();
  const frames: number[] = [];
  lines.forEach((line, i) => {
    const cells = line.split('\t');
    if (cells.length !== columns.length) {
      throw new Error(`${source}:${i + 2}: ${cells.length} cells for ${columns.length} columns`);
    }
    const frame = Number(cells[0]);
    if (!Number.isInteger(frame) || frame < 1 || rows.has(frame)) throw new Error(`${source}:${i + 2}: bad frame.number ${cells[0]}`);
    const row = new Map<string, string>();
    columns.forEach((c, j) => row.set(c, cells[j]!));
    rows.set(frame, row);
    frames.push(frame);
  });
  return { columns, rows, frames };
}

export function readTsv(path: string): OracleTable {
  return parseTsv(readFileSync(path, 'utf8'), path);
}

/** A capture and the oracle files that exist for it (paths relative to the repo root). */
export interface OracleSet {
  kind: string;
  file: string;
  /** test/fixtures/captures/<kind>/<file> */
  capture: string;
  tsv: string;
  layers: string | null;
  nodefrag: string | null;
  decodeAsVxlan: string | null;
}

const SUFFIXES = ['.layers.tsv', '.nodefrag.tsv', '.decode-as-vxlan.tsv', '.tsv'];

/** The capture an oracle file belongs to: "x.pcap.layers.tsv" → "x.pcap". */
export function captureOfOracle(oracleName: string): string {
  for (const s of SUFFIXES) if (oracleName.endsWith(s)) return oracleName.slice(0, -s.length);
  throw new Error(`not an oracle file name: ${oracleName}`);
}

/** Every capture named by any file under expected/, with its oracles. */
export function listOracleSets(): OracleSet[] {
  const sets: OracleSet[] = [];
  for (const kind of readdirSync(EXPECTED).sort()) {
    const names = readdirSync(join(EXPECTED, kind)).filter((n) => n.endsWith('.tsv'));
    const files = [...new Set(names.map(captureOfOracle))].sort();
    for (const file of files) {
      const at = (suffix: string): string | null => {
        const p = join(EXPECTED, kind, file + suffix);
        return existsSync(p) ? p : null;
      };
      sets.push({
        kind,
        file,
        capture: join(CAPTURES, kind, file),
        tsv: join(EXPECTED, kind, file + '.tsv'),
        layers: at('.layers.tsv'),
        nodefrag: at('.nodefrag.tsv'),
        decodeAsVxlan: at('.decode-as-vxlan.tsv'),
      });
    }
  }
  return sets;
}

/** Capture files on disk, "<kind>/<file>", for every kind directory except expected/. */
export function listCaptures(): string[] {
  const out: string[] = [];
  for (const kind of readdirSync(CAPTURES, { withFileTypes: true })) {
    if (!kind.isDirectory() || kind.name === 'expected') continue;
    for (const f of readdirSync(join(CAPTURES, kind.name), { withFileTypes: true })) {
      if (f.isFile()) out.push(`${kind.name}/${f.name}`);
    }
  }
  return out.sort();
}

/** Split a comma-separated multi-occurrence cell; '' is no occurrence. */
export function values(cell: string | undefined): string[] {
  return cell === undefined || cell === '' ? [] : cell.split(',');
}
