/** Option parsing shared by the commands: pure functions, testable without a process. */
import { InvalidArgumentError } from 'commander';
import type { DecoderOptions } from '../decode/decoder.js';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a UDP port (1-65535)`);
  }
  return n;
}

/** Repeatable option: each occurrence appends. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function collectPort(value: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), parsePort(value)];
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return n;
}

export interface PortOptions {
  vxlanPort?: number[];
  genevePort?: number[];
}

/** --vxlan-port adds to the IANA default 4789 rather than replacing it. */
export function decoderOptions(o: PortOptions): DecoderOptions {
  const opts: DecoderOptions = {};
  if (o.vxlanPort?.length) opts.vxlanPorts = [4789, ...o.vxlanPort];
  if (o.genevePort?.length) opts.genevePorts = [6081, ...o.genevePort];
  return opts;
}
