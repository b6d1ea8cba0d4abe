/** `podpath verify`: check an expectation against captures, with an exit code for scripts. */
import { type Command, Option } from 'commander';
import { EXPECT_MODES, type Expectation, type ExpectMode, verifyReport } from '../analysis/verify.js';
import { renderVerifyJson, renderVerifyText } from '../render/verify.js';
import { addAnalysisOptions, type AnalyzeCliOptions, parseCidr, runAnalysis } from './analyze.js';
import { EXIT, UsageError } from './exit.js';
import { Output } from './output.js';
import { useColor } from './tty.js';

export interface VerifyCliOptions extends AnalyzeCliOptions {
  expect?: ExpectMode;
  expectInterface?: string;
  expectCidr?: string;
  subnet?: string[];
  allowEmpty?: boolean;
}

function parseOneCidr(value: string): string {
  return parseCidr(value, undefined)[0]!;
}

export function registerVerify(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('verify')
    .description('check that pod traffic meets an expectation (mode, NIC, underlay range); exit 1 when it does not')
    .argument('<capture...>', 'pcap, pcapng or gzip captures; - reads stdin');
  addAnalysisOptions(cmd)
    .addOption(new Option('--expect <mode>', 'expected encapsulation').choices([...EXPECT_MODES]))
    .option('--expect-interface <name>', 'pod traffic only over this NIC')
    .option('--expect-cidr <cidr>', 'underlay (node) addresses of pod traffic only in this range', parseOneCidr)
    .option('--subnet <cidr>', 'node subnet for --expect cross-subnet (repeatable; node address files also give them)', parseCidr)
    .option('--allow-empty', 'pass when the captures hold no pod traffic (by default that fails: nothing was verified)')
    .option('--json', 'the verdict and violations as JSON (schema podpath.verify/1)')
    .addHelpText(
      'after',
      `
Examples:
  podpath verify node-a.pcap --expect no-encap
  podpath verify any.pcap --expect ipip --expect-interface bond4 --node-addrs node-a.json
  podpath verify *.pcap --expect-cidr 172.16.10.0/24 --node-addrs a=a.json --node-addrs b=b.json
  podpath verify a.pcap --expect cross-subnet --subnet 172.16.40.0/24 --subnet 172.16.41.0/24

Exit codes: 0 every pod path matches; 1 a path does not match, or no pod
traffic was seen (unless --allow-empty); 2 usage or input error; 3 the
expectation holds for what was read, but a capture was damaged.`,
    )
    .action((files: string[], opts: VerifyCliOptions) => run(() => verifyCommand(files, opts)));
}

export function expectationFrom(opts: VerifyCliOptions): Expectation {
  if (!opts.expect && !opts.expectInterface && !opts.expectCidr) {
    throw new UsageError('nothing to verify: give --expect, --expect-interface and/or --expect-cidr');
  }
  const e: Expectation = {};
  if (opts.expect) e.mode = opts.expect;
  if (opts.expectInterface) e.interface = opts.expectInterface;
  if (opts.expectCidr) e.cidr = opts.expectCidr;
  if (opts.subnet) e.subnets = opts.subnet;
  if (opts.allowEmpty) e.allowEmpty = true;
  return e;
}

export async function verifyCommand(files: string[], opts: VerifyCliOptions, out = new Output()): Promise<number> {
  const expectation = expectationFrom(opts);
  const { report, exit } = await runAnalysis(files, opts);
  const result = verifyReport(report, expectation);
  out.write(opts.json ? renderVerifyJson(result) : renderVerifyText(result, { color: useColor(process.stdout) }));
  await out.end();
  if (exit === EXIT.USAGE) return EXIT.USAGE;
  if (!result.ok) return EXIT.CHECK_FAILED;
  return exit;
}

