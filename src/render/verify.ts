/** Text and JSON for `podpath verify`. */
import pc from 'picocolors';
import type { VerifyResult } from '../analysis/verify.js';
import { formatCount, modeLabel, sanitize } from './format.js';

export function renderVerifyText(r: VerifyResult, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const lines: string[] = [];
  const head = r.ok ? c.green('PASS') : c.red('FAIL');
  lines.push(`${head}  expected: ${r.expected}`);
  lines.push(`      ${formatCount(r.podPaths)} pod path${r.podPaths === 1 ? '' : 's'}, ${formatCount(r.podPackets)} pod packets checked; ${r.violations.length} violating`);
  if (r.note) lines.push(`      ${r.note}${r.ok ? ' (allowed by --allow-empty)' : ': nothing was verified (use --allow-empty to accept that)'}`);
  for (const v of r.violations) {
    lines.push('');
    lines.push(`  ${c.bold(v.path)}  ${sanitize(v.direction)}: ${modeLabel(v.mode)} over ${sanitize(v.interface ?? 'an unidentified NIC')}${v.subnet ? ` (${v.subnet})` : ''}, ${formatCount(v.packets)} packets`);
    for (const reason of v.reasons) lines.push(`      - ${sanitize(reason)}`);
    if (v.exampleFrames.length > 0) {
      const byCapture = new Map<string, number[]>();
      for (const f of v.exampleFrames) byCapture.set(f.capture, [...(byCapture.get(f.capture) ?? []), f.frame]);
      for (const [cap, frames] of byCapture) lines.push(`      e.g. frames ${frames.join(', ')} of ${sanitize(cap)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function renderVerifyJson(r: VerifyResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}
