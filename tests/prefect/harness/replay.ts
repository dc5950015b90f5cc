// A look-back for the quiet-load check (issue 16): the server's own recorded traffic, replayed back to back before
// the window. Every detector that judges against a baseline (the median of 5-minute blocks over the hours before)
// needs history; a real setup has only the minutes of its own load. So the raw samples the live Prometheus holds
// for the load are copied out and written as OpenMetrics for a second Prometheus (promtool backfill): first the
// load's per-series increments repeated until `historyMs` of look-back is covered, then the recorded samples
// themselves, unchanged in time. Counters stay continuous (each copy starts where the previous one ended), so
// `rate` sees the same requests per second and the same latency mix in the look-back as in the window.
import { promQuery } from '../../harness/prometheus';

interface RawSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface RecordedTraffic {
  /** Series name + labels, and samples (unix ms, value), in time order. */
  series: Array<{ labels: Record<string, string>; samples: Array<[number, number]> }>;
}

/**
 * Raw samples of the classic histogram `name` (its _bucket, _sum and _count series) in (from, to], read from the
 * live Prometheus as a range-vector query (raw samples, no step).
 */
export async function recordTraffic(prometheusUrl: string, name: string, from: number, to: number) {
  const seconds = Math.ceil((to - from) / 1000);
  const result = await promQuery<RawSeries[]>(prometheusUrl, `{__name__=~"${name}_(bucket|sum|count)"}[${seconds}s]`, {
    time: to / 1000,
  });
  return {
    series: result.map((r) => ({
      labels: r.metric,
      samples: r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
    })),
  } satisfies RecordedTraffic;
}

function labelText(labels: Record<string, string>): string {
  const inner = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
  return `${labels.__name__}{${inner}}`;
}

/**
 * OpenMetrics text: the samples of `segment` (a stretch of steady load inside the recording) repeated back to back
 * so that the copies cover at least `historyMs` and end exactly at `segment.from`, then every recorded sample after
 * `segment.from`, unchanged in time. Each copy adds to a counter what the segment added to it, sample for sample
 * (from the sample just before the segment), so the look-back has the segment's request rate and latency mix with no
 * gap at the seams. Each series is its own family of type `unknown` (promtool keeps the names as they are).
 */
export function replayOpenMetrics(
  rec: RecordedTraffic,
  segment: { from: number; to: number },
  historyMs: number
): { text: string; copies: number; historyFrom: number } {
  const period = segment.to - segment.from;
  const copies = Math.ceil(historyMs / period);
  const historyFrom = segment.from - copies * period;
  const families = new Map<string, string[]>();
  for (const s of rec.series) {
    // What the counter held just before the segment (0 for a series that appeared during it).
    const prior = s.samples.filter(([t]) => t <= segment.from).pop()?.[1] ?? 0;
    const inSegment = s.samples.filter(([t]) => t > segment.from && t <= segment.to);
    const after = s.samples.filter(([t]) => t > segment.from);
    if (after.length === 0) {
      continue;
    }
    const step = inSegment.length > 0 ? inSegment[inSegment.length - 1][1] - prior : 0;
    const prefix = labelText(s.labels);
    const out: string[] = [];
    for (let k = 0; k < copies; k++) {
      const shift = historyFrom + k * period - segment.from;
      for (const [t, v] of inSegment) {
        out.push(`${prefix} ${k * step + (v - prior)} ${((t + shift) / 1000).toFixed(3)}`);
      }
    }
    // The recorded samples after the copies, on top of everything the copies added: the counter never falls.
    for (const [t, v] of after) {
      out.push(`${prefix} ${copies * step + (v - prior)} ${(t / 1000).toFixed(3)}`);
    }
    const name = s.labels.__name__;
    const family = families.get(name) ?? [`# TYPE ${name} unknown`];
    family.push(...out);
    families.set(name, family);
  }
  // OpenMetrics wants one block per family.
  const text = [...families.values()].map((f) => f.join('\n') + '\n').join('');
  return { text: text + '# EOF\n', copies, historyFrom };
}
