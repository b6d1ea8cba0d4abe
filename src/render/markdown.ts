/**
 * `--format markdown`: the table report as GitHub-flavoured markdown, for
 * pasting into an issue. Same sections, same cell text as the terminal table.
 */
import type { Report } from '../analysis/report.js';
import {
  EMPTY,
  SECTION,
  captureDamageItems,
  captureFormatLabel,
  captureInterfacesLabel,
  findingMessage,
  formatBytes,
  formatCount,
  hasVniOrPort,
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
  vniPortLabel,
  nodeInterfacesLabel,
} from './format.js';

interface MdColumn {
  header: string;
  align?: 'left' | 'right';
}

/** Backslashes and pipes escaped (so a cell cannot end the column), angle brackets as entities (so text cannot become HTML). */
function escapeInline(text: string): string {
  return sanitize(text)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Table cell text: newlines become <br>, which GitHub renders inside tables. */
export function escapeCell(text: string): string {
  return escapeInline(text).replace(/\n/g, '<br>');
}

/** Text outside tables: newlines folded to spaces. */
export function escapeText(text: string): string {
  return escapeInline(text).replace(/\n/g, ' ');
}

function mdTable(columns: MdColumn[], rows: string[][]): string[] {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [
    line(columns.map((c) => escapeCell(c.header))),
    line(columns.map((c) => (c.align === 'right' ? '---:' : '---'))),
    ...rows.map((r) => line(r.map((cell) => escapeCell(cell)))),
  ];
}

function section(title: string, body: string[] | null, empty: string): string {
  return [`## ${title}`, '', ...(body && body.length > 0 ? body : [escapeText(empty)])].join('\n');
}

export function renderMarkdown(report: Report): string {
  const { paths, nodes, findings, captures } = report;

  const verdicts = report.verdicts.length > 0 ? report.verdicts.map((v) => `- ${escapeText(v)}`) : null;

  let pathTable: string[] | null = null;
  if (paths.length > 0) {
    const vni = paths.some(hasVniOrPort);
    pathTable = mdTable(
      [
        { header: 'id' },
        { header: 'mode' },
        { header: 'NIC (subnet)' },
        { header: 'nodes' },
        ...(vni ? [{ header: 'VNI/port' }] : []),
        { header: 'packets', align: 'right' },
        { header: 'bytes', align: 'right' },
        { header: 'overhead', align: 'right' },
        { header: 'pod pairs' },
      ],
      paths.map((p) => [
        p.id,
        modeLabel(p.mode),
        nicLabel(p),
        nodePairLabel(p),
        ...(vni ? [vniPortLabel(p)] : []),
        formatCount(p.packets),
        formatBytes(p.bytes),
        overheadLabel(p),
        podPairsLabel(p),
      ]),
    );
  }

  const nodeTable =
    nodes.length > 0
      ? mdTable(
          [{ header: 'node' }, { header: 'name' }, { header: 'interfaces' }, { header: 'pod blocks' }, { header: 'tunnel addresses' }],
          nodes.map((n) => [
            n.ip,
            nodeNameLabel(n),
            nodeInterfacesLabel(n),
            shortListLabel(n.podBlocks),
            shortListLabel(n.tunnelAddresses),
          ]),
        )
      : null;

  let findingTable: string[] | null = null;
  if (findings.length > 0) {
    const remedy = findings.some((f) => f.remedy !== undefined && f.remedy !== '');
    findingTable = mdTable(
      [{ header: 'severity' }, { header: 'code' }, { header: 'message' }, ...(remedy ? [{ header: 'remedy' }] : [])],
      findings.map((f) => [f.severity, f.code, findingMessage(f), ...(remedy ? [f.remedy || '-'] : [])]),
    );
  }

  const captureTable =
    captures.length > 0
      ? [
          ...mdTable(
            [
              { header: 'file' },
              { header: 'format' },
              { header: 'packets', align: 'right' },
              { header: 'interfaces' },
              { header: 'damage' },
            ],
            captures.map((c) => {
              const damage = captureDamageItems(c);
              return [
                c.file,
                captureFormatLabel(c),
                formatCount(c.packets),
                captureInterfacesLabel(c),
                damage.length > 0 ? damage.join('\n') : 'none',
              ];
            }),
          ),
          '',
          escapeText(totalsLine(report.totals)),
        ]
      : null;

  const sections = [
    section(SECTION.verdicts, verdicts, EMPTY.verdicts),
    section(SECTION.paths, pathTable, EMPTY.paths),
    section(SECTION.nodes, nodeTable, EMPTY.nodes),
    section(SECTION.findings, findingTable, EMPTY.findings),
    section(SECTION.captures, captureTable, EMPTY.captures),
  ];
  const footer = `<sub>${escapeText(`${report.generatedBy || 'podpath'}, ${report.schema}`)}</sub>`;
  return [...sections, footer].join('\n\n') + '\n';
}
