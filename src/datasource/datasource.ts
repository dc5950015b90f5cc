// The data source class stays thin: it wires Grafana's request/response types to the pure core. PromQL comes from
// panelQueries.ts, frames from frames.ts, variables from variables.ts, annotations from annotations.ts.
import { Observable } from 'rxjs';
import {
  DataSourceApi,
  LoadingState,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type LegacyMetricFindQueryOptions,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { grafanaSubPath } from '../utils/href';
import type { PrefectSettings } from '../catalog/prefectSettings';
import { episodesToAnnotations, insightStatuses } from '../insights/annotations';
import { scan, type ScanResult } from '../insights/engine';
import { createSharedRuns } from '../insights/engine/sharedRuns';
import { createPrometheusApi } from '../prometheus/client';
import { withRangeCache } from '../prometheus/rangeCache';
import { describeResolution, listLabelValues, resolveMetric, seriesSelector } from '../prometheus/resolve';
import { describeThanosStores, type ThanosStoresVerdict } from '../prometheus/thanosStores';
import { downsamplingAdvice } from '../prometheus/downsampling';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, isValidTimeLimit } from '../prometheus/timeLimit';
import type { MetricOverrides, PrometheusApi, RequestOptions, ResolvedMetric } from '../prometheus/types';
import { createAnnotationSupport } from './annotations';
import { filterEpisodes } from './episodes';
import { annotationsFrame, episodesTableFrame, insightStatusFrame } from './frames';
import { withNotices } from './notices';
import { abortable, apiWith, apiWithSignal } from './abortable';
import { createNoticeCollector, type Notices } from '../prometheus/warnings';
import { buildPanelQueries, DEFAULT_SCRAPE_SECONDS } from './panelQueries';
import { insightTimelineFrame } from './timelineFrame';
import { resourceTransport } from './resourceTransport';
import {
  cleanOverrides,
  DEFAULT_MAX_ANNOTATIONS,
  isScanQueryType,
  prefectSettingsOf,
  type ScanQueryType,
  type PrefectDataSourceOptions,
  type PrefectQuery,
} from './types';
import { interpolateFilter } from './variables';
import { defaultLokiUid } from './lokiSource';
import { measureScrapeInterval } from './scrapeInterval';
import { adviceUrl } from '../utils/utils.routing';

// A resolved metric is reused for this long; a metric that appears later (new instrumentation) is then picked up.
const METRIC_CACHE_MS = 5 * 60_000;
const DAY_S = 86_400;
// Identical scans of one refresh (annotation, insights table, status table; the advice page's two targets) share one
// run; the result is kept briefly so panels that arrive a little late still join, and a manual refresh a minute
// later (a new range) scans again.
const SCAN_SHARE_MS = 30_000;
const SCAN_SHARE_ENTRIES = 16;

export const NO_PROMETHEUS_MESSAGE =
  "No Prometheus data source selected: open this data source's settings, choose the Prometheus data source that " +
  'scrapes the Prefect server under "Prometheus", then Save & test.';

/** Variable queries understood by metricFindQuery. */
export const VARIABLE_QUERIES = ['routes()', 'methods()', 'statuses()'] as const;
const VARIABLE_KINDS: Record<string, 'route' | 'method' | 'status' | undefined> = {
  'routes()': 'route',
  'methods()': 'method',
  'statuses()': 'status',
};

interface TimeWindow {
  /** unix seconds */
  start: number;
  end: number;
}

function rangeOf(request: { range?: { from: { valueOf(): number }; to: { valueOf(): number } } }): TimeWindow {
  const now = Math.floor(Date.now() / 1000);
  if (!request.range) {
    return { start: now - 6 * 3600, end: now };
  }
  return { start: Math.floor(request.range.from.valueOf() / 1000), end: Math.ceil(request.range.to.valueOf() / 1000) };
}

/**
 * The chosen Prometheus data source's `jsonData.httpMethod`, from the settings Grafana gives the frontend at boot.
 * Undefined when that data source is not visible to this user; the transport then falls back to GET on a 405.
 */
function prometheusHttpMethod(uid: string): string | undefined {
  try {
    const json = getDataSourceSrv().getInstanceSettings(uid)?.jsonData as { httpMethod?: unknown } | undefined;
    const method = json?.httpMethod;
    return typeof method === 'string' ? method : undefined;
  } catch {
    return undefined;
  }
}

/** Prometheus's warnings and infos as sentences for Save & test; '' when it said nothing. */
export function noticeSentences(n: Notices): string {
  return (
    (n.warnings.length > 0 ? ` Prometheus warned: ${n.warnings.join('; ')}.` : '') +
    (n.infos.length > 0 ? ` Prometheus noted: ${n.infos.join('; ')}.` : '')
  );
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error && e.message) {
    return e.message;
  }
  return typeof e === 'string' && e !== '' ? e : 'Unknown error while querying Prometheus';
}

export class DataSource extends DataSourceApi<PrefectQuery, PrefectDataSourceOptions> {
  readonly prometheusUid?: string;
  readonly settings: PrefectSettings;
  readonly overrides: MetricOverrides;
  private api?: PrometheusApi;
  private metricCache?: { at: number; promise: Promise<ResolvedMetric> };
  private readonly configuredScrapeSeconds?: number;
  private readonly requestTimeoutSeconds: number;
  private readonly thanosDownsampling: boolean;
  private scrapeCache?: { at: number; metric: ResolvedMetric; promise: Promise<number> };
  private readonly scans = createSharedRuns<ScanResult>({ ttlMs: SCAN_SHARE_MS, maxEntries: SCAN_SHARE_ENTRIES });

  constructor(instanceSettings: DataSourceInstanceSettings<PrefectDataSourceOptions>) {
    super(instanceSettings);
    const json = instanceSettings.jsonData ?? {};
    this.prometheusUid = json.prometheusUid || undefined;
    this.settings = prefectSettingsOf(json);
    this.overrides = cleanOverrides(json.overrides);
    const scrape = Number(json.scrapeIntervalSeconds);
    this.configuredScrapeSeconds = scrape > 0 ? scrape : undefined;
    const limit = Number(json.requestTimeoutSeconds);
    this.requestTimeoutSeconds = isValidTimeLimit(limit) ? limit : DEFAULT_REQUEST_TIMEOUT_SECONDS;
    this.thanosDownsampling = json.thanosDownsampling === true;
    this.annotations = createAnnotationSupport();
  }

  /**
   * The Prometheus API through the Prometheus data source's resource route; throws the actionable message when no
   * Prometheus is selected.
   */
  prometheus(): PrometheusApi {
    if (!this.prometheusUid) {
      throw new Error(NO_PROMETHEUS_MESSAGE);
    }
    // Range answers are kept per data source instance, so a refresh of a moving window reads only its new tail.
    this.api ??= withRangeCache(
      createPrometheusApi(
        resourceTransport(this.prometheusUid, {
          timeoutSeconds: this.requestTimeoutSeconds,
          httpMethod: prometheusHttpMethod(this.prometheusUid),
        })
      )
    );
    return this.api;
  }

  /**
   * Resolves the metric once (per data source instance, i.e. per saved overrides) and reuses it for a while. A
   * `signal` stops the wait; it aborts the requests only when this call started them (a failed resolution is not
   * kept, so the next caller starts afresh).
   */
  resolveMetric(
    window: TimeWindow,
    signal?: AbortSignal,
    onWarning?: RequestOptions['onWarning']
  ): Promise<ResolvedMetric> {
    const cached = this.metricCache;
    if (cached && Date.now() - cached.at < METRIC_CACHE_MS) {
      return abortable(cached.promise, signal);
    }
    const api = apiWith(this.prometheus(), { signal, onWarning });
    // Look back at least a day so a short panel range over a quiet period still finds the metric.
    const promise = resolveMetric(api, this.overrides, {
      start: Math.min(window.start, window.end - DAY_S),
      end: window.end,
    });
    const entry = { at: Date.now(), promise };
    this.metricCache = entry;
    promise.catch(() => {
      if (this.metricCache === entry) {
        this.metricCache = undefined;
      }
    });
    return abortable(promise, signal);
  }

  /**
   * The metric's scrape interval: the setting, else measured once per metric resolution. A failed or inconclusive
   * measurement falls back to 15 s rather than failing the panel.
   */
  scrapeInterval(metric: ResolvedMetric, window: TimeWindow, signal?: AbortSignal): Promise<number> {
    if (this.configuredScrapeSeconds) {
      return Promise.resolve(this.configuredScrapeSeconds);
    }
    const cached = this.scrapeCache;
    if (cached && cached.metric === metric && Date.now() - cached.at < METRIC_CACHE_MS) {
      return abortable(cached.promise, signal);
    }
    const entry = { at: Date.now(), metric, promise: Promise.resolve(DEFAULT_SCRAPE_SECONDS) };
    entry.promise = measureScrapeInterval(apiWithSignal(this.prometheus(), signal), metric, window.end).then(
      (seconds) => seconds ?? DEFAULT_SCRAPE_SECONDS,
      () => {
        // An aborted measurement says nothing about the interval: forget it rather than keep the fallback.
        if (signal?.aborted && this.scrapeCache === entry) {
          this.scrapeCache = undefined;
        }
        return DEFAULT_SCRAPE_SECONDS;
      }
    );
    this.scrapeCache = entry;
    return abortable(entry.promise, signal);
  }

  query(request: DataQueryRequest<PrefectQuery>): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((subscriber) => {
      const controller = new AbortController();
      const targets = request.targets.filter((t) => !t.hide);
      Promise.all(
        targets.map((target) =>
          this.runTarget(target, request, controller.signal).then(
            (frames) => ({ frames, error: undefined }),
            (e: unknown) => ({ frames: [] as DataFrame[], error: { refId: target.refId, message: errorMessage(e) } })
          )
        )
      ).then((results) => {
        if (controller.signal.aborted) {
          return;
        }
        const errors: DataQueryError[] = results.flatMap((r) => (r.error ? [r.error] : []));
        const data = results.flatMap((r) => r.frames);
        subscriber.next({
          data,
          errors: errors.length > 0 ? errors : undefined,
          state: errors.length > 0 ? LoadingState.Error : LoadingState.Done,
        });
        subscriber.complete();
      });
      return () => controller.abort();
    });
  }

  private async runTarget(
    target: PrefectQuery,
    request: DataQueryRequest<PrefectQuery>,
    signal: AbortSignal
  ): Promise<DataFrame[]> {
    const window = rangeOf(request);
    const api = this.prometheus();
    const metric = await this.resolveMetric(window);
    if (signal.aborted) {
      return [];
    }
    const scopedVars: ScopedVars = request.scopedVars ?? {};
    const queryType = target.queryType ?? 'quantile';
    if (isScanQueryType(queryType)) {
      return this.runInsights(target, queryType, api, metric, window, scopedVars, signal);
    }
    const scrapeSeconds = await this.scrapeInterval(metric, window);
    if (signal.aborted) {
      return [];
    }
    const panelQueries = buildPanelQueries(target, metric, {
      window,
      intervalMs: request.intervalMs,
      maxDataPoints: request.maxDataPoints,
      scrapeSeconds,
      scopedVars,
      clientTimeoutSeconds: this.settings.apiRequestTimeoutSeconds,
    });
    const collected = createNoticeCollector();
    const onWarning = collected.add;
    const frames = await Promise.all(
      panelQueries.map(async (pq) => pq.toFrames(await api.queryRange(pq.expr, pq.range, { signal, onWarning })))
    );
    return withNotices(frames.flat(), collected.result(), target.refId);
  }

  private async runInsights(
    target: PrefectQuery,
    queryType: ScanQueryType,
    api: PrometheusApi,
    metric: ResolvedMetric,
    window: TimeWindow,
    scopedVars: ScopedVars,
    signal: AbortSignal
  ): Promise<DataFrame[]> {
    const from = window.start * 1000;
    const to = window.end * 1000;
    const result = await this.sharedScan(api, metric, from, to, signal);
    const episodes = filterEpisodes(result.episodes, {
      insights: target.insights,
      minSeverity: target.minSeverity,
      routes: interpolateFilter(target.routes, scopedVars),
    });
    const notices = { warnings: result.warnings, infos: result.infos, noData: result.noData };
    if (queryType === 'insightStatus') {
      const statuses = insightStatuses(episodes, to, result.step, { noData: Boolean(result.noData) });
      return withNotices([insightStatusFrame(statuses, target.refId)], notices, target.refId);
    }
    if (queryType === 'insightTimeline') {
      return withNotices(
        [insightTimelineFrame(episodes, { fromMs: from, toMs: to, stepMs: result.step }, target.refId)],
        notices,
        target.refId
      );
    }
    if (target.format === 'annotations') {
      const rows = episodesToAnnotations(episodes, {
        max: target.maxAnnotations ?? DEFAULT_MAX_ANNOTATIONS,
        advicePageUrl: adviceUrl(),
        // The annotation's HTML is shown as is: its links need Grafana's sub-path themselves.
        appSubUrl: grafanaSubPath(),
        lokiUid: defaultLokiUid(),
      });
      return withNotices([annotationsFrame(rows, target.refId)], notices, target.refId);
    }
    return withNotices([episodesTableFrame(episodes, target.refId)], notices, target.refId);
  }

  /**
   * The scan for this range, shared with every identical one in flight or just finished. The key holds all that
   * changes the result: the Prometheus data source, the resolved metric (overrides included), the range, the
   * settings and whether Thanos's downsampled blocks may be read; per-target filters (insights, severity, routes)
   * are applied to the shared episodes afterwards.
   */
  private sharedScan(
    api: PrometheusApi,
    metric: ResolvedMetric,
    from: number,
    to: number,
    signal: AbortSignal
  ): Promise<ScanResult> {
    const thanosDownsampling = this.thanosDownsampling;
    const key = JSON.stringify([this.prometheusUid, metric, from, to, this.settings, thanosDownsampling]);
    return this.scans.run(
      key,
      (shared) => scan({ api, metric, from, to, settings: this.settings, signal: shared, thanosDownsampling }),
      signal
    );
  }

  /** Variable queries: `routes()`, `methods()`, `statuses()`: the values of that label on the resolved metric. */
  async metricFindQuery(query: unknown, options?: LegacyMetricFindQueryOptions): Promise<MetricFindValue[]> {
    const text = (typeof query === 'string' ? query : String((query as { query?: unknown })?.query ?? '')).trim();
    const which = VARIABLE_KINDS[text.replace(/\s+/g, '').toLowerCase()];
    if (!which) {
      throw new Error(`Unknown variable query "${text}": use one of ${VARIABLE_QUERIES.join(', ')}`);
    }
    const window = rangeOf(options ?? {});
    const metric = await this.resolveMetric(window);
    const values = await listLabelValues(this.prometheus(), metric, which, window);
    return values.map((v) => ({ text: v, value: v }));
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    if (!this.prometheusUid) {
      return { status: 'error', message: NO_PROMETHEUS_MESSAGE };
    }
    // What Prometheus said beside its answers is part of the verdict: a partial answer can hide the metric.
    const notices = createNoticeCollector();
    const api = apiWith(this.prometheus(), { onWarning: notices.add });
    const said = () => noticeSentences(notices.result());
    const now = Math.floor(Date.now() / 1000);
    try {
      await api.query('vector(1)', now);
    } catch (e) {
      return { status: 'error', message: `Cannot query Prometheus: ${errorMessage(e)}${said()}` };
    }
    this.metricCache = undefined;
    let metric: ResolvedMetric;
    try {
      metric = await this.resolveMetric({ start: now - DAY_S, end: now }, undefined, notices.add);
    } catch (e) {
      return { status: 'error', message: errorMessage(e) + said() };
    }
    let routes: string[];
    try {
      routes = await api.labelValues(metric.labels.route, [seriesSelector(metric)], now - DAY_S, now);
    } catch (e) {
      return {
        status: 'error',
        message: `Found the metric but could not list its routes: ${errorMessage(e)}${said()}`,
      };
    }
    const otherLabels = [
      metric.labels.method ? `method label \`${metric.labels.method}\`` : 'no method label',
      metric.labels.status
        ? `status label \`${metric.labels.status}\``
        : metric.statusCounter
          ? `status from \`${metric.statusCounter.name}\``
          : 'no status label',
    ].join(', ');
    const thanos = await this.thanosVerdict(api);
    return {
      // A store Thanos cannot reach leaves its data out of every answer: the numbers read low, which is worth a
      // warning even though everything else answered.
      status: thanos && thanos.lost.length > 0 ? 'warning' : 'success',
      message:
        `Prometheus is reachable. Found ${describeResolution(metric, routes.length)}, ${otherLabels} (last 24 hours).` +
        (metric.notes ?? []).map((n) => ` Note: ${n}.`).join('') +
        (thanos ? ` ${thanos.text} ${downsamplingAdvice(this.thanosDownsampling)}.` : '') +
        said(),
    };
  }

  /** Thanos's stores when the upstream is Thanos; undefined for any other engine (no such path there). */
  private async thanosVerdict(api: PrometheusApi): Promise<ThanosStoresVerdict | undefined> {
    try {
      const stores = await api.thanosStores?.();
      return stores ? describeThanosStores(stores) : undefined;
    } catch {
      // Prometheus, Mimir and VictoriaMetrics answer 404 here: not Thanos, nothing to say.
      return undefined;
    }
  }

  getDefaultQuery(): Partial<PrefectQuery> {
    return { queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] };
  }

  filterQuery(query: PrefectQuery): boolean {
    return !query.hide;
  }
}
