/** `podpath diff`: what changed between captures (or saved reports) from before and after a change. */
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { diffReports } from '../analysis/diff.js';
import { loadReport, looksLikeJson, ReportFileError } from '../analysis/report-file.js';
import type { Report } from '../analysis/report.js';
import { renderDiffJson, renderDiffText } from '../render/diff.js';
import { addAnalysisOptions, type AnalyzeCliOptions, runAnalysis } from './analyze.js';
import { collect } from './common.js';
import { EXIT, UsageError } from './exit.js';
import { Output } from './output.js';
import { useColor } from './tty.js';

export interface DiffCliOptions extends AnalyzeCliOptions {
  before?: string[];
  after?: string[];
  failOnChange?: boolean;
}


export function registerDiff(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('diff')
    .description('compare pod paths before and after a change: mode, NIC, subnet, addresses, volume, overhead, ping RTT')
    .argument('[before]', 'capture or saved `analyze --json` report from before the change')
    .argument('[after]', 'capture or saved report from after the change');
  addAnalysisOptions(cmd)
    .option('--before <file>', 'a capture (or one saved report) of the before side; repeatable', collect)
    .option('--after <file>', 'a capture (or one saved report) of the after side; repeatable', collect)
    .option('--fail-on-change', 'exit 1 when any path changed, appeared or vanished (for CI guarding a cluster network)')
    .option('--json', 'the comparison as JSON (schema podpath.diff/1)')
    .addHelpText(
      'after',
      `
Examples:
  podpath diff before.pcap after.pcap --node-addrs node-a.json
  podpath diff --before a1.pcap --before b1.pcap --after a2.pcap --after b2.pcap
  podpath analyze --json base.pcap > baseline.json
  podpath diff baseline.json today.pcap --fail-on-change

Exit codes: 0 compared (and, with --fail-on-change, nothing changed);
1 --fail-on-change and a path changed; 2 usage or input error; 3 a capture
was damaged (the comparison covers what was read).`,
    )
    .action((before: string | undefined, after: string | undefined, opts: DiffCliOptions) => run(() => diffCommand(before, after, opts)));
}

async function isReportFile(file: string): Promise<boolean> {
  if (file === '-') return false;
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return false; // the capture reader reports a missing file in its own words
  }
  try {
    const buf = new Uint8Array(64);
    const { bytesRead } = await fh.read(buf, 0, 64, 0);
    return looksLikeJson(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

async function side(name: string, files: string[], opts: DiffCliOptions): Promise<{ report: Report; exit: number }> {
  const reports = await Promise.all(files.map(isReportFile));
  if (reports.some(Boolean)) {
    if (files.length > 1) throw new UsageError(`the ${name} side mixes a saved report with other files: give one saved report, or captures only`);
    try {
      return { report: await loadReport(files[0]!), exit: EXIT.OK };
    } catch (e) {
      if (e instanceof ReportFileError) throw new UsageError(e.message);
      throw e;
    }
  }
  return runAnalysis(files, opts);
}

export async function diffCommand(before: string | undefined, after: string | undefined, opts: DiffCliOptions, out = new Output()): Promise<number> {
  let b: string[];
  let a: string[];
  if (opts.before || opts.after) {
    if (before !== undefined || after !== undefined) throw new UsageError('give the sides either as two arguments or with --before/--after, not both');
    if (!opts.before?.length || !opts.after?.length) throw new UsageError('both --before and --after are needed');
    b = opts.before;
    a = opts.after;
  } else {
    if (before === undefined || after === undefined) throw new UsageError('diff needs a before and an after (two files, or --before/--after)');
    b = [before];
    a = [after];
  }
  if ([...b, ...a].filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const sb = await side('before', b, opts);
  const sa = await side('after', a, opts);
  const d = diffReports(sb.report, sa.report);
  out.write(opts.json ? renderDiffJson(d) : renderDiffText(d, { color: useColor(process.stdout) }));
  await out.end();
  const worst = Math.max(sb.exit, sa.exit);
  if (worst === EXIT.USAGE) return EXIT.USAGE;
  if (opts.failOnChange && d.changed) return EXIT.CHECK_FAILED;
  return worst;
}
