// `prefect-insights rules`: the alerting rules for the operator's metric on stdout. With --prometheus the metric is
// resolved exactly as a scan resolves it; with --convention it is the convention's default shape, offline.
import { DEFAULT_PREFECT_SETTINGS, type PrefectSettings } from '../catalog/prefectSettings';
import { probeQuery, PROBE_WINDOW_SECONDS } from '../insights/engine/queries';
import { wholeWindowCounts } from '../insights/engine/youngSeries';
import { scrapeIntervalFromCounts } from '../insights/engine/scan';
import { DEFAULT_SCRAPE_SECONDS, formatDuration, rateWindow } from '../prometheus/step';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../prometheus/timeLimit';
import type { MetricOverrides, PrometheusApi, ResolvedMetric } from '../prometheus/types';
import { rulesYaml } from '../rules/generate';
import { conventionIds, metricForConvention } from '../rules/offline';
import { exitCodesHelp } from './help';
import { enumValue, parseOptions, UsageError } from './options';

export const RULES_USAGE = `Usage: prefect-insights rules (--prometheus <url> | --convention <name>) [options] > rules.yml

Writes Prometheus alerting rules for the detectable insights, with the detectors' thresholds.

Options:
  --prometheus <url>       resolve the metric in this Prometheus (last 7 days)
  --convention <name>      no Prometheus: assume the convention's default metric and labels
                           (${conventionIds().join(', ')})
  --native                 with --convention: native histograms instead of classic
  --selector '<matchers>'  extra label matchers without braces, e.g. 'job="prefect-server"'
  --metric <name>          histogram to read instead of the auto-detected one (with --prometheus)
  --timeout <s>            time limit of each request to Prometheus in seconds (default ${DEFAULT_REQUEST_TIMEOUT_SECONDS})
  --pool-timeout <s>       server.database.sqlalchemy.pool_timeout in seconds (default ${DEFAULT_PREFECT_SETTINGS.poolTimeoutSeconds})
  --request-timeout <s>    PREFECT_API_REQUEST_TIMEOUT in seconds (default ${DEFAULT_PREFECT_SETTINGS.apiRequestTimeoutSeconds})
  --ui-patience <s>        how long UI calls may take, seconds (default ${DEFAULT_PREFECT_SETTINGS.uiPatienceSeconds})
  --scrape-interval <s>    scrape interval of the metric, seconds (with --prometheus: measured from the
                           data, as a scan does; with --convention: default ${DEFAULT_SCRAPE_SECONDS})
  --grafana-url <url>      prefix for the advice links in the rules' runbook_url
  -h, --help               show this help

Rate windows span three scrapes; an interval shorter than the data's would give windows that hold fewer than
two samples, in which rate() is always empty and no alert can fire, so it is refused.

${exitCodesHelp()}`;

export interface RulesArgs {
  prometheus?: string;
  convention?: string;
  native: boolean;
  selector?: string;
  metric?: string;
  settings: PrefectSettings;
  /** Given with --scrape-interval; otherwise measured (--prometheus) or the default (--convention). */
  scrapeIntervalSeconds?: number;
  /** Time limit of each request to Prometheus, seconds. */
  timeoutSeconds: number;
  grafanaUrl?: string;
}

const OPTIONS = [
  'prometheus',
  'convention',
  'selector',
  'metric',
  'timeout',
  'pool-timeout',
  'request-timeout',
  'ui-patience',
  'scrape-interval',
  'grafana-url',
] as const;

function positive(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) {
    throw new UsageError(`${flag} must be a positive number of seconds, got "${text}"`);
  }
  return v;
}

function httpUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} must be an http(s) URL, got "${text}"`);
  }
  return text;
}

/** Arguments after `rules`; `null` for --help. */
export function parseRulesArgs(argv: string[]): RulesArgs | null {
  const { values, positionals } = parseOptions(argv, { strings: OPTIONS, booleans: ['native'] });
  if (values.help === true) {
    return null;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"`);
  }
  const str = (n: (typeof OPTIONS)[number]) => {
    const v = values[n] as string | undefined;
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const prometheus = str('prometheus');
  const convention = enumValue(str('convention'), conventionIds(), '--convention');
  if ((prometheus === undefined) === (convention === undefined)) {
    throw new UsageError('give either --prometheus <url> or --convention <name>');
  }
  if (convention !== undefined && str('metric') !== undefined) {
    throw new UsageError('--metric needs --prometheus (a convention names its metric)');
  }
  const settings: PrefectSettings = { ...DEFAULT_PREFECT_SETTINGS };
  settings.poolTimeoutSeconds = positive(str('pool-timeout'), '--pool-timeout') ?? settings.poolTimeoutSeconds;
  settings.apiRequestTimeoutSeconds =
    positive(str('request-timeout'), '--request-timeout') ?? settings.apiRequestTimeoutSeconds;
  settings.uiPatienceSeconds = positive(str('ui-patience'), '--ui-patience') ?? settings.uiPatienceSeconds;
  const grafanaUrl = str('grafana-url');
  return {
    prometheus: prometheus === undefined ? undefined : httpUrl(prometheus, '--prometheus'),
    convention,
    native: values.native === true,
    selector: str('selector')?.replace(/^\{(.*)\}$/s, '$1'),
    metric: str('metric'),
    settings,
    scrapeIntervalSeconds: positive(str('scrape-interval'), '--scrape-interval'),
    timeoutSeconds: positive(str('timeout'), '--timeout') ?? DEFAULT_REQUEST_TIMEOUT_SECONDS,
    grafanaUrl: grafanaUrl === undefined ? undefined : httpUrl(grafanaUrl, '--grafana-url'),
  };
}

export interface RulesDeps {
  now(): number;
  createApi(baseUrl: string, timeoutSeconds: number): PrometheusApi;
  resolveMetric(
    api: PrometheusApi,
    overrides: MetricOverrides,
    range: { start: number; end: number }
  ): Promise<ResolvedMetric>;
}

// A one-off command: looking back a week costs one series request per convention and still finds the metric of a
// server that was quiet (or down) over a weekend.
const RESOLVE_LOOKBACK_S = 7 * 24 * 3600;

/**
 * The scrape interval as the data shows it, measured the way a scan measures it (samples per 10-minute window per
 * target, the densest window) over the whole look-back, since the data may have stopped days ago (a demo, a server
 * since removed). A series' first and last windows are left out while it has others: they are partial (the data
 * began or ended inside them, or `now` cuts them) and would make the interval look longer than it is. Null when no
 * window holds two samples.
 */
export interface MeasuredScrape {
  seconds: number | null;
  /** False when only partial windows could be counted: then the interval may look longer than it is. */
  fromWholeWindows: boolean;
}

export async function measureScrapeSeconds(
  api: PrometheusApi,
  metric: ResolvedMetric,
  range: { start: number; end: number }
): Promise<MeasuredScrape> {
  const start = Math.floor(range.start / PROBE_WINDOW_SECONDS) * PROBE_WINDOW_SECONDS;
  const end = Math.ceil(range.end / PROBE_WINDOW_SECONDS) * PROBE_WINDOW_SECONDS;
  const series = await api.queryRange(probeQuery(metric), { start, end, step: PROBE_WINDOW_SECONDS });
  let whole = 0;
  let any = 0;
  for (const s of series) {
    any = Math.max(any, ...s.values.map(([, text]) => Number(text)));
    whole = Math.max(whole, ...wholeWindowCounts(s));
  }
  const fromWholeWindows = whole >= 2;
  return { seconds: scrapeIntervalFromCounts(fromWholeWindows ? whole : any, PROBE_WINDOW_SECONDS), fromWholeWindows };
}

/**
 * The interval the rules are sized for: the one measured, or the one given when it is not shorter than the data's
 * (a longer one only widens the windows). A window of fewer than two scrapes holds at most one sample, `rate()` of
 * it is empty, and every recording and alert built on it stays silent: refused with the reason.
 */
export function scrapeIntervalFor(given: number | undefined, measurement: MeasuredScrape): number {
  const measured = measurement.seconds;
  if (measured === null) {
    if (given === undefined) {
      throw new Error(
        'cannot measure the scrape interval: no 10-minute window of the metric holds two samples in the last 7 days; give --scrape-interval <s>'
      );
    }
    return given;
  }
  if (given === undefined) {
    return measured;
  }
  const window = rateWindow(given, given);
  // Only a measurement from whole windows can prove the given interval too short (young data looks sparse).
  if (measurement.fromWholeWindows && window < 2 * measured) {
    throw new UsageError(
      `--scrape-interval ${given} gives rate windows of ${formatDuration(window)}, under two of the ${measured} s scrapes measured in the data: no rule could ever fire (leave --scrape-interval out to use ${measured} s)`
    );
  }
  return given;
}

/** The YAML for parsed arguments (resolving the metric first when a Prometheus is given). */
export async function rulesFor(args: RulesArgs, deps: RulesDeps): Promise<string> {
  let metric: ResolvedMetric;
  let scrapeIntervalSeconds = args.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_SECONDS;
  if (args.convention !== undefined) {
    metric = metricForConvention(args.convention, {
      selector: args.selector,
      kind: args.native ? 'native' : 'classic',
    });
  } else {
    const overrides: MetricOverrides = {};
    if (args.metric) {
      overrides.metric = args.metric;
    }
    if (args.selector) {
      overrides.selector = args.selector;
    }
    const end = Math.floor(deps.now() / 1000);
    const range = { start: end - RESOLVE_LOOKBACK_S, end };
    const api = deps.createApi(args.prometheus as string, args.timeoutSeconds);
    metric = await deps.resolveMetric(api, overrides, range);
    scrapeIntervalSeconds = scrapeIntervalFor(
      args.scrapeIntervalSeconds,
      await measureScrapeSeconds(api, metric, range)
    );
  }
  return rulesYaml(metric, args.settings, {
    scrapeIntervalSeconds,
    grafanaUrl: args.grafanaUrl,
  });
}
