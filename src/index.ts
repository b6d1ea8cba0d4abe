/**
 * podpath as a library: open → decode → analyze → render.
 *
 *   import { readCapture, PacketDecoder, packetJson } from 'podpath';
 *   const decoder = new PacketDecoder({ vxlanPorts: [4789, 8472] });
 *   await readCapture('node-a.pcap', (rec) => {
 *     const pv = decoder.decodeRecord(rec);   // reused view: read it here, do not keep it
 *   });
 */
export { CaptureFormatError } from './capture/errors.js';
export type { CaptureErrorCode } from './capture/errors.js';
export { CaptureRecord, type CaptureInterface, type CaptureFormat, type RecordSink } from './capture/record.js';
export { readCapture, readCaptureStream, type CaptureSummary, type ReadOptions } from './capture/source.js';
export { CaptureStream, detectFormat } from './capture/stream.js';
export { PacketDecoder, LINKTYPE, type DecoderOptions } from './decode/decoder.js';
export { FastDecoder, FastPacket, INNER6, OUTER6, TCP_HEADER_CUT } from './decode/fast.js';
export { PacketView, Layer, Proto, Status, PROTO_NAMES, STATUS_NAMES, MAX_LAYERS, MAX_TUNNEL_DEPTH } from './decode/packet.js';
export { tunnelMode, tunnelId, type TunnelMode } from './decode/tunnels.js';
export { packetJson, packetLine, layerJson, type PacketMeta } from './render/packets.js';
export { ipv4String, ipv6String, macString } from './render/addr.js';
export { main } from './cli/program.js';
export { analyzeCaptures, type AnalyzeOptions, type AnalyzeResult } from './analysis/analyze.js';
export { REPORT_SCHEMA } from './analysis/report.js';
export type { Report, PathReport, NodeReport, Finding, CaptureInfo, Mode, InterfaceEvidence } from './analysis/report.js';
export { loadNodeAddrs, parseNodeAddrs, NodeAddrsIndex, NodeAddrsError, type NodeAddrs } from './analysis/node-addrs.js';
export { verifyReport, type Expectation, type VerifyResult } from './analysis/verify.js';
export { diffReports, type DiffResult } from './analysis/diff.js';
export { loadReport, validateReport, ReportFileError } from './analysis/report-file.js';
export { renderTable } from './render/table.js';
export { renderMarkdown } from './render/markdown.js';
export { renderJson } from './render/json.js';
