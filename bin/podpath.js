#!/usr/bin/env node
// The command is one CommonJS bundle (see tsup.config.ts). It is compiled here rather than
// required so that V8 can start from the code cache the build made (scripts/code-cache.mjs):
// the bytecode of every function a run of the command compiled. That skips parsing and compiling
// the 520 KB bundle, ~30 ms of a run (a small capture's analysis takes ~150 ms in all).
//
// The cache is used only for exactly this bundle: it starts with the bundle's SHA-256. V8's own
// check is the source's length, so a rebuilt bundle of the same length would otherwise run the
// old bytecode. Without a usable cache (none, another bundle, another Node version: V8 rejects
// it) the bundle is compiled as usual; nothing is ever written here, except at build time.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
let source;
try {
  source = readFileSync(bundle);
} catch (e) {
  if (e?.code !== 'ENOENT') throw e;
  process.stderr.write(`podpath: ${bundle} is missing: build it first (npm run build, or npm install && npm start)\n`);
  process.exit(2);
}
const hash = createHash('sha256').update(source).digest();

let cachedData;
try {
  const cache = readFileSync(`${bundle}.cache`);
  if (cache.length > hash.length && cache.subarray(0, hash.length).equals(hash)) cachedData = cache.subarray(hash.length);
} catch {
  // No cache: compile as usual.
}

// The wrapper Node's CommonJS loader puts around a module, on the bundle's first line (line
// numbers in stack traces stay the bundle's).
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source.toString('utf8')}\n})`, {
  filename: bundle,
  ...(cachedData ? { cachedData } : {}),
});

// PODPATH_DEBUG_CODE_CACHE=1 says on stderr whether the cache was used.
if (process.env.PODPATH_DEBUG_CODE_CACHE) {
  process.stderr.write(`podpath: code cache ${!cachedData ? 'none for this bundle' : script.cachedDataRejected ? 'rejected by V8' : 'used'}\n`);
}

// Build time only (scripts/code-cache.mjs): write the cache, with what this run compiled, on exit.
const out = process.env.PODPATH_WRITE_CODE_CACHE;
if (out) process.on('exit', () => writeFileSync(out, Buffer.concat([hash, script.createCachedData()])));

const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
