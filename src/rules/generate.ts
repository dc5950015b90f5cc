// Prometheus alerting rules generated from the catalog and the detectors' own thresholds, for the operator's
// resolved metric: a dashboard, a scan and an alert read the same numbers (the monitoring-mixin idea). What PromQL
// cannot mirror (baselines, persistence, the broad-wins rule) is listed in docs/alerting.md.
import { getInsight } from '../catalog/catalog';
import type { PrefectSettings } from '../catalog/prefectSettings';
import type { DetectableInsightId } from '../catalog/types';
import { EXPECTED_REQUESTS } from '../insights/detectors/api-outage';
import { ERROR_SHARE, RAISED_FACTOR, RATE_FACTOR } from '../insights/detectors/api-overload-http-500';
import { ABSOLUTE_FLOOR_OF_TIMEOUT } from '../insights/detectors/db-pool-exhaustion';
import { BEFORE_MS, SILENCE_MS } from '../insights/detectors/http2-agent-stop';
import { MEAN_AT, P99_AT, VISIBLE_SHARE } from '../insights/detectors/pending-deadlock';
import { MIN_GROWTH_PER_DAY, MIN_SPAN_DAYS } from '../insights/detectors/stale-statistics';
import { EXPLAINED_BY } from '../insights/toolkit/suppression';
import {
  BASELINE_BLOCK_MS,
  BASELINE_WINDOW_MS,
  FAR_FACTOR,
  MEAN_AT_TIMEOUT,
  MOST_SHARE,
  NEAR_FACTOR,
  NEAR_SLACK_S,
  P99_AT_TIMEOUT,
  PERSISTENCE_SPAN_MS,
} from '../insights/toolkit/thresholds';
import { escapeExact, labelRef, metricSelector, regexAlternation } from '../prometheus/escape';
import {
  canQueryStatus,
  errorRateQuery,
  errorRatioQuery,
  meanLatencyQuery,
  quantileQuery,
  requestRateQuery,
  slowShareQuery,
  validateSelector,
} from '../prometheus/promql';
import { INSTANCE_LABELS, LONG_RANGE_GROUP, RECORDED_LONG, RECORDED_QUANTILES } from '../prometheus/recorded';
import { seriesSelector } from '../prometheus/resolve';
import { formatDuration, rateWindow } from '../prometheus/step';
import type { ResolvedMetric } from '../prometheus/types';
import { adviceUrl } from '../utils/utils.routing';
import {
  NOT_DATABASE_REGEX,
  POLLING_REGEX,
  READ_HEAVY_REGEX,
  READ_WORK_POOL_REGEX,
  RUNS_PAGE_REGEX,
  SET_STATE_REGEX,
  TASK_COUNT_REGEX,
  WORK_POOL_ACTION_REGEX,
} from './families';
import { toYaml, type YamlValue } from './yaml';

export interface RuleOptions {
  /** Scrape interval of the metric, seconds (sizes rate windows and `for:` as the detectors' persistence does). */
  scrapeIntervalSeconds: number;
  /** Rule evaluation interval, seconds (defaults to the scrape interval). */
  evaluationIntervalSeconds?: number;
  /**
   * Evaluation interval of the long-range group, seconds (default LONG_RANGE_INTERVAL_SECONDS). The scan reads the
   * group's series instead of the raw histogram when its step is no finer than this.
   */
  longRangeIntervalSeconds?: number;
  /** Prefixed to the advice link (e.g. `https://grafana.example.com`); the link is relative without it. */
  grafanaUrl?: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string; insight: DetectableInsightId };
  annotations: { summary: string; description: string; runbook_url: string };
}

/** Per-route series the alerts share, so each is computed once per evaluation and baselines read recorded points. */
export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<RecordingRule | AlertRule>;
}

export function isAlertRule(r: RecordingRule | AlertRule): r is AlertRule {
  return 'alert' in r;
}

/** The insights that get a rule; k8s-worker-pod-overhead and connection-reset are not visible in server latency. */
export const RULE_INSIGHTS: readonly DetectableInsightId[] = [
  // The broad insights first: the narrow rules read their ALERTS series (see suppressed()).
  'db-pool-exhaustion',
  'api-outage',
  'task-runs-count-timeout',
  'runs-page-slow',
  'api-overload-http-500',
  'http2-agent-stop',
  'pending-deadlock',
  'read-work-pool-hang',
  'stale-statistics',
];

/** `db-pool-exhaustion` → `PrefectDbPoolExhaustion`. */
export function alertName(id: DetectableInsightId): string {
  return 'Prefect' + id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}

/** A number as PromQL and YAML print it, without float noise. */
function num(v: number): string {
  return String(Number(v.toPrecision(12)));
}

const HOURLY = '1h';
const DAY_MS = 86_400_000;

/** Names of the recorded series (`level:metric:operations`); their only label is the route label. */
export const RECORDED = {
  p95: 'route:prefect_api_request_duration_seconds:p95',
  p99: 'route:prefect_api_request_duration_seconds:p99',
  mean: 'route:prefect_api_request_duration_seconds:mean',
  rate: 'route:prefect_api_requests:rate',
  errorRate: 'route:prefect_api_requests_5xx:rate',
  totalRate: 'prefect_api_requests:rate',
  errorRatio: 'prefect_api_requests_5xx:ratio',
  p95Hourly: 'route:prefect_api_request_duration_seconds:p95_1h',
  meanHourly: 'route:prefect_api_request_duration_seconds:mean_1h',
  p95Baseline: 'route:prefect_api_request_duration_seconds:p95_baseline6h',
  rateBaseline: 'route:prefect_api_requests:rate_baseline6h',
  totalRateBaseline: 'prefect_api_requests:rate_baseline6h',
} as const;

interface Ctx {
  m: ResolvedMetric;
  settings: PrefectSettings;
  window: string;
  /** Subquery resolution: the evaluation interval. */
  res: string;
  route: string;
}

type RouteMatcher = ['=~' | '!~', string];

/** A recorded series, optionally restricted to a route family (the regexes are ours; escaped all the same). */
function rec(ctx: Ctx, name: string, ...matchers: RouteMatcher[]): string {
  return metricSelector(
    name,
    matchers.map(([op, regex]) => `${ctx.route}${op}"${escapeExact(regex)}"`)
  );
}

/** The contract's baseline: the median of the series' 5-minute values over the preceding 6 h. */
function baseline(selector: string): string {
  return `quantile_over_time(0.5, ${selector}[${formatDuration(BASELINE_WINDOW_MS / 1000)}:${formatDuration(
    BASELINE_BLOCK_MS / 1000
  )}])`;
}

function recordings(ctx: Ctx): RecordingRule[] {
  const { m, window } = ctx;
  const byRoute = { window, groupBy: ['route' as const] };
  const out: RecordingRule[] = [
    { record: RECORDED.p95, expr: quantileQuery(m, 0.95, byRoute) },
    { record: RECORDED.p99, expr: quantileQuery(m, 0.99, byRoute) },
    { record: RECORDED.mean, expr: meanLatencyQuery(m, byRoute) },
    { record: RECORDED.rate, expr: requestRateQuery(m, byRoute) },
    { record: RECORDED.totalRate, expr: requestRateQuery(m, { window }) },
  ];
  if (canQueryStatus(m)) {
    out.push(
      { record: RECORDED.errorRate, expr: errorRateQuery(m, byRoute) },
      { record: RECORDED.errorRatio, expr: errorRatioQuery(m, { window }) }
    );
  }
  out.push(
    { record: RECORDED.p95Baseline, expr: baseline(RECORDED.p95) },
    { record: RECORDED.rateBaseline, expr: baseline(RECORDED.rate) },
    { record: RECORDED.totalRateBaseline, expr: baseline(RECORDED.totalRate) }
  );
  return out;
}

/**
 * The long-range group's default interval. Five minutes because a month's scan grid is 300 s (Prometheus's 11,000
 * points per series over 30 days + the 6 h look-back): the group then feeds the scan's longest ranges at the
 * resolution they are read at, and costs one evaluation per 20 scrapes. The benchmark (docs/sizing.md) measured
 * the month's scan on these series against the raw one.
 */
export const LONG_RANGE_INTERVAL_SECONDS = 300;

/**
 * The histogram folded across replicas at the long-range interval (src/prometheus/recorded.ts reads it): per route
 * and `le` the bucket rate, per route the count, sum and 5xx rates and p50/p95/p99, per instance the count rate.
 * The rate window is the interval plus one scrape (rateWindow), so no increase falls between two evaluations.
 * Classic histograms only: a native histogram has no `le` series to fold.
 */
function longRangeRecordings(m: ResolvedMetric, window: string): RecordingRule[] {
  if (m.kind !== 'classic') {
    return [];
  }
  const byRoute = { window, groupBy: ['route' as const] };
  const out: RecordingRule[] = [
    {
      record: RECORDED_LONG.bucketRate,
      expr: `sum by (le, ${labelRef(m.labels.route)}) (rate(${metricSelector(`${m.name}_bucket`, [validateSelector(m.selector)])}[${window}]))`,
    },
    { record: RECORDED_LONG.countRate, expr: requestRateQuery(m, byRoute) },
    {
      record: RECORDED_LONG.sumRate,
      expr: `sum by (${labelRef(m.labels.route)}) (rate(${metricSelector(`${m.name}_sum`, [validateSelector(m.selector)])}[${window}]))`,
    },
  ];
  if (canQueryStatus(m)) {
    out.push({ record: RECORDED_LONG.errorRate, expr: errorRateQuery(m, byRoute) });
  }
  out.push({
    record: RECORDED_LONG.instanceRate,
    expr: `sum by (${INSTANCE_LABELS.join(', ')}) (rate(${metricSelector(`${m.name}_count`, [validateSelector(m.selector)])}[${window}]))`,
  });
  // The per-route quantiles, from the raw buckets as the raw scan computes them at each step (not from the bucket
  // recording above: promtool's backfill cannot evaluate a rule over another rule it is backfilling). A month's
  // scan then reads one series per route and quantile instead of evaluating histogram_quantile over every bucket.
  for (const r of RECORDED_QUANTILES) {
    out.push({ record: r.record, expr: quantileQuery(m, r.q, byRoute) });
  }
  return out;
}

/** Latency above both near limits (isNear in toolkit/latency.ts: NEAR_FACTOR × baseline or baseline + slack). */
function notNear(p95: string, base: string): string {
  return `(${p95} > ${num(NEAR_FACTOR)} * ${base}) > ${base} + ${num(NEAR_SLACK_S)}`;
}

function dbPoolExhaustion(ctx: Ctx): string {
  const t = ctx.settings.poolTimeoutSeconds;
  const db: RouteMatcher = ['!~', NOT_DATABASE_REGEX];
  const p95 = rec(ctx, RECORDED.p95, db);
  const far = `(${p95} >= ${num(FAR_FACTOR)} * ${RECORDED.p95Baseline}) >= ${num(ABSOLUTE_FLOOR_OF_TIMEOUT * t)}`;
  const piled = `${rec(ctx, RECORDED.p99, db)} >= ${num(P99_AT_TIMEOUT * t)}\n  or\n  ${rec(ctx, RECORDED.mean, db)} >= ${num(MEAN_AT_TIMEOUT * t)}`;
  return [
    `count(${far}) >= 2`,
    `and on ()\ncount(${far}) * 2 >= count(${p95})`,
    `and on ()\ncount(\n  (${far})\n  and on (${ctx.route})\n  (\n  ${piled}\n  )\n)`,
  ].join('\n');
}

/** The route-family shape: the family reaches a threshold while most other routes stay near their baseline. */
function familySlow(ctx: Ctx, family: RouteMatcher[], threshold: number): string {
  const famP95 = rec(ctx, RECORDED.p95, ...family);
  const others = `(${RECORDED.p95} unless on (${ctx.route}) ${famP95})`;
  const base = RECORDED.p95Baseline;
  const near = `${others} <= ${num(NEAR_FACTOR)} * ${base}\n  or\n  ${others} <= ${base} + ${num(NEAR_SLACK_S)}`;
  return [
    `(\n  ${famP95} >= ${num(threshold)}\n  or\n  ${rec(ctx, RECORDED.mean, ...family)} >= ${num(threshold)}\n)`,
    `and on ()\ncount(\n  ${near}\n) > ${num(MOST_SHARE)} * count(${others} and on (${ctx.route}) ${base})`,
  ].join('\n');
}

function apiOverload(ctx: Ctx): string {
  const t = ctx.settings.poolTimeoutSeconds;
  const p95 = RECORDED.p95;
  const base = RECORDED.p95Baseline;
  return [
    `${RECORDED.totalRate} >= ${num(RATE_FACTOR)} * ${RECORDED.totalRateBaseline}`,
    `and on ()\n${RECORDED.errorRatio} >= ${num(ERROR_SHARE)}`,
    `and on ()\ncount(${p95} >= ${num(RAISED_FACTOR)} * ${base}) * 2 >= count(${p95} and on (${ctx.route}) ${base})`,
    `unless on ()\n(\n  ${RECORDED.p99} >= ${num(P99_AT_TIMEOUT * t)}\n  or\n  ${RECORDED.mean} >= ${num(MEAN_AT_TIMEOUT * t)}\n)`,
  ].join('\n');
}

function http2AgentStop(ctx: Ctx): string {
  const polling: RouteMatcher = ['=~', POLLING_REGEX];
  const lookBack = formatDuration((SILENCE_MS + BEFORE_MS) / 1000);
  const slow = notNear(rec(ctx, RECORDED.p95, polling), RECORDED.p95Baseline);
  const trouble = canQueryStatus(ctx.m)
    ? `max_over_time((${rec(ctx, RECORDED.errorRate, polling)} > 0)[${lookBack}:${ctx.res}])\n  or on (${ctx.route})\n  max_over_time((${slow})[${lookBack}:${ctx.res}])`
    : `max_over_time((${slow})[${lookBack}:${ctx.res}])`;
  return [
    `${rec(ctx, RECORDED.rate, polling)} == 0`,
    `and on (${ctx.route})\n${rec(ctx, RECORDED.rateBaseline, polling)} > 0`,
    `and on (${ctx.route})\n(\n  ${trouble}\n)`,
    `and on ()\nsum(${rec(ctx, RECORDED.rate, ['!~', POLLING_REGEX])}) > 0`,
  ].join('\n');
}

function pendingDeadlock(ctx: Ctx): string {
  const t = ctx.settings.apiRequestTimeoutSeconds;
  const setState: RouteMatcher = ['=~', SET_STATE_REGEX];
  const parts = [`${rec(ctx, RECORDED.mean, setState)} >= ${num(MEAN_AT * t)}`];
  const largest = ctx.m.buckets.length > 0 ? Math.max(...ctx.m.buckets) : null;
  // As the detector: p99 is only trusted when the buckets reach the timeout.
  if (largest === null || largest >= P99_AT * t) {
    parts.push(`${rec(ctx, RECORDED.p99, setState)} >= ${num(P99_AT * t)}`);
  }
  const scopedMetric: ResolvedMetric = {
    ...ctx.m,
    selector: [ctx.m.selector, `${ctx.route}=~"${escapeExact(SET_STATE_REGEX)}"`].filter((x) => x !== '').join(', '),
  };
  const share = slowShareQuery(scopedMetric, t, { window: ctx.window, groupBy: ['route'] });
  if (share.expr !== null && share.exact) {
    parts.push(`(${share.expr}) >= ${num(VISIBLE_SHARE)}`);
  }
  return parts.join('\nor\n');
}

function apiOutage(ctx: Ctx): string {
  const span = PERSISTENCE_SPAN_MS / 1000;
  // `up` of the targets that carry the metric; last_over_time keeps them known once the target is down.
  const up = `up == 0\n  and on (job, instance)\n  count by (job, instance) (last_over_time(${seriesSelector(ctx.m)}[1h]))`;
  // A frozen server (the exporter answers, nothing advances), where traffic made silence improbable.
  const silent = `${RECORDED.totalRate} == 0\n  and on ()\n  ${RECORDED.totalRateBaseline} * ${num(span)} >= ${num(EXPECTED_REQUESTS)}`;
  return `(\n  ${up}\n)\nor on ()\n(\n  ${silent}\n)`;
}

function hourly(ctx: Ctx): RecordingRule[] {
  const m: ResolvedMetric = {
    ...ctx.m,
    selector: [ctx.m.selector, `${ctx.route}=~"${escapeExact(READ_HEAVY_REGEX)}"`].filter((x) => x !== '').join(', '),
  };
  // Hourly values of the read-heavy routes: a multi-day trend, so the long window the contract allows for baselines.
  const opts = { window: HOURLY, groupBy: ['route' as const] };
  return [
    { record: RECORDED.p95Hourly, expr: quantileQuery(m, 0.95, opts) },
    { record: RECORDED.meanHourly, expr: meanLatencyQuery(m, opts) },
  ];
}

/** Each of the last MIN_SPAN_DAYS daily medians at least (1 + MIN_GROWTH_PER_DAY) × the day before. */
function dailyClimb(series: string): string {
  const daily = (days: number) => `quantile_over_time(0.5, ${series}[1d]${days > 0 ? ` offset ${days}d` : ''})`;
  const growth = num(1 + MIN_GROWTH_PER_DAY);
  const steps: string[] = [];
  for (let d = 0; d < MIN_SPAN_DAYS; d++) {
    steps.push(`${daily(d)} >= ${growth} * ${daily(d + 1)}`);
  }
  return steps.join('\nand\n');
}

function staleStatistics(): string {
  // As the detector: the p95, or the exact mean where bucket steps hide the climb (a p95 inside one wide bucket
  // or in +Inf barely moves).
  return `(\n${indent(dailyClimb(RECORDED.p95Hourly))}\n)\nor\n(\n${indent(dailyClimb(RECORDED.meanHourly))}\n)`;
}

function indent(expr: string): string {
  return expr
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}

function expressionFor(id: DetectableInsightId, ctx: Ctx): string | null {
  const s = ctx.settings;
  switch (id) {
    case 'db-pool-exhaustion':
      return dbPoolExhaustion(ctx);
    case 'task-runs-count-timeout':
      return familySlow(ctx, [['=~', TASK_COUNT_REGEX]], s.uiPatienceSeconds);
    case 'runs-page-slow':
      return familySlow(ctx, [['=~', RUNS_PAGE_REGEX]], s.uiPatienceSeconds);
    case 'read-work-pool-hang':
      return familySlow(
        ctx,
        [
          ['=~', READ_WORK_POOL_REGEX],
          ['!~', WORK_POOL_ACTION_REGEX],
        ],
        s.poolTimeoutSeconds
      );
    case 'api-overload-http-500':
      // Without a status label or counter 5xx cannot be told apart, and the signature needs them.
      return canQueryStatus(ctx.m) ? apiOverload(ctx) : null;
    case 'http2-agent-stop':
      return http2AgentStop(ctx);
    case 'pending-deadlock':
      return pendingDeadlock(ctx);
    case 'api-outage':
      return apiOutage(ctx);
    case 'stale-statistics':
      return staleStatistics();
  }
}

/**
 * The broad one wins (toolkit/suppression.ts): while an alert of a broad insight that explains this one is pending
 * or firing, this one is held back. The broad rules come first in the group, so their ALERTS series of the same
 * evaluation are already written.
 */
function suppressed(id: DetectableInsightId, expr: string): string {
  const broad = RULE_INSIGHTS.filter((b) => EXPLAINED_BY[b]?.includes(id)).map(alertName);
  if (broad.length === 0) {
    return expr;
  }
  return `(\n${indent(expr)}\n)\nunless on ()\n${metricSelector('ALERTS', [`alertname=~"${regexAlternation(broad)}"`])}`;
}

function forFor(id: DetectableInsightId, window: number, scrape: number): string {
  if (id === 'http2-agent-stop') {
    return formatDuration(SILENCE_MS / 1000);
  }
  if (id === 'stale-statistics') {
    return '0s';
  }
  // The persistence rule (2 min, and at least 3 scrapes), and at least the rate window: one slow scrape stays
  // inside rate windows for (window − scrape), so a shorter `for:` would let it fire.
  return formatDuration(Math.max(PERSISTENCE_SPAN_MS / 1000, 2 * scrape, window));
}

function ruleFor(id: DetectableInsightId, expr: string, forDuration: string, opts: RuleOptions): AlertRule {
  const insight = getInsight(id);
  return {
    alert: alertName(id),
    expr,
    for: forDuration,
    labels: { severity: insight.severity, insight: id },
    annotations: {
      summary: insight.title,
      description: insight.signature,
      runbook_url: `${(opts.grafanaUrl ?? '').replace(/\/+$/, '')}${adviceUrl(id)}`,
    },
  };
}

/**
 * The rule groups for `m`: per-route recordings then the alerts, evaluated at the scrape cadence (rules of a group
 * run in order, so the alerts read this evaluation's recordings), and an hourly group for the multi-day trend.
 */
export function buildRuleGroups(m: ResolvedMetric, settings: PrefectSettings, opts: RuleOptions): RuleGroup[] {
  const scrape = opts.scrapeIntervalSeconds;
  if (!(scrape > 0)) {
    throw new RangeError(`scrape interval must be positive, got ${scrape}`);
  }
  const evaluation = opts.evaluationIntervalSeconds ?? scrape;
  const window = rateWindow(evaluation, scrape);
  const ctx: Ctx = {
    m,
    settings,
    window: formatDuration(window),
    res: formatDuration(evaluation),
    route: labelRef(m.labels.route),
  };
  const latency: AlertRule[] = [];
  const trends: AlertRule[] = [];
  for (const id of RULE_INSIGHTS) {
    const raw = expressionFor(id, ctx);
    if (raw !== null) {
      const expr = suppressed(id, raw);
      (id === 'stale-statistics' ? trends : latency).push(ruleFor(id, expr, forFor(id, window, scrape), opts));
    }
  }
  const groups: RuleGroup[] = [
    { name: 'prefect-insights', rules: [...recordings(ctx), ...latency] },
    {
      name: 'prefect-insights-trends',
      interval: formatDuration(DAY_MS / 24 / 1000),
      rules: [...hourly(ctx), ...trends],
    },
  ];
  const longInterval = opts.longRangeIntervalSeconds ?? LONG_RANGE_INTERVAL_SECONDS;
  if (!(longInterval >= scrape)) {
    throw new RangeError(`long-range interval must be at least the scrape interval, got ${longInterval}`);
  }
  const long = longRangeRecordings(m, formatDuration(rateWindow(longInterval, scrape)));
  if (long.length > 0) {
    groups.push({ name: LONG_RANGE_GROUP, interval: formatDuration(longInterval), rules: long });
  }
  return groups;
}

/** The alerting rules alone, in order. */
export function alertRules(groups: RuleGroup[]): AlertRule[] {
  return groups.flatMap((g) => g.rules.filter(isAlertRule));
}

function describe(m: ResolvedMetric): string {
  const labels = [m.labels.route, m.labels.method, m.labels.status].filter(Boolean).join(', ');
  const text = `${m.name} (${m.kind}, ${m.unit}; labels ${labels}${m.selector ? `; selector ${m.selector}` : ''})`;
  // A comment line must stay one line of plain text whatever a label value holds.
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** The rule file as YAML, with a header saying what it was generated for. */
export function rulesYaml(m: ResolvedMetric, settings: PrefectSettings, opts: RuleOptions): string {
  const groups = buildRuleGroups(m, settings, opts);
  const doc: YamlValue = {
    groups: groups.map((g) => ({
      name: g.name,
      interval: g.interval,
      rules: g.rules.map((r) =>
        isAlertRule(r) ? { ...r, labels: { ...r.labels }, annotations: { ...r.annotations } } : { ...r }
      ),
    })),
  };
  const header =
    `# Prometheus alerting rules generated by prefect-insights from its catalog: do not edit, regenerate.\n` +
    `# Metric: ${describe(m)}\n` +
    `# pool_timeout ${settings.poolTimeoutSeconds} s, PREFECT_API_REQUEST_TIMEOUT ${settings.apiRequestTimeoutSeconds} s, ` +
    `UI patience ${settings.uiPatienceSeconds} s, scrape interval ${opts.scrapeIntervalSeconds} s\n`;
  return header + toYaml(doc);
}
