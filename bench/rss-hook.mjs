/**
 * Fallback peak-RSS probe for machines without GNU time: preloaded into a
 * Node child with `node --import ./bench/rss-hook.mjs ...`, it writes the
 * process's own peak RSS (KiB, from getrusage) to $PODPATH_BENCH_RSS_FILE at exit.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.PODPATH_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    try {
      writeFileSync(out, String(process.resourceUsage().maxRSS));
    } catch {
      // The probe must never change the tool's exit.
    }
  });
}
