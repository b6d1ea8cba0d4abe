/**
 * The progress bar, drawn only when stderr is a terminal: the CLI runs under
 * `script` (util-linux), which gives it one. Skipped where `script` is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payload, pcapFile } from '../capture/build.js';
import { BIN } from './helpers.js';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** A 70 MB pcap (the bar appears after 64 MiB): 50,000 records of 1,400 bytes. */
function bigCapture(): Uint8Array {
  const data = payload(1400);
  return pcapFile({}, Array.from({ length: 50_000 }, (_, i) => ({ sec: 1_700_000_000 + i, frac: 0, data })));
}

describe.skipIf(!hasScript)('progress on a terminal (built CLI under script)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-progress-'));
  const file = join(dir, 'big.pcap');
  beforeAll(() => writeFileSync(file, bigCapture()));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What a terminal shows for `shell` (a command line), escape sequences included. */
  function onTerminal(shell: string): string {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.CI; // progress stays off under CI
    const r = spawnSync('script', ['-qec', shell, '/dev/null'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  }

  const podpath = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} analyze --json`;

  it('a named file: a bar with its percentage and size', () => {
    expect(onTerminal(`${podpath} ${JSON.stringify(file)} > /dev/null`)).toMatch(/\] \d+% \d+\/68 MB [\d,]+ packets/);
  });

  it('a file redirected to stdin: the same, from the size of the file behind fd 0', () => {
    expect(onTerminal(`${podpath} - < ${JSON.stringify(file)} > /dev/null`)).toMatch(/ - \[.*\] \d+% \d+\/68 MB [\d,]+ packets/);
  });

  it('a pipe on stdin: megabytes read, no percentage (the size is unknown)', () => {
    const out = onTerminal(`cat ${JSON.stringify(file)} | ${podpath} - > /dev/null`);
    expect(out).toMatch(/ - \d+ MB [\d,]+ packets/);
    expect(out).not.toMatch(/%/);
  });
});
