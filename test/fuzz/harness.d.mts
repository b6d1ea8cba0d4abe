/** Types for harness.mjs: the whole-path checks shared by the fuzz test and scripts/fuzz.mjs. */
import type * as Podpath from '../../src/index.js';
import type { CaptureCase, TextCase } from './mutate.mjs';

/** The library API the checks drive: src/index.ts in the test, dist/index.js in the script. */
export type PodpathLib = typeof Podpath;

export type FailureKind = 'crash' | 'hang' | 'memory' | 'property';

export class FuzzFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, cause?: unknown);
}

export interface CorpusEntry {
  /** Path relative to the repository root. */
  name: string;
  path: string;
  bytes: Uint8Array;
}

export interface FuzzContext {
  lib: PodpathLib;
  root: string;
  corpus: CorpusEntry[];
  corpusBytes: Uint8Array[];
  nodeAddrSets: Podpath.NodeAddrs[][];
  sampleRuns: { dir: string; captures: string[]; nodeAddrs: Podpath.NodeAddrs[] }[];
  nodeTexts: string[];
  reportTexts: string[];
  baseReports: Podpath.Report[];
  tmpDir: string;
  timeLimitMs: number;
  memoryLimit: number;
  renderDiffText: ((d: Podpath.DiffResult, o: { color: boolean }) => string) | null;
  /** Render the table in every case, not only those that ask for it. */
  alwaysTable: boolean;
  tmpSeq: number;
}

export interface ContextOptions {
  root: string;
  /** Capture files, relative to root. */
  captures: string[];
  tmpDir: string;
  timeLimitMs?: number;
  memoryLimit?: number;
  renderDiffText?: (d: Podpath.DiffResult, o: { color: boolean }) => string;
  alwaysTable?: boolean;
}

export const DEFAULT_TIME_LIMIT_MS: number;
export const DEFAULT_MEMORY_LIMIT: number;

export function listCaptures(root: string, dirs: readonly string[]): string[];
export function buildContext(lib: PodpathLib, opts: ContextOptions): Promise<FuzzContext>;
export function jsonSafetyViolation(v: unknown, path?: string): string | null;
export function materializeCapture(ctx: FuzzContext, c: CaptureCase): { source: string; bytes: Uint8Array; fileBytes: Uint8Array };
export function runCaptureCase(ctx: FuzzContext, c: CaptureCase): Promise<{ packets: number; error: string | null }>;
export function runNodeAddrsCase(ctx: FuzzContext, c: TextCase): Promise<{ accepted: boolean }>;
export function runReportCase(ctx: FuzzContext, c: TextCase): Promise<{ accepted: boolean }>;
