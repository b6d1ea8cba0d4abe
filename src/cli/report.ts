/** Telling the user about capture damage on stderr, and the exit code it implies. */
import type { CaptureSummary } from '../capture/source.js';
import { EXIT } from './exit.js';
import { warn } from './tty.js';

/**
 * One line per damaged capture. A capture that yielded nothing readable
 * (missing, not a capture) is an input error (exit 2); damage after some
 * packets means the output is partial (exit 3).
 */
export function reportCaptureErrors(summaries: CaptureSummary[]): number {
  let code: number = EXIT.OK;
  for (const s of summaries) {
    if (!s.error) continue;
    const unreadable = s.format === null || s.error.code === 'io';
    if (unreadable) {
      warn(`podpath: ${s.error.message}`);
      code = Math.max(code, EXIT.USAGE);
    } else {
      warn(`podpath: ${s.error.message}; ${s.packets} packet${s.packets === 1 ? '' : 's'} before it ${s.packets === 1 ? 'was' : 'were'} read`);
      code = code === EXIT.USAGE ? code : EXIT.DAMAGED;
    }
  }
  return code;
}
