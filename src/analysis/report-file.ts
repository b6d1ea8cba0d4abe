/**
 * Reading a saved `podpath analyze --json` report back (for `diff`). The file
 * is untrusted input: its shape is checked field by field, and every problem
 * is an error naming the file and the field, never a crash later on.
 */
import { readFile, stat } from 'node:fs/promises';
import { REPORT_SCHEMA, type Report } from './report.js';

export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

export class ReportFileError extends Error {
  override readonly name = 'ReportFileError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** True when the bytes look like a JSON document rather than a capture. */
export function looksLikeJson(head: Uint8Array): boolean {
  for (const b of head) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b; // '{'
  }
  return false;
}

type Check = (v: unknown, where: string) => void;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validateReport(data: unknown, file: string): Report {
  const fail = (where: string, what: string): never => {
    throw new ReportFileError(file, `${where}: ${what}`);
  };
  const str: Check = (v, w) => {
    if (typeof v !== 'string') fail(w, `expected a string, found ${kind(v)}`);
  };
  const strOrNull: Check = (v, w) => {
    if (v !== null && typeof v !== 'string') fail(w, `expected a string or null, found ${kind(v)}`);
  };
  const num: Check = (v, w) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(w, `expected a number, found ${kind(v)}`);
  };
  const numOrNull: Check = (v, w) => {
    if (v !== null) num(v, w);
  };
  const arr = (v: unknown, w: string, each?: Check): unknown[] => {
    if (!Array.isArray(v)) return fail(w, `expected a list, found ${kind(v)}`);
    if (each) v.forEach((x, i) => each(x, `${w}[${i}]`));
    return v;
  };
  const obj = (v: unknown, w: string): Record<string, unknown> => (isObj(v) ? v : fail(w, `expected an object, found ${kind(v)}`));

  const r = obj(data, 'the file');
  if (r.schema !== REPORT_SCHEMA) {
    fail('schema', `expected "${REPORT_SCHEMA}" (a saved \`podpath analyze --json\` report), found ${JSON.stringify(r.schema ?? null)}`);
  }
  arr(r.captures, 'captures', (c, w) => {
    const o = obj(c, w);
    str(o.file, `${w}.file`);
    num(o.packets, `${w}.packets`);
  });
  const modes = new Set(['none', 'ipip', 'ip6ip', 'vxlan', 'geneve', 'gre', 'wireguard']);
  arr(r.paths, 'paths', (p, w) => {
    const o = obj(p, w);
    str(o.id, `${w}.id`);
    if (typeof o.mode !== 'string' || !modes.has(o.mode)) fail(`${w}.mode`, `expected one of ${[...modes].join(', ')}, found ${JSON.stringify(o.mode ?? null)}`);
    for (const k of ['outerSrc', 'outerDst', 'srcNode', 'dstNode', 'srcMac', 'dstMac', 'interface', 'subnet']) strOrNull(o[k] ?? null, `${w}.${k}`);
    for (const k of ['packets', 'bytes', 'encapBytes', 'maxOuterLength', 'maxInnerLength']) num(o[k], `${w}.${k}`);
    for (const k of ['vni', 'port']) numOrNull(o[k] ?? null, `${w}.${k}`);
    arr(o.podPairs, `${w}.podPairs`);
    if (o.icmpRtt !== undefined && o.icmpRtt !== null) num(obj(o.icmpRtt, `${w}.icmpRtt`).medianMs, `${w}.icmpRtt.medianMs`);
  });
  arr(r.nodes, 'nodes', (n, w) => {
    const o = obj(n, w);
    str(o.ip, `${w}.ip`);
    strOrNull(o.name ?? null, `${w}.name`);
    arr(o.podBlocks, `${w}.podBlocks`, str);
  });
  arr(r.findings, 'findings', (f, w) => {
    const o = obj(f, w);
    str(o.severity, `${w}.severity`);
    str(o.code, `${w}.code`);
    str(o.message, `${w}.message`);
    // diff looks the finding's paths up by id: anything but a list of ids crashed it (found by test/fuzz).
    if (o.paths !== undefined) arr(o.paths, `${w}.paths`, str);
  });
  arr(r.verdicts, 'verdicts', str);
  return data as Report;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

export async function loadReport(file: string): Promise<Report> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    throw new ReportFileError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`);
  }
  if (size > MAX_REPORT_BYTES) throw new ReportFileError(file, `${size} bytes is too large for a saved report (limit ${MAX_REPORT_BYTES})`);
  const text = await readFile(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ReportFileError(file, `not valid JSON (${(e as Error).message})`);
  }
  return validateReport(data, file);
}
