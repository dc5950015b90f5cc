// The simulator's samples as a compact binary stream for tools/tsdb-writer, which writes them into a Prometheus
// TSDB block: ~9 bytes a sample instead of ~60 of OpenMetrics text, and no text parsing on either side. Format in
// tools/tsdb-writer/main.go. Same walk as the OpenMetrics text (sampleEvents), so both hold the same samples.
import { sampleEvents, type RenderInput } from './samples';

const CHUNK_BYTES = 1 << 20;

/**
 * A block per this many ms of samples: the writer's head holds one block's samples in memory (the 30-day fleet in
 * one block passed 11 GB before it was stopped). Prometheus leaves blocks of a day alone when started with
 * `--storage.tsdb.max-block-duration=1d` (its compaction ranges then stop at 18 h).
 */
export const BLOCK_MS = 86_400_000;

/** Yields the stream in chunks of about 1 MB; `stats.samples` counts the samples written. */
export function* tsdbStreamChunks(
  input: RenderInput,
  stats: { samples: number } = { samples: 0 },
  blockMs = BLOCK_MS
): Generator<Buffer> {
  let buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let at = 0;
  let width = 0;
  // Chunks are handed to a pipe that may still hold them, so each one is a fresh buffer.
  const room = function* (bytes: number): Generator<Buffer> {
    if (at + bytes > buf.length) {
      yield buf.subarray(0, at);
      buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
      at = 0;
    }
  };
  let windows = 0;
  for (const e of sampleEvents(input, { windowMs: blockMs })) {
    if (e.kind === 'family') {
      continue;
    }
    if (e.kind === 'window') {
      if (windows++ > 0) {
        // The block so far is complete: the writer flushes it before the next window's samples.
        yield* room(1);
        buf[at++] = 0x42; // 'B'
      }
      continue;
    }
    if (e.kind === 'group') {
      const texts = e.series.map((s) => Buffer.from(s, 'utf8'));
      yield* room(3 + texts.reduce((n, t) => n + 2 + t.length, 0));
      buf[at++] = 0x47; // 'G'
      at = buf.writeUInt16LE(texts.length, at);
      for (const t of texts) {
        at = buf.writeUInt16LE(t.length, at);
        at += t.copy(buf, at);
      }
      width = texts.length;
      continue;
    }
    if (e.values.length !== width) {
      throw new Error(`point with ${e.values.length} values in a group of ${width} series`);
    }
    yield* room(9 + 8 * width);
    buf[at++] = 0x50; // 'P'
    at = buf.writeDoubleLE(e.t, at);
    for (let j = 0; j < width; j++) {
      at = buf.writeDoubleLE(e.values[j], at);
    }
    stats.samples += width;
  }
  yield* room(1);
  buf[at++] = 0x45; // 'E'
  yield buf.subarray(0, at);
}
