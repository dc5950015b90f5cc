// Every sample the simulator stores, in the order a backfill wants them: one metric family at a time, one series
// group at a time (a histogram's buckets, sum and count together), each group's points in time order. The
// OpenMetrics text (openmetrics.ts) and the binary stream for the TSDB block writer (tsdbStream.ts) both render
// this one walk, so which series exist, their labels and their values are defined once.
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

/** A metric family starts; its groups follow until the next family. */
export interface FamilyEvent {
  kind: 'family';
  name: string;
  type: 'histogram' | 'counter' | 'gauge';
  help: string;
}

/** The series of the points that follow: `name{labels}` per value, in the order of `PointEvent.values`. */
export interface GroupEvent {
  kind: 'group';
  series: string[];
}

/** One scrape of the current group. */
export interface PointEvent {
  kind: 'point';
  /** unix ms */
  t: number;
  values: number[];
}

/** A time window starts: every series of the walk so far comes again for its points in [start, end). */
export interface WindowEvent {
  kind: 'window';
  /** unix ms */
  start: number;
  end: number;
}

export type SampleEvent = FamilyEvent | GroupEvent | PointEvent | WindowEvent;

export interface SampleWalkOptions {
  /**
   * Walk the range in windows of this many ms, each window one series at a time (and each window starting with a
   * `window` event). Default: one window for the whole range, which is what promtool's text wants. A TSDB block
   * writer wants windows, so that it holds one block's samples at a time instead of the whole range.
   */
  windowMs?: number;
}

function scrapeTimes(input: RenderInput): number[] {
  const step = input.scrapeIntervalSeconds * 1000;
  const out: number[] = [];
  for (let t = input.start; t <= input.end; t += step) {
    out.push(t);
  }
  return out;
}

/** One series group's points over scrape indices [from, to), its state kept from one window to the next. */
type Producer = (from: number, to: number) => Generator<SampleEvent>;

/**
 * Walks every sample. Series are generated one at a time (the model allows it), so memory stays flat however long
 * the timeline. A `group` event comes again whenever a group's labels change (a new OpenTelemetry instance id) and
 * at the start of every window.
 */
export function* sampleEvents(input: RenderInput, opts: SampleWalkOptions = {}): Generator<SampleEvent> {
  const conv = getConvention(input.convention);
  const times = scrapeTimes(input);
  const step = input.scrapeIntervalSeconds * 1000;
  const labelOpts: LabelOptions = { apiPrefix: input.apiPrefix, target: true };
  const families: Array<{ family: FamilyEvent; producers: Producer[] }> = [];

  const histograms: Producer[] = [];
  families.push({
    family: { kind: 'family', name: conv.name, type: 'histogram', help: 'Duration of HTTP server requests.' },
    producers: histograms,
  });
  const bounds = conv.bucketsSeconds;
  const leText = [...bounds.map((b) => formatBound(conv, b)), '+Inf'];
  for (const model of input.models) {
    let up: boolean[] | undefined;
    for (const spec of histogramSeries(model, conv)) {
      const route = model.routes[spec.routeIndex];
      let instance = '';
      let group: GroupEvent | undefined;
      const acc = new HistogramAccumulator(model, spec.routeIndex, spec.status, bounds, input.start);
      histograms.push(function* (from, to) {
        up ??= times.map((t) => model.isUp(t));
        let announced = false;
        for (let k = from; k < to; k++) {
          if (!up[k]) {
            continue;
          }
          acc.advance(times[k], step);
          const snap = acc.snapshot();
          if (snap.count === 0) {
            // Clients create a labelled series at its first observation (and again after a restart).
            continue;
          }
          // Labels change only where the process (and with it, under OpenTelemetry, the instance id) changes.
          const id = model.instanceAt(times[k]);
          if (id !== instance) {
            instance = id;
            const labels = histogramLabels(conv, { ...model.service, instance: id }, route, spec.statusCode, labelOpts);
            group = {
              kind: 'group',
              series: [
                ...leText.map((le) => `${conv.name}_bucket{${labels},le="${le}"}`),
                `${conv.name}_sum{${labels}}`,
                `${conv.name}_count{${labels}}`,
              ],
            };
            announced = false;
          }
          if (!announced) {
            yield group!;
            announced = true;
          }
          const values = snap.buckets;
          values.push(toUnit(conv, snap.sum), snap.count);
          yield { kind: 'point', t: times[k], values };
        }
      });
    }
  }

  if (conv.statusCounter) {
    const sc = conv.statusCounter;
    const counters: Producer[] = [];
    families.push({
      family: { kind: 'family', name: sc.family, type: 'counter', help: 'Requests by status class.' },
      producers: counters,
    });
    for (const model of input.models) {
      for (const spec of statusCounterSeries(model, conv)) {
        const route = model.routes[spec.routeIndex];
        let instance = '';
        let group: GroupEvent | undefined;
        const acc = new HistogramAccumulator(model, spec.routeIndex, spec.status, [], input.start);
        counters.push(function* (from, to) {
          let announced = false;
          for (let k = from; k < to; k++) {
            if (!model.isUp(times[k])) {
              continue;
            }
            acc.advance(times[k], step);
            const count = acc.snapshot().count;
            if (count === 0) {
              continue;
            }
            const id = model.instanceAt(times[k]);
            if (id !== instance) {
              instance = id;
              const labels = statusCounterLabels(
                conv,
                { ...model.service, instance: id },
                route,
                spec.statusClass,
                labelOpts
              );
              group = { kind: 'group', series: [`${sc.name}{${labels}}`] };
              announced = false;
            }
            if (!announced) {
              yield group!;
              announced = true;
            }
            yield { kind: 'point', t: times[k], values: [count] };
          }
        });
      }
    }
  }

  const ups: Producer[] = [];
  families.push({
    family: { kind: 'family', name: 'up', type: 'gauge', help: 'Whether the scrape of the target succeeded.' },
    producers: ups,
  });
  for (const model of input.models) {
    if (model.instancePerProcess) {
      // Pushed over OTLP: nothing scrapes the process, so there is no `up` for it.
      continue;
    }
    const group: GroupEvent = { kind: 'group', series: [`up{${upLabels(model.service)}}`] };
    ups.push(function* (from, to) {
      if (from < to) {
        yield group;
      }
      for (let k = from; k < to; k++) {
        yield { kind: 'point', t: times[k], values: [model.isUp(times[k]) ? 1 : 0] };
      }
    });
  }

  const windowMs = opts.windowMs ?? Infinity;
  for (let from = 0; from < times.length; ) {
    let to = from + 1;
    while (to < times.length && times[to] - times[from] < windowMs) {
      to++;
    }
    if (opts.windowMs !== undefined) {
      yield { kind: 'window', start: times[from], end: times[to - 1] + 1 };
    }
    for (const { family, producers } of families) {
      yield family;
      for (const produce of producers) {
        yield* produce(from, to);
      }
    }
    from = to;
  }
}
