// OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`. promtool wants timestamps in SECONDS, one
// block of lines per metric family (its # TYPE first), samples of a series in time order, and a final `# EOF`.
// Series are generated one at a time (the model allows it), so memory stays flat however long the timeline.
import { closeSync, openSync, writeSync } from 'node:fs';

import {
  formatBound,
  getConvention,
  histogramLabels,
  statusCounterLabels,
  toUnit,
  upLabels,
  type ConventionId,
  type LabelOptions,
} from './conventions';
import { HistogramAccumulator, type TrafficModel } from './model';
import { histogramSeries, statusCounterSeries } from './series';

/** What to render: one or more services' models over a time range at a scrape interval. */
export interface RenderInput {
  convention: ConventionId;
  /** The Prefect server first; optionally other services beside it. */
  models: TrafficModel[];
  /** unix ms */
  start: number;
  end: number;
  scrapeIntervalSeconds: number;
  apiPrefix: boolean;
}

export interface WriteResult {
  samples: number;
  bytes: number;
}

const CHUNK_CHARS = 1 << 20;

function scrapeTimes(input: RenderInput): number[] {
  const step = input.scrapeIntervalSeconds * 1000;
  const out: number[] = [];
  for (let t = input.start; t <= input.end; t += step) {
    out.push(t);
  }
  return out;
}

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
  const times = scrapeTimes(input);
  const tsText = times.map(formatTs);
  const step = input.scrapeIntervalSeconds * 1000;
  const labelOpts: LabelOptions = { apiPrefix: input.apiPrefix, target: true };
  let buf: string[] = [];
  let size = 0;
  const push = (s: string): string | null => {
    buf.push(s);
    size += s.length;
    if (size >= CHUNK_CHARS) {
      const out = buf.join('');
      buf = [];
      size = 0;
      return out;
    }
    return null;
  };

  const header = `# HELP ${conv.name} Duration of HTTP server requests.\n# TYPE ${conv.name} histogram\n`;
  let full = push(header);
  if (full) {
    yield full;
  }
  const bounds = conv.bucketsSeconds;
  const leText = [...bounds.map((b) => formatBound(conv, b)), '+Inf'];
  for (const model of input.models) {
    const up = times.map((t) => model.isUp(t));
    for (const spec of histogramSeries(model, conv)) {
      const route = model.routes[spec.routeIndex];
      let instance = '';
      let bucketPrefix: string[] = [];
      let sumPrefix = '';
      let countPrefix = '';
      // Labels change only where the process (and with it, under OpenTelemetry, the instance id) changes.
      const labelAt = (t: number) => {
        const id = model.instanceAt(t);
        if (id === instance) {
          return;
        }
        instance = id;
        const labels = histogramLabels(conv, { ...model.service, instance: id }, route, spec.statusCode, labelOpts);
        bucketPrefix = leText.map((le) => `${conv.name}_bucket{${labels},le="${le}"} `);
        sumPrefix = `${conv.name}_sum{${labels}} `;
        countPrefix = `${conv.name}_count{${labels}} `;
      };
      const acc = new HistogramAccumulator(model, spec.routeIndex, spec.status, bounds, input.start);
      for (let k = 0; k < times.length; k++) {
        if (!up[k]) {
          continue;
        }
        acc.advance(times[k], step);
        const snap = acc.snapshot();
        if (snap.count === 0) {
          // Clients create a labelled series at its first observation (and again after a restart).
          continue;
        }
        labelAt(times[k]);
        const ts = tsText[k];
        const lines: string[] = [];
        for (let j = 0; j < bucketPrefix.length; j++) {
          lines.push(`${bucketPrefix[j]}${snap.buckets[j]} ${ts}\n`);
        }
        lines.push(`${sumPrefix}${formatValue(toUnit(conv, snap.sum))} ${ts}\n`);
        lines.push(`${countPrefix}${snap.count} ${ts}\n`);
        stats.samples += lines.length;
        full = push(lines.join(''));
        if (full) {
          yield full;
        }
      }
    }
  }

  if (conv.statusCounter) {
    const sc = conv.statusCounter;
    full = push(`# HELP ${sc.family} Requests by status class.\n# TYPE ${sc.family} counter\n`);
    if (full) {
      yield full;
    }
    for (const model of input.models) {
      for (const spec of statusCounterSeries(model, conv)) {
        const route = model.routes[spec.routeIndex];
        const prefixAt = (t: number) =>
          `${sc.name}{${statusCounterLabels(conv, { ...model.service, instance: model.instanceAt(t) }, route, spec.statusClass, labelOpts)}} `;
        const acc = new HistogramAccumulator(model, spec.routeIndex, spec.status, [], input.start);
        for (let k = 0; k < times.length; k++) {
          if (!model.isUp(times[k])) {
            continue;
          }
          acc.advance(times[k], step);
          const count = acc.snapshot().count;
          if (count === 0) {
            continue;
          }
          stats.samples++;
          full = push(`${prefixAt(times[k])}${count} ${tsText[k]}\n`);
          if (full) {
            yield full;
          }
        }
      }
    }
  }

  full = push('# HELP up Whether the scrape of the target succeeded.\n# TYPE up gauge\n');
  if (full) {
    yield full;
  }
  for (const model of input.models) {
    if (model.instancePerProcess) {
      // Pushed over OTLP: nothing scrapes the process, so there is no `up` for it.
      continue;
    }
    const prefix = `up{${upLabels(model.service)}} `;
    for (let k = 0; k < times.length; k++) {
      stats.samples++;
      full = push(`${prefix}${model.isUp(times[k]) ? 1 : 0} ${tsText[k]}\n`);
      if (full) {
        yield full;
      }
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
