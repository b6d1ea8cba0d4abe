import { main } from './cli/program.js';
import { stopAllProgress } from './cli/progress.js';

// A reader that closes the pipe early (`| head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});
// Ctrl-C: clear the progress bar, restore the cursor, and leave without a stack.
process.on('SIGINT', () => {
  stopAllProgress();
  process.exit(130);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`podpath: internal error, please report it:\n${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
