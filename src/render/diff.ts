/** Text and JSON for `podpath diff`. */
import pc from 'picocolors';
import type { DiffResult, PathDiff, PathSummary } from '../analysis/diff.js';
import { formatBytes, formatCount, modeLabel, sanitize } from './format.js';

function how(s: PathSummary): string {
  const vni = s.vnis.length > 0 ? ` VNI ${s.vnis.join(', ')}` : '';
  return `${s.modes.map(modeLabel).join(' + ')}${vni} over ${s.interfaces.join(', ')}${s.subnets.length ? ` (${s.subnets.join(', ')})` : ''}, ${s.outer.join('; ')}`;
}

function numbers(b: PathSummary | null, a: PathSummary | null): string[] {
  const out: string[] = [];
  const pair = (label: string, f: (s: PathSummary) => string): void => {
    const x = b ? f(b) : '-';
    const y = a ? f(a) : '-';
    out.push(x === y ? `${label} ${x}` : `${label} ${x} → ${y}`);
  };
  pair('packets', (s) => formatCount(s.packets));
  pair('bytes', (s) => formatBytes(s.bytes));
  pair('overhead', (s) => `${s.overheadPercent.toFixed(1)}%`);
  pair('largest outer/inner', (s) => `${s.maxOuterLength}/${s.maxInnerLength} B`);
  if ((b?.rttMedianMs ?? null) !== null || (a?.rttMedianMs ?? null) !== null) {
    pair('ping RTT median', (s) => (s.rttMedianMs === null ? 'n/a' : `${s.rttMedianMs.toFixed(3)} ms`));
  }
  return out;
}

export function renderDiffText(d: DiffResult, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const tag: Record<PathDiff['status'], string> = {
    unchanged: c.dim('unchanged'),
    changed: c.yellow('CHANGED'),
    appeared: c.green('APPEARED'),
    vanished: c.red('VANISHED'),
  };
  const lines: string[] = [];
  const counts = (['changed', 'appeared', 'vanished', 'unchanged'] as const).map((s) => `${d.paths.filter((p) => p.status === s).length} ${s}`);
  lines.push(`${d.changed ? c.yellow('Paths changed') : 'No path changed'}: ${counts.join(', ')}`);
  lines.push(`  before: ${d.before.sources.map(sanitize).join(', ')} (${formatCount(d.before.podPackets)} pod packets)`);
  lines.push(`  after:  ${d.after.sources.map(sanitize).join(', ')} (${formatCount(d.after.podPackets)} pod packets)`);
  for (const p of d.paths) {
    lines.push('');
    lines.push(`${sanitize(p.direction)}: ${tag[p.status]}`);
    for (const ch of p.changes) lines.push(`  ${ch.field}: ${sanitize(ch.before)} → ${sanitize(ch.after)}`);
    if (p.status === 'unchanged' && p.after) lines.push(`  ${sanitize(how(p.after))}`);
    if (p.status === 'appeared' && p.after) lines.push(`  now: ${sanitize(how(p.after))}`);
    if (p.status === 'vanished' && p.before) lines.push(`  was: ${sanitize(how(p.before))}`);
    lines.push(`  ${numbers(p.before, p.after).join('; ')}`);
  }
  if (d.findings.appeared.length + d.findings.resolved.length > 0) {
    lines.push('');
    lines.push('Findings');
    for (const f of d.findings.appeared) lines.push(`  + ${f.severity} ${f.code}: ${sanitize(f.message)}`);
    for (const f of d.findings.resolved) lines.push(`  - resolved ${f.code}: ${sanitize(f.message)}`);
  }
  return lines.join('\n') + '\n';
}

export function renderDiffJson(d: DiffResult): string {
  return JSON.stringify(d, null, 2) + '\n';
}
