// `prefect-insights rules`: the alerting rules for the operator's metric on stdout. With --prometheus the metric is
// resolved exactly as a scan resolves it; with --convention it is the convention's default shape, offline.
import { parseArgs } from 'node:util';
import { DEFAULT_PREFECT_SETTINGS, type PrefectSettings } from '../catalog/prefectSettings';
import { DEFAULT_SCRAPE_SECONDS } from '../prometheus/step';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../prometheus/timeLimit';
import type { MetricOverrides, PrometheusApi, ResolvedMetric } from '../prometheus/types';
import { rulesYaml } from '../rules/generate';
import { conventionIds, metricForConvention } from '../rules/offline';
import { UsageError } from './args';

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
  --scrape-interval <s>    scrape interval of the metric, seconds (default ${DEFAULT_SCRAPE_SECONDS})
  --grafana-url <url>      prefix for the advice links in the rules' runbook_url
  -h, --help               show this help`;

export interface RulesArgs {
  prometheus?: string;
  convention?: string;
  native: boolean;
  selector?: string;
  metric?: string;
  settings: PrefectSettings;
  scrapeIntervalSeconds: number;
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
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(OPTIONS.map((n) => [n, { type: 'string' as const }])),
        native: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
  if (values.help === true) {
    return null;
  }
  const str = (n: (typeof OPTIONS)[number]) => {
    const v = values[n] as string | undefined;
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const prometheus = str('prometheus');
  const convention = str('convention');
  if ((prometheus === undefined) === (convention === undefined)) {
    throw new UsageError('give either --prometheus <url> or --convention <name>');
  }
  if (convention !== undefined && !conventionIds().includes(convention)) {
    throw new UsageError(`--convention must be one of ${conventionIds().join(', ')}, got "${convention}"`);
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
    scrapeIntervalSeconds: positive(str('scrape-interval'), '--scrape-interval') ?? DEFAULT_SCRAPE_SECONDS,
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

/** The YAML for parsed arguments (resolving the metric first when a Prometheus is given). */
export async function rulesFor(args: RulesArgs, deps: RulesDeps): Promise<string> {
  let metric: ResolvedMetric;
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
    metric = await deps.resolveMetric(deps.createApi(args.prometheus as string, args.timeoutSeconds), overrides, {
      start: end - RESOLVE_LOOKBACK_S,
      end,
    });
  }
  return rulesYaml(metric, args.settings, {
    scrapeIntervalSeconds: args.scrapeIntervalSeconds,
    grafanaUrl: args.grafanaUrl,
  });
}
