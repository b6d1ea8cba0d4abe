#!/usr/bin/env node
/**
 * podpath's decode-only pass, through the library as a script would use it:
 * readCapture (streaming, 1 MiB chunks) + PacketDecoder.decodeRecord on every
 * packet, counting layers and tunnels so the work cannot be skipped. No
 * rendering, no analysis: the floor under every podpath command.
 *
 *   node bench/decode.mjs FILE   prints {"packets":N,"layers":L,"tunnels":T,"notOk":K,"cut":C,"bytes":B}
 *
 * notOk counts packets that did not decode whole; cut, those the snap length cut after
 * their headers (status truncated, issue frame.snaplen), which are not counted in notOk.
 */
import { PacketDecoder, readCapture } from '../dist/index.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/decode.mjs FILE');
  process.exit(2);
}
const decoder = new PacketDecoder();
let packets = 0;
let layers = 0;
let tunnels = 0;
let notOk = 0;
let cut = 0;
const summary = await readCapture(file, (rec) => {
  const pv = decoder.decodeRecord(rec);
  packets++;
  layers += pv.count;
  tunnels += pv.tunnelCount;
  if (pv.issue === 'frame.snaplen') cut++;
  else if (pv.status !== 0) notOk++;
});
if (summary.error) console.error(`decode: ${summary.error.message}`);
console.log(JSON.stringify({ packets, layers, tunnels, notOk, cut, bytes: summary.captureBytes }));
process.exitCode = summary.error ? 3 : 0;
