// Prometheus alerting rules generated from the catalog and the detectors' own thresholds, for the operator's
// resolved metric: a dashboard, a scan and an alert read the same numbers (the monitoring-mixin idea). What PromQL
// cannot mirror (baselines, persistence, the broad-wins rule) is listed in the README, "Alerting rules".
import { getInsight } from '../catalog/catalog';
import type { PrefectSettings } from '../catalog/prefectSettings';
import type { DetectableInsightId } from '../catalog/types';
import { EXPECTED_REQUESTS } from '../insights/detectors/api-outage';
import { ERROR_SHARE, RAISED_FACTOR, RATE_FACTOR } from '../insights/detectors/api-overload-http-500';
import { ABSOLUTE_FLOOR_OF_TIMEOUT } from '../insights/detectors/db-pool-exhaustion';
import { BEFORE_MS, SILENCE_MS } from '../insights/detectors/http2-agent-stop';
import { MEAN_AT, P99_AT, VISIBLE_SHARE } from '../insights/detectors/pending-deadlock';
import { MIN_GROWTH_PER_DAY, MIN_SPAN_DAYS } from '../insights/detectors/stale-statistics';
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
import { escapeExact, labelRef } from '../prometheus/escape';
import {
  canQueryStatus,
  errorRateQuery,
  errorRatioQuery,
  meanLatencyQuery,
  quantileQuery,
  requestRateQuery,
  slowShareQuery,
} from '../prometheus/promql';
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

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: AlertRule[];
}

/** The insights that get a rule; k8s-worker-pod-overhead and connection-reset are not visible in server latency. */
export const RULE_INSIGHTS: readonly DetectableInsightId[] = [
  'db-pool-exhaustion',
  'task-runs-count-timeout',
  'runs-page-slow',
  'api-overload-http-500',
  'http2-agent-stop',
  'pending-deadlock',
  'api-outage',
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

interface Ctx {
  m: ResolvedMetric;
  settings: PrefectSettings;
  window: string;
  /** Subquery resolution: the evaluation interval. */
  res: string;
  route: string;
}

/** The metric restricted by extra matchers on its route label (the values are ours; escaped all the same). */
function scoped(ctx: Ctx, ...matchers: Array<['=~' | '!~', string]>): ResolvedMetric {
  const extra = matchers.map(([op, regex]) => `${ctx.route}${op}"${escapeExact(regex)}"`);
  return { ...ctx.m, selector: [ctx.m.selector, ...extra].filter((s) => s !== '').join(', ') };
}

function p(ctx: Ctx, m: ResolvedMetric, q: number, window = ctx.window): string {
  return quantileQuery(m, q, { window, groupBy: ['route'] });
}

function mean(ctx: Ctx, m: ResolvedMetric): string {
  return meanLatencyQuery(m, { window: ctx.window, groupBy: ['route'] });
}

/** The contract's baseline: the median of the expression's 5-minute values over the preceding 6 h. */
function baseline(expr: string): string {
  return `quantile_over_time(0.5, (${expr})[${formatDuration(BASELINE_WINDOW_MS / 1000)}:${formatDuration(
    BASELINE_BLOCK_MS / 1000
  )}])`;
}

function indent(expr: string): string {
  return expr
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}

function dbPoolExhaustion(ctx: Ctx): string {
  const t = ctx.settings.poolTimeoutSeconds;
  const db = scoped(ctx, ['!~', NOT_DATABASE_REGEX]);
  const p95 = p(ctx, db, 0.95);
  const far = `((${p95}) >= ${num(FAR_FACTOR)} * ${baseline(p95)}) >= ${num(ABSOLUTE_FLOOR_OF_TIMEOUT * t)}`;
  const piled = `(${p(ctx, db, 0.99)}) >= ${num(P99_AT_TIMEOUT * t)}\nor\n(${mean(ctx, db)}) >= ${num(MEAN_AT_TIMEOUT * t)}`;
  return [
    `count(\n${indent(far)}\n) >= 2`,
    `and on ()\ncount(\n${indent(far)}\n) * 2 >= count(${p95})`,
    `and on ()\ncount(\n${indent(`(${far})\nand on (${ctx.route})\n(${piled})`)}\n)`,
  ].join('\n');
}

/** The route-family shape: the family reaches a threshold while most other routes stay near their baseline. */
function familySlow(ctx: Ctx, family: ResolvedMetric, threshold: number): string {
  const famP95 = p(ctx, family, 0.95);
  const allP95 = p(ctx, ctx.m, 0.95);
  const base = baseline(allP95);
  const others = `(${allP95}) unless on (${ctx.route}) (${famP95})`;
  // Near = within NEAR_FACTOR × baseline or baseline + NEAR_SLACK_S (isNear in toolkit/latency.ts).
  const near = `((${others}) <= ${num(NEAR_FACTOR)} * ${base})\nor\n((${others}) <= ${base} + ${num(NEAR_SLACK_S)})`;
  const known = `(${others}) and on (${ctx.route}) ${base}`;
  return [
    `(\n${indent(`(${famP95}) >= ${num(threshold)}\nor\n(${mean(ctx, family)}) >= ${num(threshold)}`)}\n)`,
    `and on ()\ncount(\n${indent(near)}\n) > ${num(MOST_SHARE)} * count(\n${indent(known)}\n)`,
  ].join('\n');
}

function apiOverload(ctx: Ctx): string {
  const t = ctx.settings.poolTimeoutSeconds;
  const rate = requestRateQuery(ctx.m, { window: ctx.window });
  const p95 = p(ctx, ctx.m, 0.95);
  const base = baseline(p95);
  return [
    `(${rate}) >= ${num(RATE_FACTOR)} * ${baseline(rate)}`,
    `and on ()\n(${errorRatioQuery(ctx.m, { window: ctx.window })}) >= ${num(ERROR_SHARE)}`,
    `and on ()\ncount((${p95}) >= ${num(RAISED_FACTOR)} * ${base}) * 2 >= count((${p95}) and on (${ctx.route}) ${base})`,
    `unless on ()\n(\n${indent(
      `(${p(ctx, ctx.m, 0.99)}) >= ${num(P99_AT_TIMEOUT * t)}\nor\n(${mean(ctx, ctx.m)}) >= ${num(MEAN_AT_TIMEOUT * t)}`
    )}\n)`,
  ].join('\n');
}

function http2AgentStop(ctx: Ctx): string {
  const polling = scoped(ctx, ['=~', POLLING_REGEX]);
  const others = scoped(ctx, ['!~', POLLING_REGEX]);
  const rate = requestRateQuery(polling, { window: ctx.window, groupBy: ['route'] });
  const lookBack = formatDuration((SILENCE_MS + BEFORE_MS) / 1000);
  const p95 = p(ctx, polling, 0.95);
  const base95 = baseline(p95);
  const slow = `((${p95}) > ${num(NEAR_FACTOR)} * ${base95}) > ${base95} + ${num(NEAR_SLACK_S)}`;
  const trouble = canQueryStatus(ctx.m)
    ? `max_over_time(((${errorRateQuery(polling, { window: ctx.window, groupBy: ['route'] })}) > 0)[${lookBack}:${ctx.res}])\nor on (${ctx.route})\nmax_over_time((${slow})[${lookBack}:${ctx.res}])`
    : `max_over_time((${slow})[${lookBack}:${ctx.res}])`;
  return [
    `(${rate}) == 0`,
    `and on (${ctx.route})\n${baseline(rate)} > 0`,
    `and on (${ctx.route})\n(\n${indent(trouble)}\n)`,
    `and on ()\n(${requestRateQuery(others, { window: ctx.window })}) > 0`,
  ].join('\n');
}

function pendingDeadlock(ctx: Ctx): string {
  const t = ctx.settings.apiRequestTimeoutSeconds;
  const setState = scoped(ctx, ['=~', SET_STATE_REGEX]);
  const parts = [`(${mean(ctx, setState)}) >= ${num(MEAN_AT * t)}`];
  const largest = ctx.m.buckets.length > 0 ? Math.max(...ctx.m.buckets) : null;
  // As the detector: p99 is only trusted when the buckets reach the timeout.
  if (largest === null || largest >= P99_AT * t) {
    parts.push(`(${p(ctx, setState, 0.99)}) >= ${num(P99_AT * t)}`);
  }
  const share = slowShareQuery(setState, t, { window: ctx.window, groupBy: ['route'] });
  if (share.expr !== null && share.exact) {
    parts.push(`(${share.expr}) >= ${num(VISIBLE_SHARE)}`);
  }
  return parts.join('\nor\n');
}

function apiOutage(ctx: Ctx): string {
  const rate = requestRateQuery(ctx.m, { window: ctx.window });
  const span = PERSISTENCE_SPAN_MS / 1000;
  // `up` of the targets that carry the metric; last_over_time keeps them known once the target is down.
  const up = `up == 0\nand on (job, instance)\ncount by (job, instance) (last_over_time(${seriesSelector(ctx.m)}[1h]))`;
  // A frozen server (the exporter answers, nothing advances), where traffic made silence improbable.
  const silent = `(${rate}) == 0\nand on ()\n${baseline(rate)} * ${num(span)} >= ${num(EXPECTED_REQUESTS)}`;
  return `(\n${indent(up)}\n)\nor on ()\n(\n${indent(silent)}\n)`;
}

function staleStatistics(ctx: Ctx): string {
  const readHeavy = scoped(ctx, ['=~', READ_HEAVY_REGEX]);
  // Daily medians of hourly p95s: a trend, so the long window the contract allows for baselines.
  const daily = (days: number) =>
    `quantile_over_time(0.5, (${p(ctx, readHeavy, 0.95, HOURLY)})[1d:${HOURLY}]${days > 0 ? ` offset ${days}d` : ''})`;
  const growth = num(1 + MIN_GROWTH_PER_DAY);
  const steps: string[] = [];
  for (let d = 0; d < MIN_SPAN_DAYS; d++) {
    steps.push(`${daily(d)} >= ${growth} * ${daily(d + 1)}`);
  }
  return steps.join(`\nand on (${ctx.route})\n`);
}

function expressionFor(id: DetectableInsightId, ctx: Ctx): string | null {
  const s = ctx.settings;
  switch (id) {
    case 'db-pool-exhaustion':
      return dbPoolExhaustion(ctx);
    case 'task-runs-count-timeout':
      return familySlow(ctx, scoped(ctx, ['=~', TASK_COUNT_REGEX]), s.uiPatienceSeconds);
    case 'runs-page-slow':
      return familySlow(ctx, scoped(ctx, ['=~', RUNS_PAGE_REGEX]), s.uiPatienceSeconds);
    case 'read-work-pool-hang':
      return familySlow(
        ctx,
        scoped(ctx, ['=~', READ_WORK_POOL_REGEX], ['!~', WORK_POOL_ACTION_REGEX]),
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
      return staleStatistics(ctx);
  }
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

/** The rule groups for `m`: one evaluated at the scrape cadence, one hourly for the multi-day trend. */
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
    const expr = expressionFor(id, ctx);
    if (expr !== null) {
      (id === 'stale-statistics' ? trends : latency).push(ruleFor(id, expr, forFor(id, window, scrape), opts));
    }
  }
  return [
    { name: 'prefect-insights', rules: latency },
    { name: 'prefect-insights-trends', interval: formatDuration(DAY_MS / 24 / 1000), rules: trends },
  ];
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
      rules: g.rules.map((r) => ({ ...r, labels: { ...r.labels }, annotations: { ...r.annotations } })),
    })),
  };
  const header =
    `# Prometheus alerting rules generated by prefect-insights from its catalog: do not edit, regenerate.\n` +
    `# Metric: ${describe(m)}\n` +
    `# pool_timeout ${settings.poolTimeoutSeconds} s, PREFECT_API_REQUEST_TIMEOUT ${settings.apiRequestTimeoutSeconds} s, ` +
    `UI patience ${settings.uiPatienceSeconds} s, scrape interval ${opts.scrapeIntervalSeconds} s\n`;
  return header + toYaml(doc);
}
