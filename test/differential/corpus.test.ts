/**
 * Differential test: podpath against TShark 4.0.17's reading of the public
 * capture corpus (test/fixtures/captures, oracles in expected/, caveats in
 * MANIFEST.md). One describe per capture; its one test compares every frame,
 * column by column, and lists every difference that differences.ts does not
 * justify.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareTable, runPodpath, type Justification, type OracleKind } from './compare.js';
import { JUSTIFIED, NON_PACKET_FRAMES } from './differences.js';
import { COMPARED_COLUMNS } from './fields.js';
import { listCaptures, listOracleSets, readTsv, type OracleSet, type OracleTable } from './oracle.js';

const SETS = listOracleSets();

/** The decode-as oracle was made with `-d udp.port==8472,vxlan`: podpath's equivalent. */
const DECODE_AS_VXLAN = { vxlanPorts: [4789, 8472] };

async function differences(set: OracleSet): Promise<string[]> {
  const file = `${set.kind}/${set.file}`;
  const out: string[] = [];
  const used = new Set<number>();
  const layers = set.layers ? readTsv(set.layers) : null;
  const note = (c: { mismatches: string[]; used: Set<number> }): void => {
    out.push(...c.mismatches);
    c.used.forEach((u) => used.add(u));
  };

  const run = await runPodpath(set.capture);
  if (run.error) out.push(`${file}: podpath read error: ${run.error}`);
  // TShark's protocol hierarchy (info/*.phs.txt) finds malformed data in this corpus only above
  // the layers podpath decodes (BGP, NTP) and in the BIG TCP IPv6 frame, which is valid kernel output.
  out.push(...run.malformed.map((m) => `${file}: podpath calls a packet of a well-formed capture malformed: ${m}`));
  // TShark reassembles fragments by default; where the capture has any, the per-frame view is .nodefrag.tsv (MANIFEST caveat 2).
  const tables: [OracleKind, OracleTable][] = [set.nodefrag ? ['nodefrag', readTsv(set.nodefrag)] : ['tsv', readTsv(set.tsv)]];
  if (layers) tables.push(['layers', layers]);
  for (const [kind, table] of tables) note(compareTable(file, kind, run, table, JUSTIFIED, NON_PACKET_FRAMES[file], layers));

  if (set.decodeAsVxlan) {
    const asVxlan = await runPodpath(set.capture, DECODE_AS_VXLAN);
    note(compareTable(file, 'decode-as-vxlan', asVxlan, readTsv(set.decodeAsVxlan), JUSTIFIED, NON_PACKET_FRAMES[file], layers));
  }

  JUSTIFIED.forEach((j, i) => {
    if (j.file === file && !used.has(i)) out.push(`${file}: justification no longer needed (${j.columns.join(', ')}): ${j.reason}`);
  });
  return out;
}

describe('differential corpus coverage', () => {
  it('has an oracle for every capture outside malformed/, and a capture for every oracle', () => {
    const withOracle = new Set(SETS.map((s) => `${s.kind}/${s.file}`));
    const captures = listCaptures().filter((c) => !c.startsWith('malformed/'));
    expect(captures.filter((c) => !withOracle.has(c)), 'captures without an expected/ oracle').toEqual([]);
    expect(SETS.filter((s) => !existsSync(s.capture)).map((s) => s.capture), 'oracles without a capture').toEqual([]);
    expect(SETS.filter((s) => !existsSync(s.tsv)).map((s) => s.tsv), 'captures without the main .tsv').toEqual([]);
    expect(SETS.filter((s) => !s.layers).map((s) => s.capture), 'captures without .layers.tsv').toEqual([]);
    // Every oracle gets a describe below; a shrinking corpus is as suspicious as a silently skipped file.
    expect(SETS.length).toBeGreaterThanOrEqual(107);
  });

  it('justifies only captures, frames and columns that exist', () => {
    const known = new Set(SETS.map((s) => `${s.kind}/${s.file}`));
    const bad = (j: Justification): string[] => [
      ...(known.has(j.file) ? [] : [`unknown file ${j.file}`]),
      ...j.columns.filter((c) => !COMPARED_COLUMNS.includes(c)).map((c) => `${j.file}: column ${c} is not compared`),
      ...(j.reason.trim() ? [] : [`${j.file}: no reason`]),
    ];
    expect(JUSTIFIED.flatMap(bad)).toEqual([]);
    expect(Object.keys(NON_PACKET_FRAMES).filter((f) => !known.has(f))).toEqual([]);
  });
});

for (const set of SETS) {
  describe(`${set.kind}/${set.file}`, () => {
    it('reads every frame as TShark does', async () => {
      const diffs = await differences(set);
      expect(diffs, `${diffs.length} unjustified difference(s) from TShark:\n${diffs.join('\n')}`).toEqual([]);
    });
  });
}
