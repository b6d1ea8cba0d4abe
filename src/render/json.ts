/** `--json`: the report as it is, so scripts see exactly what the table shows. */
import type { Report } from '../analysis/report.js';

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
