/** The commander program: commands, global help, error handling and exit codes. */
import { Command, CommanderError } from 'commander';
import { EXIT, EXIT_CODES_HELP, UsageError } from './exit.js';
import { ClosedOutput } from './output.js';
import { stopAllProgress } from './progress.js';
import { registerAnalyze } from './analyze.js';
import { registerDiff } from './diff.js';
import { registerPackets } from './packets.js';
import { registerVerify } from './verify.js';
import { error } from './tty.js';
import { VERSION } from '../version.js';

export { VERSION } from '../version.js';

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  const run = async (fn: () => Promise<number>): Promise<void> => {
    setExit(await fn());
  };
  program
    .name('podpath')
    .description('Which NIC and which encapsulation did my pod traffic actually take?\nReads tcpdump/dumpcap captures (pcap, pcapng, gzip, stdin) of Kubernetes overlay networks.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', EXIT_CODES_HELP);
  registerAnalyze(program, run);
  registerDiff(program, run);
  registerVerify(program, run);
  registerPackets(program, run);
  return program;
}

/** Run podpath with argv (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    stopAllProgress();
    if (e instanceof CommanderError) {
      // help and version exit 0; every other commander error is a usage error
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof ClosedOutput) return EXIT.OK;
    if (e instanceof UsageError) {
      error(`podpath: ${e.message}`);
      return EXIT.USAGE;
    }
    error(`podpath: internal error, please report it with this output:\n${(e as Error)?.stack ?? String(e)}`);
    return EXIT.INTERNAL;
  }
}
