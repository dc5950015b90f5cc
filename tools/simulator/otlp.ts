// The same traffic as OTLP/JSON metric exports (opentelemetry-proto's ExportMetricsServiceRequest in its JSON
// mapping), as an OpenTelemetry SDK with cumulative temporality would push them every export interval. Explicit
// bucket histograms use the convention's bounds; exponential histograms (what
// OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=base2_exponential_bucket_histogram gives) become native
// histograms in Prometheus 3.
import { getConvention, routeLabelValue } from './conventions';
import { HistogramAccumulator, type TrafficModel } from './model';
import type { RenderInput } from './openmetrics';
import { histogramSeries } from './series';

export interface OtlpRenderOptions {
  /** OpenTelemetry instrument name, e.g. `http.server.request.duration`. */
  instrument: string;
  /** UCUM unit of the instrument (`s` under the stable conventions, `ms` under the old ones). */
  unit: 's' | 'ms';
  histogram: 'explicit' | 'exponential';
  /** Exponential histograms: scale (base 2^(2^-scale)); 3 gives buckets about 9 % wide. Default 3. */
  scale?: number;
  /** Attribute keys for route, method and status (default: the stable HTTP semantic conventions). */
  attributes?: { route: string; method: string; status: string };
}

type AnyValue = { stringValue: string } | { intValue: string };
interface KeyValue {
  key: string;
  value: AnyValue;
}

interface ExplicitPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum: number;
  bucketCounts: string[];
  explicitBounds: number[];
}

interface ExponentialPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum: number;
  scale: number;
  zeroCount: string;
  positive: { offset: number; bucketCounts: string[] };
}

// AggregationTemporality CUMULATIVE in opentelemetry-proto's metrics.proto.
const CUMULATIVE = 2;

export interface OtlpExportRequest {
  resourceMetrics: Array<{
    resource: { attributes: KeyValue[] };
    scopeMetrics: Array<{
      scope: { name: string };
      metrics: Array<{
        name: string;
        unit: string;
        histogram?: { aggregationTemporality: number; dataPoints: ExplicitPoint[] };
        exponentialHistogram?: { aggregationTemporality: number; dataPoints: ExponentialPoint[] };
      }>;
    }>;
  }>;
}

const STABLE_ATTRIBUTES = { route: 'http.route', method: 'http.request.method', status: 'http.response.status_code' };
// Exponential buckets cover 1 ms .. 256 s (in the instrument's unit when it is seconds): the simulator's latencies.
const EXPONENTIAL_MIN_SECONDS = 0.001;
const EXPONENTIAL_MAX_SECONDS = 256;

function nanos(ms: number): string {
  return (BigInt(Math.round(ms)) * BigInt(1_000_000)).toString();
}

function str(key: string, value: string): KeyValue {
  return { key, value: { stringValue: value } };
}

/** Bucket indexes [offset, offset + n) of an exponential histogram at `scale` covering [min, max] (unit values). */
function exponentialLayout(scale: number, min: number, max: number): { offset: number; upper: number[] } {
  const perOctave = 2 ** scale;
  // Bucket i holds (base^i, base^(i+1)], base = 2^(2^-scale).
  const offset = Math.floor(Math.log2(min) * perOctave);
  const end = Math.ceil(Math.log2(max) * perOctave);
  const upper: number[] = [];
  for (let i = offset; i < end; i++) {
    upper.push(2 ** ((i + 1) / perOctave));
  }
  return { offset, upper };
}

interface SeriesState {
  model: TrafficModel;
  acc: HistogramAccumulator;
  attributes: KeyValue[];
  /** Per-bucket counts last exported: an SDK's bucket counts never go down between exports of one process. */
  own: number[];
  count: number;
}

/**
 * Per-bucket counts for a new cumulative snapshot that never fall below the last ones (a fall is a counter reset to
 * Prometheus's native histograms) and sum to the count. Rounding the accumulator's cumulative counts alone can move
 * one request from a bucket to its neighbour between exports, so the new requests are handed out by how far each
 * bucket is behind its target, largest shortfall first.
 */
function monotoneOwnCounts(state: SeriesState, cumulative: number[], count: number): number[] {
  if (count < state.count) {
    state.own = state.own.map(() => 0);
  }
  const target = cumulative.map((c, j) => c - (j === 0 ? 0 : cumulative[j - 1]));
  const own = state.own.slice();
  let left = count - own.reduce((a, b) => a + b, 0);
  const shortfall = target.map((t, j) => Math.max(0, t - own[j]));
  const total = shortfall.reduce((a, b) => a + b, 0);
  if (left > 0 && total > 0) {
    const shares = shortfall.map((d) => (d * left) / total);
    shares.forEach((x, j) => (own[j] += Math.floor(x)));
    left -= shares.reduce((a, x) => a + Math.floor(x), 0);
    const order = shares.map((x, j) => [x - Math.floor(x), j] as const).sort((a, b) => b[0] - a[0]);
    for (let k = 0; k < left; k++) {
      own[order[k % order.length][1]]++;
    }
  } else if (left > 0) {
    own[own.length - 1] += left;
  }
  state.own = own;
  state.count = count;
  return own;
}

/**
 * One export request per export interval (the timeline's scrape interval), in time order, for every model that is
 * up then (a stopped server pushes nothing). Series appear at their first request, as SDKs create them.
 */
export function* otlpExports(input: RenderInput, opts: OtlpRenderOptions): Generator<OtlpExportRequest> {
  const conv = getConvention(input.convention);
  const attrs = opts.attributes ?? STABLE_ATTRIBUTES;
  const toUnit = opts.unit === 'ms' ? 1000 : 1;
  const scale = opts.scale ?? 3;
  const layout =
    opts.histogram === 'exponential'
      ? exponentialLayout(scale, EXPONENTIAL_MIN_SECONDS * toUnit, EXPONENTIAL_MAX_SECONDS * toUnit)
      : null;
  // The accumulator counts at upper bounds in seconds; the last bucket takes everything above the one before it.
  const boundsSeconds = layout ? layout.upper.slice(0, -1).map((b) => b / toUnit) : conv.bucketsSeconds;
  const explicitBounds = conv.bucketsSeconds.map((b) => Number((b * toUnit).toPrecision(12)));

  const perModel = input.models.map((model) => ({
    model,
    series: histogramSeries(model, conv).map((spec): SeriesState => ({
      model,
      acc: new HistogramAccumulator(model, spec.routeIndex, spec.status, boundsSeconds, input.start),
      own: new Array<number>(boundsSeconds.length + 1).fill(0),
      count: 0,
      attributes: [
        str(attrs.route, routeLabelValue(model.routes[spec.routeIndex], input.apiPrefix)),
        str(attrs.method, model.routes[spec.routeIndex].method),
        ...(spec.statusCode ? [{ key: attrs.status, value: { intValue: spec.statusCode } }] : []),
      ],
    })),
  }));
  const stepMs = input.scrapeIntervalSeconds * 1000;
  for (let t = input.start; t <= input.end; t += stepMs) {
    const resourceMetrics: OtlpExportRequest['resourceMetrics'] = [];
    for (const { model, series } of perModel) {
      if (!model.isUp(t)) {
        continue;
      }
      const start = nanos(model.processStart(t));
      const time = nanos(t);
      const explicit: ExplicitPoint[] = [];
      const exponential: ExponentialPoint[] = [];
      for (const s of series) {
        s.acc.advance(t, stepMs);
        const snap = s.acc.snapshot();
        if (snap.count === 0) {
          continue;
        }
        // Cumulative counts at each bound (the last entry is the total) to per-bucket counts.
        const own = monotoneOwnCounts(s, snap.buckets, snap.count).map(String);
        const base = {
          attributes: s.attributes,
          startTimeUnixNano: start,
          timeUnixNano: time,
          count: String(snap.count),
        };
        const sum = Number((snap.sum * toUnit).toPrecision(12));
        if (layout) {
          exponential.push({
            ...base,
            sum,
            scale,
            zeroCount: '0',
            positive: { offset: layout.offset, bucketCounts: own },
          });
        } else {
          explicit.push({ ...base, sum, bucketCounts: own, explicitBounds });
        }
      }
      if (explicit.length + exponential.length === 0) {
        continue;
      }
      resourceMetrics.push({
        resource: {
          attributes: [
            str('service.name', model.service.serviceName),
            str('service.instance.id', model.service.instance),
          ],
        },
        scopeMetrics: [
          {
            scope: { name: 'opentelemetry.instrumentation.fastapi' },
            metrics: [
              {
                name: opts.instrument,
                unit: opts.unit,
                ...(layout
                  ? { exponentialHistogram: { aggregationTemporality: CUMULATIVE, dataPoints: exponential } }
                  : { histogram: { aggregationTemporality: CUMULATIVE, dataPoints: explicit } }),
              },
            ],
          },
        ],
      });
    }
    if (resourceMetrics.length > 0) {
      yield { resourceMetrics };
    }
  }
}
