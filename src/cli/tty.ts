/** stderr messages, coloured only on a terminal and never under NO_COLOR. */
import pc from 'picocolors';

const noColor = 'NO_COLOR' in process.env && process.env.NO_COLOR !== '';

/** Colour on a stream only when it is a terminal and NO_COLOR is not set (no-color.org). */
export function useColor(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !noColor;
}

const colour = useColor(process.stderr);
const painter = pc.createColors(colour);

export function warn(msg: string): void {
  process.stderr.write(painter.yellow(msg) + '\n');
}

export function error(msg: string): void {
  process.stderr.write(painter.red(msg) + '\n');
}
