import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA, type Mode, type Report } from '../../src/analysis/report.js';
import {
  formatBytes,
  formatCount,
  formatPercent,
  modeLabel,
  nodePairLabel,
  podPairsLabel,
  sanitize,
} from '../../src/render/format.js';
import { renderJson } from '../../src/render/json.js';
import { escapeCell, renderMarkdown } from '../../src/render/markdown.js';
import { renderTable, wrapText } from '../../src/render/table.js';
import { VERDICTS, sampleReport } from './fixture.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const stripAnsi = (s: string): string => s.replace(ANSI, '');
/** Terminal columns of a line: code points once colour codes are gone (all our glyphs are single-width). */
const columns = (line: string): number => [...stripAnsi(line)].length;
const squash = (s: string): string => s.replace(/\s+/g, '');

/** The lines of one section of the table output, heading excluded. */
function sectionLines(out: string, heading: string): string[] {
  const blocks = stripAnsi(out).split('\n\n');
  const block = blocks.find((b) => b.split('\n')[0] === heading);
  if (!block) throw new Error(`no section ${heading}`);
  return block.split('\n').slice(1);
}

/**
 * Reads a cli-table3 box back into rows of cells, each cell's wrapped lines
 * joined with a space, so assertions do not depend on where text wrapped.
 */
function tableRows(lines: string[]): string[][] {
  const rows: string[][] = [];
  let current: string[][] | null = null;
  for (const line of lines) {
    if (!line.startsWith('│')) {
      if (current) rows.push(current.map((parts) => parts.join(' ').replace(/\s+/g, ' ').trim()));
      current = null;
      continue;
    }
    const cells = line.slice(1, -1).split('│');
    current ??= cells.map(() => []);
    cells.forEach((cell, i) => {
      const t = cell.trim();
      if (t) current![i]!.push(t);
    });
  }
  return rows;
}

/** Reads the compact key/value boxes of the narrow layout back into [key, value] pairs. */
function recordRows(lines: string[]): string[][] {
  const rows: string[][] = [];
  for (const line of lines) {
    if (!line.startsWith('│')) continue;
    const [key = '', value = ''] = line.slice(1, -1).split('│').map((c) => c.trim());
    const last = rows[rows.length - 1];
    if (key === '' && last) last[1] = `${last[1]} ${value}`.trim();
    else rows.push([key, value]);
  }
  return rows;
}

/** Every cell of every table in the output, whitespace removed. */
function allCells(out: string): string[] {
  return tableRows(stripAnsi(out).split('\n')).flat().map(squash);
}

function findRow(rows: string[][], first: string): string[] {
  const row = rows.find((r) => r[0] === first);
  if (!row) throw new Error(`no row starting ${first} in ${JSON.stringify(rows)}`);
  return row;
}

function longReport(): Report {
  const r = sampleReport();
  const long = 'worker-node-in-the-eu-west-availability-zone-b.cluster.internal';
  const p1 = r.paths[0]!;
  p1.srcNode = long;
  p1.dstNode = `${long}-2`;
  p1.interface = 'enp0s31f6-with-an-unusually-long-interface-name';
  r.nodes[0]!.name = long;
  r.nodes[0]!.podBlocks = Array.from({ length: 12 }, (_, i) => `10.244.${i}.0/26`);
  r.captures[0]!.file = `/var/tmp/captures/${'very-long-directory-name/'.repeat(6)}node-a-2024-05-01T12:00:00Z.pcapng`;
  r.findings[0]!.code = 'pod.unencapsulated_egress_with_a_very_long_code_name_indeed';
  r.findings[0]!.message = 'A message '.repeat(40);
  r.verdicts.push(`Traffic crossed ${'a-very-long-unbroken-token-'.repeat(8)}end.`);
  return r;
}

describe('renderTable', () => {
  const report = sampleReport();
  const out = renderTable(report, { color: false });

  it('puts the verdicts first, then paths, nodes, findings, captures', () => {
    expect(out.split('\n')[0]).toBe('Verdicts');
    const headings = out.split('\n\n').map((b) => b.split('\n')[0]);
    expect(headings).toEqual(['Verdicts', 'Paths', 'Nodes', 'Findings', 'Captures']);
    expect(out.endsWith('\n')).toBe(true);
  });

  it('prints every verdict sentence', () => {
    const verdictText = sectionLines(out, 'Verdicts')
      .map((l) => l.replace(/^[•\s]+/, ''))
      .join(' ');
    for (const v of VERDICTS) expect(verdictText).toContain(v);
    const wide = renderTable(report, { color: false, width: 200 });
    for (const v of VERDICTS) expect(wide).toContain(`• ${v}\n`);
  });

  it('shows each path with mode, NIC, node pair, counts with separators', () => {
    const rows = tableRows(sectionLines(out, 'Paths'));
    expect(rows[0]).toEqual(['id', 'mode', 'NIC (subnet)', 'nodes', 'packets', 'bytes', 'overhead', 'pod pairs']);
    const p1 = findRow(rows, 'p1');
    expect(p1[1]).toBe('VXLAN VNI 4096 UDP 4789');
    expect(squash(p1[2]!)).toBe(squash('eth1 (172.16.10.0/24)'));
    expect(squash(p1[3]!)).toBe(squash('node-a 172.16.10.11 → node-b 172.16.10.12'));
    expect(p1[4]).toBe('1,204,311');
    expect(p1[5]).toBe('912.3 MB');
    expect(p1[6]).toBe('6.6%');
    expect(squash(p1[7]!)).toBe(squash('3, top 10.244.1.10 → 10.244.2.75'));

    const p2 = findRow(rows, 'p2');
    expect(p2[1]).toBe('no encap');
    expect(p2[2]).toBe('eth0');
    expect(squash(p2[3]!)).toBe(squash('52:54:00:aa:00:01 → 52:54:00:0f:ff:01'));
    expect(p2[4]).toBe('1,204');

    const p3 = findRow(rows, 'p3');
    expect(p3[1]).toBe('IPIP');
    expect(p3[2]).toBe('unknown (10.0.0.0/24)');
    expect(p3[3]).toBe('node-c 10.0.0.13 → 10.0.0.11');
    expect(p3[5]).toBe('960 B');
    expect(p3[6]).toBe('25.0%');
    expect(p3[7]).toBe('-');
  });

  it('keeps whole cells on one line when the terminal is wide', () => {
    const wide = renderTable(report, { color: false, width: 200 });
    for (const text of [
      'node-a 172.16.10.11 → node-b 172.16.10.12',
      'eth1 (172.16.10.0/24)',
      '3, top 10.244.1.10 → 10.244.2.75',
      '1,204,311',
      '1,234,567',
    ]) {
      expect(wide).toContain(` ${text} `);
    }
  });

  it('lists nodes, findings and captures', () => {
    const nodes = tableRows(sectionLines(out, 'Nodes'));
    expect(nodes[0]).toEqual(['node', 'name', 'interfaces', 'pod blocks', 'tunnel addresses']);
    expect(findRow(nodes, '172.16.10.11')).toEqual(['172.16.10.11', 'node-a', 'eth1 (also eth0)', '10.244.1.0/26, 10.244.1.64/26', '10.244.1.1']);
    expect(findRow(nodes, '10.0.0.13')).toEqual(['10.0.0.13', 'unknown', '-', '-', '10.244.3.0']);

    // Findings are a list: severity and code, then the message and the remedy, indented.
    const findings = sectionLines(out, 'Findings');
    expect(findings.filter((l) => /^(error|warning|info)\s/.test(l)).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['error', 'pod.unencapsulated_egress'],
      ['warning', 'vxlan.mtu_exceeded'],
      ['info', 'capture.truncated'],
    ]);
    const text = findings.join(' ').replace(/\s+/g, ' ');
    expect(text).toContain('(paths: p2)');
    expect(text).toContain('remedy: Check the IPPool natOutgoing');
    expect(text).toContain('use CrossSubnet only when nodes share an L2 segment.');

    const captures = tableRows(sectionLines(out, 'Captures'));
    expect(captures[0]).toEqual(['file', 'format', 'packets', 'interfaces', 'damage']);
    const damaged = captures.find((r) => squash(r[0]!) === 'samples/broken/node-b.pcap.gz')!;
    expect(damaged[1]).toBe('pcap (gzip)');
    expect(damaged[2]).toBe('5,021');
    expect(damaged[4]).toContain('pcap.truncated_record at offset 3,400,100 (packet 5,022)');
    // 17 of its 20 packets captured short end inside a header; the other 3 lost only payload (not damage).
    expect(damaged[4]!.replace(/\s+/g, ' ')).toContain('17 packets cut inside a header');
    expect(damaged[4]).not.toMatch(/\b20\b/);
    expect(damaged[4]).toContain('2 malformed packets');
    const ok = captures.find((r) => squash(r[0]!) === 'samples/vxlan-eth1/node-a.pcapng')!;
    expect(ok[3]).toBe('eth1 (Ethernet), #1 (Linux cooked v2)');
    expect(ok[4]).toBe('none');
    expect(out).toContain('Totals: 1,239,588 packets read');
  });

  it.each([100, 80, 60, 40])('never prints a line wider than %i columns', (width) => {
    for (const r of [report, longReport()]) {
      for (const color of [false, true]) {
        const text = renderTable(r, { color, width });
        const widest = Math.max(...text.split('\n').map(columns));
        expect(widest, text).toBeLessThanOrEqual(width);
      }
    }
  });

  it('is 100 columns wide by default', () => {
    const text = renderTable(longReport(), { color: false });
    expect(Math.max(...text.split('\n').map(columns))).toBeLessThanOrEqual(100);
  });

  it('loses no text when it wraps long names', () => {
    const r = longReport();
    for (const width of [100, 80, 60]) {
      const out = renderTable(r, { color: false, width });
      const cells = allCells(out).join('¦');
      expect(cells).toContain(squash(r.captures[0]!.file));
      expect(cells).toContain(squash(r.paths[0]!.srcNode!));
      expect(cells).toContain(squash(r.paths[0]!.interface!));
      const findings = squash(sectionLines(out, 'Findings').join(''));
      expect(findings).toContain(squash(r.findings[0]!.code));
      expect(findings).toContain(squash(r.findings[0]!.message));
      expect(squash(sectionLines(out, 'Verdicts').join(''))).toContain(squash(r.verdicts[3]!));
      expect(out).not.toContain('…');
    }
  });

  it('falls back to one box per record when the columns cannot fit', () => {
    const text = renderTable(report, { color: false, width: 60 });
    const paths = sectionLines(text, 'Paths');
    const rows = recordRows(paths);
    expect(rows).toContainEqual(['id', 'p1']);
    expect(rows).toContainEqual(['mode', 'VXLAN VNI 4096 UDP 4789']);
    expect(rows).toContainEqual(['nodes', 'node-a 172.16.10.11 → node-b 172.16.10.12']);
    expect(rows).toContainEqual(['packets', '1,204,311']);
  });

  it('writes no escape codes without colour, and only colour with it', () => {
    expect(out).not.toContain('\u001b');
    const coloured = renderTable(report, { color: true });
    expect(coloured).toMatch(ANSI);
    expect(stripAnsi(coloured)).toBe(out);
    // The error severity is red (31), the warning yellow (33).
    expect(coloured).toMatch(/\u001b\[31merror\u001b\[39m/);
    expect(coloured).toMatch(/\u001b\[33mwarning\u001b\[39m/);
  });

  it('shows missing values as "-" or "unknown", never null or undefined', () => {
    for (const r of [report, longReport(), emptyReport()]) {
      for (const text of [renderTable(r, { color: false }), renderMarkdown(r)]) {
        expect(text).not.toMatch(/\bnull\b|\bundefined\b|\bNaN\b|\[object/);
      }
    }
  });

  it('says so when a section is empty', () => {
    const text = renderTable(emptyReport(), { color: false });
    expect(text).toBe(
      [
        'Verdicts',
        'No verdicts.',
        '',
        'Paths',
        'No pod traffic paths found.',
        '',
        'Nodes',
        'No nodes identified.',
        '',
        'Findings',
        'No findings.',
        '',
        'Captures',
        'No captures read.',
        '',
      ].join('\n'),
    );
  });

  it('does not let names from a capture drive the terminal', () => {
    const r = sampleReport();
    r.captures[0]!.interfaces[0]!.name = 'eth1\u001b[2J\u001b]0;pwned\u0007';
    r.nodes[0]!.name = 'node-a\r\u009b31m';
    const text = renderTable(r, { color: false, width: 200 });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('eth1\\x1b[2J\\x1b]0;pwned\\x07');
    expect(renderMarkdown(r)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('renderMarkdown', () => {
  const report = sampleReport();
  const md = renderMarkdown(report);
  const lines = md.split('\n');

  it('has the sections in order, verdicts first', () => {
    const headings = lines.filter((l) => l.startsWith('## '));
    expect(headings).toEqual(['## Verdicts', '## Paths', '## Nodes', '## Findings', '## Captures']);
    expect(lines[0]).toBe('## Verdicts');
    for (const v of VERDICTS) expect(md).toContain(`- ${v}\n`);
  });

  it('writes GitHub tables whose rows all have the header’s column count', () => {
    const tableLines = lines.filter((l) => l.startsWith('|'));
    expect(tableLines.length).toBeGreaterThan(10);
    let expected = 0;
    for (const l of tableLines) {
      // Unescaped pipes separate cells.
      const cells = l.replace(/\\\|/g, '').split('|').length - 2;
      if (lines[lines.indexOf(l) - 1] === '') expected = cells;
      expect(cells, l).toBe(expected);
    }
    expect(md).toContain('| id | mode | NIC (subnet) | nodes | VNI/port | packets | bytes | overhead | pod pairs |');
    expect(md).toContain('| --- | --- | --- | --- | --- | ---: | ---: | ---: | --- |');
    expect(md).toContain(
      '| p1 | VXLAN | eth1 (172.16.10.0/24) | node-a 172.16.10.11 → node-b 172.16.10.12 | VNI 4096, UDP 4789 | 1,204,311 | 912.3 MB | 6.6% | 3, top 10.244.1.10 → 10.244.2.75 |',
    );
    expect(md).toContain('| p2 | no encap | eth0 | 52:54:00:aa:00:01 → 52:54:00:0f:ff:01 | - | 1,204 |');
  });

  it('escapes pipes and keeps multi-line cells on one table row', () => {
    expect(md).toContain('inner MTU should be 1450 \\| check veth MTU.');
    expect(md).toContain('812 remain<br>17 packets cut inside a header<br>2 malformed packets');
    expect(escapeCell('a|b\\c <x>\nd')).toBe('a\\|b\\\\c &lt;x&gt;<br>d');
  });

  it('says so when a section is empty', () => {
    const empty = renderMarkdown(emptyReport());
    expect(empty).toContain('## Paths\n\nNo pod traffic paths found.');
    expect(empty).toContain('## Findings\n\nNo findings.');
  });
});

describe('renderJson', () => {
  it('round-trips to the same report, keys in report order', () => {
    const report = sampleReport();
    const json = renderJson(report);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(report);
    expect(Object.keys(JSON.parse(json))).toEqual(Object.keys(report));
    expect(json.split('\n')[1]).toBe(`  "schema": "${REPORT_SCHEMA}",`);
  });
});

describe('format helpers', () => {
  it('labels every mode', () => {
    const labels: Record<Mode, string> = {
      none: 'no encap',
      ipip: 'IPIP',
      ip6ip: 'IPv6-in-IPv4',
      vxlan: 'VXLAN',
      geneve: 'Geneve',
      gre: 'GRE',
      wireguard: 'WireGuard',
    };
    for (const [mode, label] of Object.entries(labels)) expect(modeLabel(mode as Mode)).toBe(label);
  });

  it('groups thousands whatever the locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1_234_567_890)).toBe('1,234,567,890');
    expect(formatCount(Number.NaN)).toBe('-');
    expect(formatCount(-1234)).toBe('-1,234');
    expect(formatCount(1234.6)).toBe('1,235');
  });

  it('groups every safe integer as en-US Intl.NumberFormat does (fast-check)', () => {
    const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer({ min: 0, max: 10_000_000 })), (n) => {
        expect(formatCount(n)).toBe(intl.format(n === 0 ? 0 : n));
      }),
      { numRuns: 5000 },
    );
  });

  it('prints byte sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 KB');
    expect(formatBytes(12_345)).toBe('12.3 KB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(912_345_678)).toBe('912.3 MB');
    expect(formatBytes(3_000_000_000_000)).toBe('3.0 TB');
  });

  it('prints percentages, "-" when there is nothing to divide', () => {
    expect(formatPercent(50, 1000)).toBe('5.0%');
    expect(formatPercent(1, 3, 2)).toBe('33.33%');
    expect(formatPercent(0, 0)).toBe('-');
  });

  it('names the nodes of a path as well as it can', () => {
    const [p1, p2, p3] = sampleReport().paths;
    expect(nodePairLabel(p1!)).toBe('node-a 172.16.10.11 → node-b 172.16.10.12');
    expect(nodePairLabel(p2!)).toBe('52:54:00:aa:00:01 → 52:54:00:0f:ff:01');
    expect(nodePairLabel(p3!)).toBe('node-c 10.0.0.13 → 10.0.0.11');
    expect(nodePairLabel({ ...p2!, srcMac: null, dstMac: null })).toBe('unknown → unknown');
    expect(podPairsLabel({ ...p1!, podPairsCapped: true, podPairCount: 1000 })).toBe('1,000+, top 10.244.1.10 → 10.244.2.75');
  });

  it('wraps text between words and breaks only words too long for a line', () => {
    expect(wrapText('node-a 172.16.10.11 → node-b 172.16.10.12', 20)).toEqual(['node-a 172.16.10.11', '→ node-b', '172.16.10.12']);
    expect(wrapText('samples/vxlan-eth1/node-a.pcapng', 20)).toEqual(['samples/vxlan-eth1/', 'node-a.pcapng']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('a\nb', 10)).toEqual(['a', 'b']);
    expect(wrapText('', 10)).toEqual(['']);
  });

  it('wraps as measuring every word whole would: wide characters, marks, long words (read a line at a time now)', () => {
    // The straightforward version: the width of the whole rest of a word for each line cut from it
    // (quadratic on a 64 KiB interface name, fuzz-regressions/wide-long-ifname.pcapng).
    const ZERO = /[\p{Mn}\p{Me}\p{Cf}]/u;
    const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u;
    const width = (t: string): number => [...t].reduce((n, ch) => n + (ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1), 0);
    const fit = (word: string, limit: number): number => {
      let w = 0;
      let i = 0;
      for (const ch of word) {
        const cw = width(ch);
        if (i > 0 && w + cw > limit) break;
        w += cw;
        i += ch.length;
      }
      return i;
    };
    const oracle = (text: string, max: number): string[] => {
      const limit = Math.max(1, max);
      const out: string[] = [];
      for (const para of text.split('\n')) {
        let line = '';
        for (const word of para.split(/\s+/).filter((x) => x !== '')) {
          let rest = word;
          if (line !== '' && width(line) + 1 + width(rest) <= limit) {
            line += ' ' + rest;
            continue;
          }
          if (line !== '') out.push(line);
          line = '';
          while (width(rest) > limit) {
            const end = fit(rest, limit);
            let cut = end;
            for (let i = end; i > end / 2; i--) {
              if ('/.-_:,='.includes(rest[i - 1]!)) {
                cut = i;
                break;
              }
            }
            out.push(rest.slice(0, cut));
            rest = rest.slice(cut);
          }
          line = rest;
        }
        out.push(line);
      }
      return out;
    };
    const unit = fc.constantFrom('a', 'b', 'Z', '0', ' ', ' ', '/', '.', '-', '\n', '日', 'ｱ', '😀', '\u0301', '\u200b', 'é');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 200 }), fc.integer({ min: 0, max: 30 }), (text, max) => {
        expect(wrapText(text, max)).toEqual(oracle(text, max));
      }),
      { numRuns: 3000 },
    );
  });

  it('makes control characters visible', () => {
    expect(sanitize('a\u001b[31mb\tc\r\nd')).toBe('a\\x1b[31mb c\nd');
  });
});

function emptyReport(): Report {
  return {
    schema: REPORT_SCHEMA,
    generatedBy: 'podpath 0.1.0',
    captures: [],
    paths: [],
    nodes: [],
    findings: [],
    verdicts: [],
    options: { blockSize: 26, vxlanPorts: [4789], podCidrs: [] },
    totals: { packets: 0, podPackets: 0, duplicatePodPackets: 0, nodeTrafficPackets: 0, otherPackets: 0, overflowPackets: 0 },
  };
}
