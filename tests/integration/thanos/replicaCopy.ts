// The second Prometheus of an HA pair holds the same traffic scraped a few seconds later: the same OpenMetrics with
// every timestamp shifted. Streamed in chunks, as two days of a fleet are a few hundred megabytes.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

function shiftLine(line: string, offsetSeconds: number): string {
  if (line === '' || line.startsWith('#')) {
    return line;
  }
  const cut = line.lastIndexOf(' ');
  const seconds = Number(line.slice(cut + 1));
  if (cut < 0 || !Number.isFinite(seconds)) {
    throw new Error(`no timestamp on OpenMetrics line: ${line}`);
  }
  return `${line.slice(0, cut)} ${seconds + offsetSeconds}`;
}

/** Writes `to`: the OpenMetrics file `from` with every sample `offsetSeconds` later. */
export function shiftedOpenMetrics(from: string, to: string, offsetSeconds: number): void {
  const input = openSync(from, 'r');
  const output = openSync(to, 'w');
  try {
    const buf = Buffer.alloc(8 * 1024 * 1024);
    const utf8 = new StringDecoder('utf8');
    let rest = '';
    for (let n = readSync(input, buf); n > 0; n = readSync(input, buf)) {
      const lines = (rest + utf8.write(buf.subarray(0, n))).split('\n');
      rest = lines.pop()!;
      writeSync(output, lines.map((l) => shiftLine(l, offsetSeconds)).join('\n') + '\n');
    }
    if (rest !== '') {
      writeSync(output, shiftLine(rest, offsetSeconds));
    }
  } finally {
    closeSync(input);
    closeSync(output);
  }
}
