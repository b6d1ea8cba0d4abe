import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'podpath', include: ['test/**/*.test.ts'] } },
      // The allocation test again, with V8 inlining only the functions it always inlines (the
      // smallest). Whether it inlines the others depends on what each compile saw and on its
      // budget, and a double or an unsigned 32-bit number above 2^31 passed to (or returned
      // from) a call it did not inline is a heap number: such a leak shows here every run, not
      // in one run of several (see the test).
      {
        extends: true,
        test: { name: 'allocation, least inlining', include: ['test/analysis/allocation.test.ts'], execArgv: ['--max-inlined-bytecode-size-cumulative=0'] },
      },
    ],
  },
});
