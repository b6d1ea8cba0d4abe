/** Types for mutate.mjs (plain JavaScript so scripts/fuzz.mjs needs no build step). */
import type { Arbitrary, JsonValue } from 'fast-check';

export interface Field {
  kind: string;
  /** Byte offset in the input. */
  o: number;
  size: 1 | 2 | 4;
  le: boolean;
  /** Bits of the byte the field occupies (IHL, Geneve option lengths); 0: the whole field. */
  mask: number;
}

export type BinaryOp =
  | { t: 'flip'; at: number; bit: number }
  | { t: 'set'; at: number; value: number }
  | { t: 'trunc'; at: number }
  | { t: 'insert'; at: number; bytes: Uint8Array }
  | { t: 'token'; at: number; k: number; replace: boolean }
  | { t: 'delete'; at: number; n: number }
  | { t: 'dup'; from: number; n: number; to: number }
  | { t: 'splice'; other: number; at: number; from: number }
  | { t: 'field'; kind: number; pick: number; how: number; rnd: number }
  | { t: 'ifname'; pick: number; len: number; alphabet: number; field: number; copies: number };

export interface Delivery {
  chunks: number[];
  reuse: boolean;
  gzip: { damage: 'none' | 'trunc' | 'flip'; at: number } | null;
  maxPackets: number;
}

export interface AnalysisChoice {
  vxlanPorts: number[];
  genevePorts: number[] | null;
  blockSize: number;
  topPairs: number;
  nodeAddrs: number;
  podCidrs: string[];
  interfaceName: string | null;
  extra: number;
  tableWidth: number;
  /** Render the table too (it is the slowest renderer). */
  table: boolean;
  color: boolean;
}

export interface CaptureCase {
  source: number;
  ops: BinaryOp[];
  delivery: Delivery;
  analysis: AnalysisChoice;
}

export interface JsonOp {
  pick: number;
  action: 'replace' | 'delete' | 'dup' | 'retype' | 'null' | 'empty' | 'huge';
  value: JsonValue;
}

export interface TextCase {
  source: number;
  json: JsonOp[];
  ops: BinaryOp[];
  viaFile: 'no' | 'utf8' | 'bom' | 'utf16le';
  other: number;
}

export const FIELD_KINDS: readonly string[];
export const MAX_INPUT: number;
export const BINARY_DICTIONARY: readonly Uint8Array[];
export const TEXT_DICTIONARY: readonly Uint8Array[];
export const binaryOp: Arbitrary<BinaryOp>;
export const textOp: Arbitrary<BinaryOp>;
export const jsonOp: Arbitrary<JsonOp>;
export const deliveryArbitrary: Arbitrary<Delivery>;
export const analysisArbitrary: Arbitrary<AnalysisChoice>;

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array;
export function locateFields(b: Uint8Array): Field[];
export function applyOp(b: Uint8Array, op: BinaryOp, corpus: readonly Uint8Array[], dictionary: readonly Uint8Array[]): Uint8Array;
export function applyOps(bytes: Uint8Array, ops: readonly BinaryOp[], corpus: readonly Uint8Array[], dictionary?: readonly Uint8Array[]): Uint8Array;
export function captureCaseArbitrary(corpusSize: number): Arbitrary<CaptureCase>;
export function textCaseArbitrary(corpusSize: number): Arbitrary<TextCase>;
export function applyJsonOps(doc: unknown, ops: readonly JsonOp[]): unknown;
export function materializeText(corpusTexts: readonly string[], c: TextCase): string;
export function textFileBytes(text: string, viaFile: TextCase['viaFile']): Uint8Array;
export function ipOneLineText(doc: unknown): string;
