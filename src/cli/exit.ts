/** Exit codes: documented in `podpath --help` and the README. */
export const EXIT = {
  /** Everything read cleanly; for verify: the expectation holds. */
  OK: 0,
  /** verify: an expectation does not hold; diff --fail-on-change: something changed. */
  CHECK_FAILED: 1,
  /** Usage error, or an input that could not be read at all (missing file, not a capture). */
  USAGE: 2,
  /** Output given, but a capture was damaged (cut short, corrupt record): the output covers the packets before the damage. */
  DAMAGED: 3,
  /** A bug in podpath: the stack is printed; please report it. */
  INTERNAL: 70,
} as const;

/** A mistake in how podpath was called, or an input file it cannot use: one line, no stack, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_CODES_HELP = `
Exit codes:
  0   success (verify: expectation holds)
  1   verify: expectation violated; diff --fail-on-change: paths changed
  2   usage error, or an input that could not be read at all
  3   output produced, but a capture was damaged (cut short or corrupt);
      the output covers every packet before the damage
  70  internal error (a bug: please report it with the printed stack)`;
