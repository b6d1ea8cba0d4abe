/**
 * Progress on stderr for long runs: only when stderr is a terminal (never in
 * pipes, CI or tests), drawn by cli-progress, cleared when the run ends.
 */
import { fstatSync, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { formatCount } from '../render/format.js';

export interface Progress {
  /** Called with bytes read so far from the current file. */
  update(bytes: number, packets: number): void;
  /** Start the next file. */
  file(name: string): void;
  /** Several files read at once: update() then gets the totals over all of them. */
  files(names: string[]): void;
  stop(): void;
}

const NONE: Progress = { update() {}, file() {}, files() {}, stop() {} };
const active = new Set<Progress>();

/** Clear any bar and restore the cursor (Ctrl-C, fatal errors). */
export function stopAllProgress(): void {
  for (const p of active) p.stop();
}

/**
 * Bytes a capture holds, for the bar's percentage: the file's size; for
 * stdin, the size of a file redirected to it (a pipe's is unknown); 0 when
 * unknown or unreadable (reported when read).
 */
function inputSize(f: string): number {
  try {
    if (f !== '-') return statSync(f).size;
    const st = fstatSync(0);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

export function createProgress(enabled = Boolean(process.stderr.isTTY) && !process.env.CI): Progress {
  if (!enabled) return NONE;
  let bar: cliProgress.SingleBar | null = null;
  let total = 0;
  let name = '';
  let last = 0;
  const mb = (n: number): string => (n / 1048576).toFixed(0);
  const self: Progress = {
    file(f: string) {
      bar?.stop();
      bar = null;
      name = f;
      total = inputSize(f);
    },
    files(fs: string[]) {
      bar?.stop();
      bar = null;
      name = `${fs.length} captures`;
      total = 0;
      for (const f of fs) total += inputSize(f);
    },
    update(bytes: number, packets: number) {
      // A small file finishes before a bar is worth drawing.
      if (!bar && bytes < 64 * 1048576) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: total > 0 ? ' {file} [{bar}] {percentage}% {mb}/{totalMb} MB {packets} packets' : ' {file} {mb} MB {packets} packets',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total || 1, 0, { file: name, mb: '0', totalMb: mb(total), packets: 0 });
      }
      bar.update(total ? Math.min(bytes, total) : 0, { mb: mb(bytes), totalMb: mb(total), packets: formatCount(packets) });
    },
    stop() {
      bar?.stop();
      bar = null;
      active.delete(self);
    },
  };
  active.add(self);
  return self;
}
