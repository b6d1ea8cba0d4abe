/** `podpath analyze`: which mode and which NIC carried pod traffic, between which nodes. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import ipaddr from 'ipaddr.js';
import { analyzeCaptures } from '../analysis/analyze.js';
import { loadNodeAddrs, NodeAddrsError, NodeAddrsIndex, type NodeAddrs } from '../analysis/node-addrs.js';
import type { Report } from '../analysis/report.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderTable } from '../render/table.js';
import { collect, collectPort, parseCount } from './common.js';
import { UsageError } from './exit.js';
import { Output } from './output.js';
import { createProgress } from './progress.js';
import { reportCaptureErrors } from './report.js';
import { useColor } from './tty.js';

export interface AnalyzeCliOptions {
  json?: boolean;
  format?: 'table' | 'json' | 'markdown';
  nodeAddrs?: string[];
  interface?: string;
  podCidr?: string[];
  vxlanPort?: number[];
  genevePort?: number[];
  blockSize?: number;
  top?: number;
  jobs?: number;
}

export function parseCidr(value: string, previous: string[] | undefined): string[] {
  try {
    const [addr, len] = ipaddr.parseCIDR(value);
    return [...(previous ?? []), `${addr.toString()}/${len}`];
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a CIDR (e.g. 10.244.0.0/16)`);
  }
}

export function parseBlockSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 8 || n > 32) throw new InvalidArgumentError(`"${value}" is not an IPv4 prefix length from 8 to 32`);
  return n;
}


/** Options shared by analyze, diff and verify. */
export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option('--node-addrs <[name=]file>', "a node's `ip -j addr show` (or `ip -o addr show`) output; repeatable, one per node", collect)
    .option('--interface <name>', 'the capturing NIC of captures that do not record it (classic pcap from tcpdump -i NIC)')
    .option('--pod-cidr <cidr>', 'pod address range (e.g. the IPPool CIDR) to tell no-encap pod traffic; repeatable', parseCidr)
    .option('--vxlan-port <port>', 'also decode VXLAN on this UDP port (repeatable; 4789 always; flannel uses 8472)', collectPort)
    .option('--geneve-port <port>', 'also decode Geneve on this UDP port (repeatable; 6081 always)', collectPort)
    .option('--block-size <bits>', 'pod block prefix length (Calico IPAM hands out /26 blocks)', parseBlockSize, 26)
    .option('--jobs <n>', 'threads for reading several captures at once (default: one per CPU core when they add up to 256 MiB or more; 1: one thread); the report is the same', parseCount);
}

export function registerAnalyze(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('analyze')
    .description('name the encapsulation and the NIC that carried pod traffic, per node pair and direction')
    .argument('<capture...>', 'pcap, pcapng or gzip captures (one per node or per NIC); - reads stdin');
  addAnalysisOptions(cmd)
    .option('--json', 'the report as JSON (schema podpath.report/1)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('--top <n>', 'pod pairs listed per path', parseCount, 10)
    .addHelpText(
      'after',
      `
Examples:
  podpath analyze node-a.pcap --node-addrs node-a=node-a.json --node-addrs node-b=node-b.json
  podpath analyze any.pcap --node-addrs node-a.json          # tcpdump -i any: SLL2 ifindex -> NIC
  podpath analyze eth1.pcap --interface eth1 --pod-cidr 10.244.0.0/16
  ssh node-a tcpdump -i eth1 -U -w - | podpath analyze - --interface eth1
  podpath analyze *.pcapng --format markdown > report.md

Node address files: on each node run  ip -j addr show > NODE.json
(node name from NAME=FILE or the file name).`,
    )
    .action((files: string[], opts: AnalyzeCliOptions) => run(() => analyzeCommand(files, opts)));
}

export async function loadAllNodeAddrs(args: string[] | undefined): Promise<NodeAddrs[]> {
  const out: NodeAddrs[] = [];
  for (const a of args ?? []) {
    try {
      out.push(await loadNodeAddrs(a));
    } catch (e) {
      if (e instanceof NodeAddrsError) throw new UsageError(e.message);
      throw e;
    }
  }
  // Files that contradict each other (two nodes of one name) are a usage error too, before any capture is read.
  try {
    if (out.length > 0) new NodeAddrsIndex(out);
  } catch (e) {
    if (e instanceof NodeAddrsError) throw new UsageError(e.message);
    throw e;
  }
  return out;
}

export async function runAnalysis(files: string[], opts: AnalyzeCliOptions): Promise<{ report: Report; exit: number }> {
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const nodeAddrs = await loadAllNodeAddrs(opts.nodeAddrs);
  const progress = createProgress();
  const { report, summaries } = await analyzeCaptures(files, {
    nodeAddrs,
    ...(opts.interface ? { interfaceName: opts.interface } : {}),
    ...(opts.podCidr ? { podCidrs: opts.podCidr } : {}),
    ...(opts.vxlanPort ? { vxlanPorts: opts.vxlanPort } : {}),
    ...(opts.genevePort ? { genevePorts: opts.genevePort } : {}),
    blockSize: opts.blockSize ?? 26,
    topPairs: opts.top ?? 10,
    ...(opts.jobs ? { jobs: opts.jobs } : {}),
    onFile: (f) => progress.file(f),
    onParallel: (fs) => progress.files(fs),
    onProgress: (_f, bytes, packets) => progress.update(bytes, packets),
  });
  progress.stop();
  return { report, exit: reportCaptureErrors(summaries) };
}

export async function analyzeCommand(files: string[], opts: AnalyzeCliOptions, out = new Output()): Promise<number> {
  const { report, exit } = await runAnalysis(files, opts);
  const format = opts.json ? 'json' : (opts.format ?? 'table');
  if (format === 'json') out.write(renderJson(report));
  else if (format === 'markdown') out.write(renderMarkdown(report));
  else out.write(renderTable(report, { color: useColor(process.stdout), width: Math.max(60, Math.min(process.stdout.columns || 100, 160)) }));
  await out.end();
  return exit;
}
