// From a panel query to the PromQL it runs and the frames its result becomes. Filters are interpolated to raw values
// here; promql.ts escapes them when it writes the matchers.
import type { DataFrame, ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import {
  errorRatioQuery,
  heatmapQuery,
  meanLatencyQuery,
  quantileQuery,
  requestRateQuery,
  slowShareQuery,
  statusMixQuery,
  timeShareQuery,
  topSlowRoutesQuery,
  type QueryFilters,
  type QueryOptions,
} from '../prometheus/promql';
import { DEFAULT_PREFECT_SETTINGS } from '../catalog/prefectSettings';
import { chooseStep, DEFAULT_SCRAPE_SECONDS, formatDuration, rateWindow } from '../prometheus/step';
import type { MatrixSeries, ResolvedMetric, TimeRange } from '../prometheus/types';
import { heatmapFrame, matrixToFrames } from './frames';
import { DEFAULT_QUANTILES, DEFAULT_SLOW_THRESHOLD_SECONDS, DEFAULT_TOP_N, type PrefectQuery } from './types';
import { interpolateFilter, type FilterValues } from './variables';

/** Scrape interval assumed when neither the settings nor the data tell (Prometheus's and Grafana's default). */
export { DEFAULT_SCRAPE_SECONDS };

export interface PanelContext {
  /** unix seconds */
  window: { start: number; end: number };
  intervalMs?: number;
  maxDataPoints?: number;
  /** Scrape interval of the metric, seconds: floor of the step and basis of the rate window. */
  scrapeSeconds?: number;
  scopedVars?: ScopedVars;
  templateSrv?: Pick<TemplateSrv, 'replace'>;
  /** The data source's PREFECT_API_REQUEST_TIMEOUT, seconds, for `thresholdFrom: 'clientTimeout'`. */
  clientTimeoutSeconds?: number;
}

export interface PanelQuery {
  expr: string;
  range: TimeRange;
  toFrames(series: MatrixSeries[]): DataFrame[];
}

/** Range and step for a panel: Grafana's interval as a floor, never over Prometheus's 11,000 points per series. */
export function panelRange(ctx: PanelContext): TimeRange {
  const span = Math.max(1, ctx.window.end - ctx.window.start);
  const fromInterval = (ctx.intervalMs ?? 0) / 1000;
  const fromPoints = ctx.maxDataPoints ? span / ctx.maxDataPoints : 0;
  const step = chooseStep(span, {
    minStepSeconds: Math.max(fromInterval, fromPoints, 1),
    scrapeIntervalSeconds: ctx.scrapeSeconds ?? DEFAULT_SCRAPE_SECONDS,
  });
  // Aligned to the step so that refreshes hit the same evaluation instants.
  return { start: Math.floor(ctx.window.start / step) * step, end: Math.ceil(ctx.window.end / step) * step, step };
}

function values(filter: FilterValues): string[] | undefined {
  return filter.all ? undefined : filter.values;
}

function percentLabel(q: number): string {
  return `p${Number((q * 100).toPrecision(6))}`;
}

export function buildPanelQueries(q: PrefectQuery, m: ResolvedMetric, ctx: PanelContext): PanelQuery[] {
  const range = panelRange(ctx);
  const filters: QueryFilters = {
    routes: values(interpolateFilter(q.routes, ctx.scopedVars, ctx.templateSrv)),
    methods: values(interpolateFilter(q.methods, ctx.scopedVars, ctx.templateSrv)),
    statuses: values(interpolateFilter(q.statuses, ctx.scopedVars, ctx.templateSrv)),
  };
  const opts: QueryOptions = {
    window: formatDuration(rateWindow(range.step, ctx.scrapeSeconds ?? DEFAULT_SCRAPE_SECONDS)),
    groupBy: q.groupBy ?? [],
    filters,
  };
  const refId = q.refId;
  const series = (
    expr: string,
    unit: 's' | 'reqps' | 'percentunit',
    legendPrefix: string,
    extra?: Record<string, string>
  ) => ({
    expr,
    range,
    toFrames: (result: MatrixSeries[]) => matrixToFrames(result, { refId, unit, legendPrefix, extraLabels: extra }),
  });

  switch (q.queryType ?? 'quantile') {
    case 'quantile': {
      const quantiles = q.quantiles && q.quantiles.length > 0 ? q.quantiles : [DEFAULT_QUANTILES[2]];
      return quantiles.map((quantile) =>
        series(quantileQuery(m, quantile, opts), 's', percentLabel(quantile), { quantile: String(quantile) })
      );
    }
    case 'rate':
      return [series(requestRateQuery(m, opts), 'reqps', 'req/s')];
    case 'errorRatio':
      return [series(errorRatioQuery(m, opts), 'percentunit', '5xx')];
    case 'mean':
      return [series(meanLatencyQuery(m, opts), 's', 'mean')];
    case 'heatmap': {
      // Classic `le` labels stay in the metric's unit; the frame's bucket names are converted to seconds.
      const leScale = m.kind === 'classic' && m.unit === 'milliseconds' ? 0.001 : 1;
      return [
        {
          expr: heatmapQuery(m, { ...opts, groupBy: [] }),
          range,
          toFrames: (result: MatrixSeries[]) => [heatmapFrame(result, refId, leScale)],
        },
      ];
    }
    case 'slowShare': {
      const threshold =
        q.thresholdFrom === 'clientTimeout'
          ? (ctx.clientTimeoutSeconds ?? DEFAULT_PREFECT_SETTINGS.apiRequestTimeoutSeconds)
          : q.thresholdSeconds && q.thresholdSeconds > 0
            ? q.thresholdSeconds
            : DEFAULT_SLOW_THRESHOLD_SECONDS;
      const share = slowShareQuery(m, threshold, opts);
      if (share.expr === null) {
        throw new Error(
          `The metric's buckets cannot count requests slower than ${threshold} s: no bucket bound lies at or below it`
        );
      }
      const query = series(share.expr, 'percentunit', `> ${share.boundSeconds} s`);
      return [
        {
          ...query,
          toFrames: (result: MatrixSeries[]) => {
            const frames = query.toFrames(result);
            if (!share.exact) {
              for (const f of frames) {
                f.meta = {
                  notices: [
                    {
                      severity: 'info',
                      text: `Counted above ${share.boundSeconds} s, the largest bucket bound at or below ${threshold} s: an upper estimate.`,
                    },
                  ],
                };
              }
            }
            return frames;
          },
        },
      ];
    }
    case 'topSlowRoutes': {
      const quantile = q.quantiles && q.quantiles.length > 0 ? q.quantiles[0] : DEFAULT_QUANTILES[2];
      const n = q.topN && q.topN >= 1 ? Math.floor(q.topN) : DEFAULT_TOP_N;
      // Each series is named by its bare route (no "p95 " prefix; the panel's title names the quantile): a table of
      // these rows links to the route drill-down with `${__data.fields.Route}`, which must be the route itself.
      return [series(topSlowRoutesQuery(m, n, quantile, { ...opts, groupBy: [] }), 's', '')];
    }
    case 'timeShare':
      return [series(timeShareQuery(m, opts), 'percentunit', 'time share')];
    case 'statusMix':
      return [series(statusMixQuery(m, opts), 'percentunit', '')];
    default:
      throw new Error(`Query type "${String(q.queryType)}" does not run PromQL`);
  }
}
