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

export type SampleEvent = FamilyEvent | GroupEvent | PointEvent;

function scrapeTimes(input: RenderInput): number[] {
  const step = input.scrapeIntervalSeconds * 1000;
  const out: number[] = [];
  for (let t = input.start; t <= input.end; t += step) {
    out.push(t);
  }
  return out;
}

/**
 * Walks every sample. Series are generated one at a time (the model allows it), so memory stays flat however long
 * the timeline. A `group` event comes again whenever a group's labels change (a new OpenTelemetry instance id).
 */
export function* sampleEvents(input: RenderInput): Generator<SampleEvent> {
  const conv = getConvention(input.convention);
  const times = scrapeTimes(input);
  const step = input.scrapeIntervalSeconds * 1000;
  const labelOpts: LabelOptions = { apiPrefix: input.apiPrefix, target: true };

  yield { kind: 'family', name: conv.name, type: 'histogram', help: 'Duration of HTTP server requests.' };
  const bounds = conv.bucketsSeconds;
  const leText = [...bounds.map((b) => formatBound(conv, b)), '+Inf'];
  for (const model of input.models) {
    const up = times.map((t) => model.isUp(t));
    for (const spec of histogramSeries(model, conv)) {
      const route = model.routes[spec.routeIndex];
      let instance = '';
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
        // Labels change only where the process (and with it, under OpenTelemetry, the instance id) changes.
        const id = model.instanceAt(times[k]);
        if (id !== instance) {
          instance = id;
          const labels = histogramLabels(conv, { ...model.service, instance: id }, route, spec.statusCode, labelOpts);
          yield {
            kind: 'group',
            series: [
              ...leText.map((le) => `${conv.name}_bucket{${labels},le="${le}"}`),
              `${conv.name}_sum{${labels}}`,
              `${conv.name}_count{${labels}}`,
            ],
          };
        }
        const values = snap.buckets;
        values.push(toUnit(conv, snap.sum), snap.count);
        yield { kind: 'point', t: times[k], values };
      }
    }
  }

  if (conv.statusCounter) {
    const sc = conv.statusCounter;
    yield { kind: 'family', name: sc.family, type: 'counter', help: 'Requests by status class.' };
    for (const model of input.models) {
      for (const spec of statusCounterSeries(model, conv)) {
        const route = model.routes[spec.routeIndex];
        let instance = '';
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
            yield { kind: 'group', series: [`${sc.name}{${labels}}`] };
          }
          yield { kind: 'point', t: times[k], values: [count] };
        }
      }
    }
  }

  yield { kind: 'family', name: 'up', type: 'gauge', help: 'Whether the scrape of the target succeeded.' };
  for (const model of input.models) {
    if (model.instancePerProcess) {
      // Pushed over OTLP: nothing scrapes the process, so there is no `up` for it.
      continue;
    }
    yield { kind: 'group', series: [`up{${upLabels(model.service)}}`] };
    for (let k = 0; k < times.length; k++) {
      yield { kind: 'point', t: times[k], values: [model.isUp(times[k]) ? 1 : 0] };
    }
  }
}
