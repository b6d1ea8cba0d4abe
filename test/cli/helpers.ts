import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'podpath.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'captures');

/** Run the built CLI (npm test builds first); stdin bytes optional. */
export function podpath(args: string[], input?: Uint8Array, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) throw new Error('dist/cli.cjs missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
}
