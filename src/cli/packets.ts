/** `podpath packets`: every packet, every layer, one line (or one JSON object) each. */
import type { Command } from 'commander';
import { readCapture, type CaptureSummary } from '../capture/source.js';
import { PacketDecoder } from '../decode/decoder.js';
import { emptyPacketMeta, packetJsonBytes, packetLineBytes, type PacketMeta } from '../render/packets.js';
import { TextBytes } from '../render/text-bytes.js';
import { collectPort, decoderOptions, parseCount, type PortOptions } from './common.js';
import { UsageError } from './exit.js';
import { ClosedOutput, Output } from './output.js';
import { createProgress } from './progress.js';
import { reportCaptureErrors } from './report.js';

/** Bytes of lines passed to stdout at once. */
const OUT_PIECE = 1 << 16;

export interface PacketsOptions extends PortOptions {
  json?: boolean;
  link?: boolean;
  count?: number;
  interface?: string;
}

export function registerPackets(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('packets')
    .description('print every packet with every layer, tunnel-aware (like tcpdump -n)')
    .argument('<capture...>', 'pcap, pcapng or gzip-compressed capture files; - reads stdin')
    .option('--json', 'one JSON object per packet (NDJSON)')
    .option('-e, --link', 'show link-layer headers (MAC addresses, SLL packet type)')
    .option('-c, --count <n>', 'stop after n packets per capture', parseCount)
    .option('--interface <name>', 'name the capturing interface of a capture that does not record it')
    .option('--vxlan-port <port>', 'also decode VXLAN on this UDP port (repeatable; 4789 always)', collectPort)
    .option('--geneve-port <port>', 'also decode Geneve on this UDP port (repeatable; 6081 always)', collectPort)
    .addHelpText(
      'after',
      `
Examples:
  podpath packets node-a.pcap
  podpath packets --json capture.pcapng.gz | jq .tunnels
  ssh node-a tcpdump -i eth1 -w - | podpath packets -
  podpath packets --vxlan-port 8472 flannel.pcap`,
    )
    .action((files: string[], opts: PacketsOptions) => run(() => packetsCommand(files, opts)));
}

export async function packetsCommand(files: string[], opts: PacketsOptions, out = new Output()): Promise<number> {
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const decoder = new PacketDecoder(decoderOptions(opts));
  const summaries: CaptureSummary[] = [];
  const meta: PacketMeta = emptyPacketMeta();
  const progress = createProgress();
  let count = 0;
  // Lines are written as bytes, handed to `out` every OUT_PIECE of them.
  const w = new TextBytes(OUT_PIECE * 2);
  const json = opts.json ?? false;
  const lineOpts = { link: opts.link ?? false };
  const flush = (): Promise<void> => {
    if (w.length > 0) out.bytes(w.take());
    return out.flush();
  };
  for (const file of files) {
    meta.file = file;
    progress.file(file);
    if (files.length > 1 && !json) {
      w.text(`# ${file}`);
      w.byte(10);
    }
    const summary = await readCapture(
      file,
      (rec) => {
        const pv = decoder.decodeRecord(rec);
        count++;
        meta.frame = rec.index;
        meta.tsSec = rec.tsSec;
        meta.tsNsec = rec.tsNsec;
        meta.capLen = rec.capLen;
        meta.wireLen = rec.wireLen;
        meta.interfaceName = rec.iface?.name ?? opts.interface ?? null;
        meta.recordDirection = rec.direction;
        if (out.closed) throw new ClosedOutput();
        if (json) packetJsonBytes(w, pv, meta);
        else packetLineBytes(w, pv, meta, lineOpts);
        w.byte(10);
        if (w.length >= OUT_PIECE) out.bytes(w.take());
      },
      {
        ...(opts.count ? { maxPackets: opts.count } : {}),
        afterChunk: flush,
        onProgress: (bytes) => progress.update(bytes, count),
      },
    );
    summaries.push(summary);
  }
  progress.stop();
  await flush();
  await out.end();
  return reportCaptureErrors(summaries);
}

