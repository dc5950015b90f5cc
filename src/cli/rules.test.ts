import type { MetricOverrides, PrometheusApi, ResolvedMetric } from '../prometheus/types';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../prometheus/timeLimit';
import { metricForConvention } from '../rules/offline';
import { parseRulesArgs } from './rules';
import { runCli, type CliDeps } from './run';

function sink() {
  const out: string[] = [];
  return { out, sink: { write: (t: string) => out.push(t) } };
}

/**
 * A Prometheus whose probe counts `perWindow` samples of the metric in each 10-minute window (0: none) over
 * `windows` windows, the first and last of them half full as real data's edges are.
 */
function probeApi(perWindow: number, queries: string[] = [], windows = 6): PrometheusApi {
  const values = Array.from({ length: windows }, (_, i) => [
    i * 600,
    String(i === 0 || i === windows - 1 ? Math.floor(perWindow / 2) : perWindow),
  ]);
  return {
    queryRange: async (expr: string) => {
      queries.push(expr);
      return perWindow > 0 ? [{ metric: { job: 'prefect', instance: 'a' }, values }] : [];
    },
  } as unknown as PrometheusApi;
}

function deps(resolved?: ResolvedMetric, api: PrometheusApi = probeApi(40)) {
  const stdout = sink();
  const stderr = sink();
  const calls: Array<{ url: string; overrides: MetricOverrides }> = [];
  let url = '';
  const d: CliDeps = {
    now: () => Date.UTC(2026, 0, 2),
    stdout: stdout.sink,
    stderr: stderr.sink,
    createApi: (u) => {
      url = u;
      return api;
    },
    resolveMetric: async (_api, overrides) => {
      calls.push({ url, overrides });
      if (!resolved) {
        throw new Error('No API latency histogram found');
      }
      return resolved;
    },
    scan: async () => {
      throw new Error('not a scan');
    },
  };
  return { d, stdout: stdout.out, stderr: stderr.out, calls };
}

describe('prefect-insights rules', () => {
  it('writes the rules for a convention without asking any Prometheus', async () => {
    const { d, stdout, calls } = deps();
    expect(await runCli(['rules', '--convention', 'otel-legacy-ms', '--pool-timeout', '45'], d)).toBe(0);
    const yaml = stdout.join('');
    expect(yaml).toMatch(/^# Prometheus alerting rules/);
    expect(yaml).toContain('http_server_duration_milliseconds_bucket');
    expect(yaml).toContain('pool_timeout 45 s');
    expect(calls).toHaveLength(0);
  });

  it('resolves the metric through the given Prometheus with the selector and metric given', async () => {
    const resolved = { ...metricForConvention('otel-stable'), selector: 'service_name="prefect"' };
    const { d, stdout, calls } = deps(resolved);
    const code = await runCli(
      ['rules', '--prometheus', 'http://prom:9090', '--selector', '{service_name="prefect"}', '--metric', 'x_seconds'],
      d
    );
    expect(code).toBe(0);
    expect(calls).toEqual([
      { url: 'http://prom:9090', overrides: { selector: 'service_name="prefect"', metric: 'x_seconds' } },
    ]);
    expect(stdout.join('')).toContain('http_server_request_duration_seconds_bucket{service_name="prefect"');
  });

  it('ends in one error line and exit 2 when the metric is missing or the arguments are wrong', async () => {
    const missing = deps();
    expect(await runCli(['rules', '--prometheus', 'http://prom:9090'], missing.d)).toBe(2);
    expect(missing.stderr.join('')).toMatch(/^prefect-insights: error: No API latency histogram found\n$/);
    for (const argv of [
      ['rules'],
      ['rules', '--prometheus', 'http://a', '--convention', 'prefect'],
      ['rules', '--convention', 'nope'],
      ['rules', '--convention', 'prefect', '--metric', 'x'],
      ['rules', '--convention', 'prefect', '--scrape-interval', '0'],
      ['rules', '--prometheus', 'ftp://a'],
      ['rules', '--convention', 'prefect', '--bogus'],
    ]) {
      const bad = deps();
      expect(await runCli(argv, bad.d)).toBe(2);
      expect(bad.stderr.join('')).toMatch(/^prefect-insights: error: .*\n$/);
      expect(bad.stdout).toHaveLength(0);
    }
  });

  it('sizes the rate windows for the scrape interval measured in the data, as a scan does', async () => {
    const resolved = metricForConvention('prefect');
    const queries: string[] = [];
    // 10 samples per 10 minutes: scraped every 60 s.
    const { d, stdout } = deps(resolved, probeApi(10, queries));
    expect(await runCli(['rules', '--prometheus', 'http://prom:9090'], d)).toBe(0);
    const yaml = stdout.join('');
    expect(yaml).toContain('[3m]');
    expect(yaml).not.toContain('[45s]');
    expect(yaml).toContain('scrape interval 60 s');
    expect(queries[0]).toMatch(/^max by \(job, instance, exported_job, exported_instance\) \(count_over_time\(/);
  });

  it('refuses a --scrape-interval whose windows would hold under two of the measured scrapes', async () => {
    const resolved = metricForConvention('prefect');
    const short = deps(resolved, probeApi(10));
    expect(await runCli(['rules', '--prometheus', 'http://prom:9090', '--scrape-interval', '15'], short.d)).toBe(2);
    expect(short.stderr.join('')).toBe(
      'prefect-insights: error: --scrape-interval 15 gives rate windows of 45s, under two of the 60 s scrapes measured in the data: no rule could ever fire (leave --scrape-interval out to use 60 s) (see prefect-insights rules --help)\n'
    );
    expect(short.stdout).toHaveLength(0);
    const longer = deps(resolved, probeApi(10));
    expect(await runCli(['rules', '--prometheus', 'http://prom:9090', '--scrape-interval', '120'], longer.d)).toBe(0);
    expect(longer.stdout.join('')).toContain('[6m]');
  });

  it('trusts a given interval when the data is too young to show whole windows', async () => {
    // Two half-full windows of a 5 s scrape look like a 10 s one: not proof enough to refuse --scrape-interval 5.
    const { d, stdout } = deps(metricForConvention('prefect'), probeApi(120, [], 2));
    expect(await runCli(['rules', '--prometheus', 'http://prom:9090', '--scrape-interval', '5'], d)).toBe(0);
    expect(stdout.join('')).toContain('[15s]');
  });

  it('asks for --scrape-interval when the data is too thin to measure it', async () => {
    const { d, stderr } = deps(metricForConvention('prefect'), probeApi(0));
    expect(await runCli(['rules', '--prometheus', 'http://prom:9090'], d)).toBe(2);
    expect(stderr.join('')).toMatch(/cannot measure the scrape interval.*give --scrape-interval <s>\n$/);
  });

  it('takes the convention in any case', () => {
    expect(parseRulesArgs(['--convention', 'OTEL-Legacy-MS'])!.convention).toBe('otel-legacy-ms');
  });

  it('prints its help', async () => {
    const { d, stdout } = deps();
    expect(await runCli(['rules', '--help'], d)).toBe(0);
    expect(stdout.join('')).toContain('--convention <name>');
    expect(parseRulesArgs(['-h'])).toBeNull();
  });

  it('passes the settings and scrape interval on', () => {
    const a = parseRulesArgs([
      '--convention',
      'prefect',
      '--ui-patience',
      '7',
      '--request-timeout',
      '90',
      '--scrape-interval',
      '30',
    ])!;
    expect(a.settings.uiPatienceSeconds).toBe(7);
    expect(a.settings.apiRequestTimeoutSeconds).toBe(90);
    expect(a.scrapeIntervalSeconds).toBe(30);
  });

  it('takes the same request time limit as a scan', () => {
    expect(parseRulesArgs(['--prometheus', 'http://127.0.0.1:9090'])!.timeoutSeconds).toBe(
      DEFAULT_REQUEST_TIMEOUT_SECONDS
    );
    expect(parseRulesArgs(['--prometheus', 'http://127.0.0.1:9090', '--timeout', '5'])!.timeoutSeconds).toBe(5);
    expect(() => parseRulesArgs(['--prometheus', 'http://127.0.0.1:9090', '--timeout', '0'])).toThrow(/--timeout/);
  });
});
