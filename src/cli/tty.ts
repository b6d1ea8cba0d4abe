/** stderr messages, coloured only on a terminal and never under NO_COLOR. */
import pc from 'picocolors';

const colour = Boolean(process.stderr.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
const painter = pc.createColors(colour);

export function warn(msg: string): void {
  process.stderr.write(painter.yellow(msg) + '\n');
}

export function error(msg: string): void {
  process.stderr.write(painter.red(msg) + '\n');
}
