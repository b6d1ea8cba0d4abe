import { defineConfig } from 'tsup';

/**
 * Two builds into dist/:
 * - the library (ESM, dependencies external, typed): index.js and the worker
 *   analyzeCaptures starts for several captures, analysis-worker.js;
 * - the command (cli.cjs and its worker analysis-worker.cjs): one CommonJS
 *   file each with the dependencies inside. Node 20 starts that in about a
 *   third of the time the ESM graph (our chunks plus five packages) takes,
 *   which is most of what a run on a small capture costs. bin/podpath.js loads it.
 */
export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'analysis-worker': 'src/analysis/worker.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    // The command's files are the other build's: leave them.
    clean: ['!**/*.cjs', '!**/*.cjs.map'],
    splitting: true,
    define: { __PODPATH_WORKER__: '"analysis-worker.js"' },
  },
  {
    entry: { cli: 'src/bin.ts', 'analysis-worker': 'src/analysis/worker.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    target: 'node20',
    platform: 'node',
    noExternal: [/.*/],
    splitting: false,
    // import.meta.url (the worker's address) in CommonJS.
    shims: true,
    sourcemap: true,
    clean: false,
    define: { __PODPATH_WORKER__: '"analysis-worker.cjs"' },
  },
]);
