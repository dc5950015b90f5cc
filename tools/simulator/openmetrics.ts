// OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`. promtool wants timestamps in SECONDS, one
// block of lines per metric family (its # TYPE first), samples of a series in time order, and a final `# EOF`.
// The samples come from sampleEvents (samples.ts), which the TSDB block stream renders too.
import { closeSync, openSync, writeSync } from 'node:fs';

import { getConvention } from './conventions';
import { sampleEvents, type RenderInput } from './samples';

export type { RenderInput } from './samples';

export interface WriteResult {
  samples: number;
  bytes: number;
}

const CHUNK_CHARS = 1 << 20;

function formatTs(t: number): string {
  return t % 1000 === 0 ? String(t / 1000) : (t / 1000).toFixed(3);
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

/** Yields the file in chunks of about 1 MB of text; `stats.samples` counts sample lines. */
export function* openMetricsChunks(input: RenderInput, stats: { samples: number } = { samples: 0 }): Generator<string> {
  const conv = getConvention(input.convention);
  if (!conv.backfillable) {
    throw new Error(
      `convention ${conv.id} uses a dotted metric name, which promtool cannot backfill; use it with remote write or ` +
        'Prometheus 3 only'
    );
  }
  let buf: string[] = [];
  let size = 0;
  let prefixes: string[] = [];
  for (const e of sampleEvents(input)) {
    let text: string;
    if (e.kind === 'family') {
      text = `# HELP ${e.name} ${e.help}\n# TYPE ${e.name} ${e.type}\n`;
    } else if (e.kind === 'window') {
      continue;
    } else if (e.kind === 'group') {
      prefixes = e.series.map((s) => `${s} `);
      continue;
    } else {
      const ts = formatTs(e.t);
      const lines: string[] = [];
      for (let j = 0; j < prefixes.length; j++) {
        lines.push(`${prefixes[j]}${formatValue(e.values[j])} ${ts}\n`);
      }
      stats.samples += lines.length;
      text = lines.join('');
    }
    buf.push(text);
    size += text.length;
    if (size >= CHUNK_CHARS) {
      yield buf.join('');
      buf = [];
      size = 0;
    }
  }
  buf.push('# EOF\n');
  yield buf.join('');
}

/** The whole file as one string (small inputs and tests). */
export function toOpenMetrics(input: RenderInput): string {
  return Array.from(openMetricsChunks(input)).join('');
}

/** Streams the file to disk; returns how many samples and bytes were written. */
export function writeOpenMetrics(input: RenderInput, file: string): WriteResult {
  const fd = openSync(file, 'w');
  const stats = { samples: 0 };
  let bytes = 0;
  try {
    for (const chunk of openMetricsChunks(input, stats)) {
      bytes += writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return { samples: stats.samples, bytes };
}
