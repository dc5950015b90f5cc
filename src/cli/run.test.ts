/** @jest-environment node */
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../prometheus/timeLimit';
import { DEFAULT_PREFECT_SETTINGS } from '../catalog/prefectSettings';
import type { ScanOptions, ScanResult } from '../insights/engine/types';
import type { Episode } from '../insights/types';
import type { PrometheusApi, ResolvedMetric } from '../prometheus/types';
import { PrometheusError } from '../prometheus/errors';
import { EXIT_NO_DATA, runCli, type CliDeps } from './run';

const NOW = Date.UTC(2024, 4, 1, 12);
const METRIC: ResolvedMetric = {
  conventionId: 'otel-legacy-ms',
  name: 'http_server_duration_milliseconds',
  kind: 'classic',
  unit: 'milliseconds',
  labels: { route: 'http_route', method: 'http_method' },
  selector: 'job="prefect"',
  buckets: [0.005, 0.01, 10],
};
const EPISODE: Episode = {
  id: 'db-pool-exhaustion',
  severity: 'critical',
  title: 'Database connection pool exhaustion',
  start: Date.UTC(2024, 4, 1, 9, 12),
  end: Date.UTC(2024, 4, 1, 9, 40),
  routes: ['/flow_runs/filter', '/work_pools/{name}'],
  evidence: { summary: 'p95 41.2 s on 9 of 11 routes', routesAffected: 9 },
};

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, isTTY, write: (t: string) => chunks.push(t), text: () => chunks.join('') };
}

function deps(over: Partial<CliDeps> = {}, episodes: Episode[] = [EPISODE]) {
  const stdout = sink();
  const stderr = sink();
  const calls: {
    scan?: ScanOptions;
    overrides?: unknown;
    url?: string;
    timeoutSeconds?: number;
    compressed?: boolean;
  } = {};
  const d: CliDeps = {
    now: () => NOW,
    stdout,
    stderr,
    createApi: (url, timeoutSeconds, opts) => {
      calls.url = url;
      calls.timeoutSeconds = timeoutSeconds;
      calls.compressed = opts?.compressed;
      return {} as PrometheusApi;
    },
    resolveMetric: async (_api, overrides) => {
      calls.overrides = overrides;
      return METRIC;
    },
    scan: async (opts): Promise<ScanResult> => {
      calls.scan = opts;
      return { metric: opts.metric, from: opts.from, to: opts.to, step: 15000, episodes, requests: 8, warnings: [] };
    },
    ...over,
  };
  return { d, stdout, stderr, calls };
}

const ARGV = ['scan', '--prometheus', 'http://127.0.0.1:9090', '--from', '-24h', '--to', 'now'];

describe('runCli', () => {
  it('prints the JSON document of the contract and exits 0', async () => {
    const { d, stdout, stderr, calls } = deps();
    const code = await runCli([...ARGV, '--format', 'json', '--selector', 'job="prefect"', '--pool-timeout', '45'], d);
    expect(code).toBe(0);
    expect(stderr.text()).toBe('');
    expect(JSON.parse(stdout.text())).toEqual({
      metric: {
        name: 'http_server_duration_milliseconds',
        unit: 'milliseconds',
        labels: { route: 'http_route', method: 'http_method', status: null },
      },
      range: { from: '2024-04-30T12:00:00Z', to: '2024-05-01T12:00:00Z' },
      insights: [
        {
          id: 'db-pool-exhaustion',
          severity: 'critical',
          title: 'Database connection pool exhaustion',
          start: '2024-05-01T09:12:00Z',
          end: '2024-05-01T09:40:00Z',
          routes: ['/flow_runs/filter', '/work_pools/{name}'],
          evidence: { summary: 'p95 41.2 s on 9 of 11 routes', routesAffected: 9 },
        },
      ],
    });
    expect(calls.url).toBe('http://127.0.0.1:9090');
    expect(calls.overrides).toEqual({ selector: 'job="prefect"' });
    expect(calls.scan?.settings).toEqual({ ...DEFAULT_PREFECT_SETTINGS, poolTimeoutSeconds: 45 });
    expect(calls.scan?.from).toBe(NOW - 86_400_000);
  });

  it('hands the pool and statement settings to the scan', async () => {
    const { d, calls } = deps();
    expect(await runCli([...ARGV, '--pool-size', '40', '--max-overflow', '0', '--statement-timeout', '20'], d)).toBe(0);
    expect(calls.scan?.settings).toEqual({
      ...DEFAULT_PREFECT_SETTINGS,
      poolSize: 40,
      maxOverflow: 0,
      statementTimeoutSeconds: 20,
    });
  });

  it('prints a table by default', async () => {
    const { d, stdout } = deps();
    expect(await runCli(ARGV, d)).toBe(0);
    expect(stdout.text()).toMatch(/SEVERITY\s+INSIGHT/);
    expect(stdout.text()).toMatch(/critical\s+db-pool-exhaustion\s+2024-05-01T09:12:00Z/);
  });

  it('says so when nothing was found', async () => {
    const { d, stdout } = deps({}, []);
    expect(await runCli(ARGV, d)).toBe(0);
    expect(stdout.text()).toContain('No insights in range.');
  });

  it('exits 1 when --fail-on is met, 0 when the severity is below it', async () => {
    expect(await runCli([...ARGV, '--fail-on', 'critical'], deps().d)).toBe(1);
    expect(await runCli([...ARGV, '--fail-on', 'info'], deps().d)).toBe(1);
    const warningOnly = deps({}, [{ ...EPISODE, id: 'runs-page-slow', severity: 'warning' }]);
    expect(await runCli([...ARGV, '--fail-on', 'critical'], warningOnly.d)).toBe(0);
  });

  it('exits 2 with one stderr line on bad arguments, without asking Prometheus', async () => {
    let scanned = false;
    const { d, stderr, stdout } = deps({
      scan: async () => {
        scanned = true;
        throw new Error('unreachable');
      },
    });
    expect(await runCli(['scan', '--prometheus', 'http://x', '--from', 'now', '--to', '-1h'], d)).toBe(2);
    expect(scanned).toBe(false);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toMatch(
      /^prefect-insights: error: --from \S+ is not before --to \S+ \(see prefect-insights scan --help\)\n$/
    );
  });

  it.each([
    [
      'unreachable',
      new PrometheusError('unreachable', 'Prometheus at http://x is unreachable: ECONNREFUSED.\nCheck it'),
    ],
    [
      'metric not found',
      Object.assign(new Error('No Prefect API latency metric found'), { name: 'MetricNotFoundError' }),
    ],
  ])('exits 2 with one stderr line when %s', async (_what, error) => {
    const { d, stderr, stdout } = deps({
      resolveMetric: async () => {
        throw error;
      },
    });
    expect(await runCli(ARGV, d)).toBe(2);
    expect(stdout.text()).toBe('');
    const text = stderr.text();
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain(error.message.split('\n')[0]);
  });

  it('gives each Prometheus request the --timeout limit, or the shared default', async () => {
    const withFlag = deps();
    expect(await runCli([...ARGV, '--timeout', '7.5'], withFlag.d)).toBe(0);
    expect(withFlag.calls.timeoutSeconds).toBe(7.5);
    const without = deps();
    expect(await runCli(ARGV, without.d)).toBe(0);
    expect(without.calls.timeoutSeconds).toBe(DEFAULT_REQUEST_TIMEOUT_SECONDS);
    expect(without.calls.compressed).toBe(false);
    const gz = deps();
    expect(await runCli([...ARGV, '--compress'], gz.d)).toBe(0);
    expect(gz.calls.compressed).toBe(true);
    expect(gz.calls.scan?.thanosDownsampling).toBe(false);
    const thanos = deps();
    expect(await runCli([...ARGV, '--thanos-downsampling'], thanos.d)).toBe(0);
    expect(thanos.calls.scan?.thanosDownsampling).toBe(true);
    const bad = deps();
    expect(await runCli([...ARGV, '--timeout', '0'], bad.d)).toBe(2);
    expect(bad.stderr.text()).toMatch(/^prefect-insights: error: --timeout must be a positive number[^\n]*\n$/);
  });

  it('exits 2 on an impossible date instead of scanning a rolled-over one', async () => {
    const { d, stderr, calls } = deps();
    expect(await runCli(['scan', '--prometheus', 'http://x', '--from', '2024-02-31T00:00:00Z', '--to', 'now'], d)).toBe(
      2
    );
    expect(calls.url).toBeUndefined();
    expect(stderr.text()).toMatch(/^prefect-insights: error: --from "2024-02-31T00:00:00Z" is not a time[^\n]*\n$/);
  });

  it('prints help on stdout', async () => {
    const { d, stdout } = deps();
    expect(await runCli(['scan', '--help'], d)).toBe(0);
    expect(stdout.text()).toContain('--fail-on');
  });

  it('says on stderr that the answer was partial, and still prints the result', async () => {
    const { d, stderr, stdout } = deps({
      scan: async (opts) => ({
        metric: opts.metric,
        from: opts.from,
        to: opts.to,
        step: 1,
        episodes: [],
        requests: 2,
        warnings: ['partial data: x'],
      }),
    });
    expect(await runCli(ARGV, d)).toBe(0);
    expect(stderr.text()).toBe('warning: partial data: x\n');
    expect(stdout.text()).not.toBe('');
  });

  it('says no data for the metric in range on stderr, prints no table and exits 3', async () => {
    const noData = 'no data for prefect_server_api_request_duration_seconds in range';
    const scan = async (opts: ScanOptions) => ({
      metric: opts.metric,
      from: opts.from,
      to: opts.to,
      step: 1,
      episodes: [],
      requests: 1,
      warnings: ['partial data: x'],
      infos: ['fixed for monotonicity'],
      noData,
    });
    const table = deps({ scan });
    expect(await runCli(ARGV, table.d)).toBe(EXIT_NO_DATA);
    expect(EXIT_NO_DATA).toBe(3);
    expect(table.stdout.text()).toBe('');
    expect(table.stderr.text()).toMatch(
      new RegExp(
        `^warning: partial data: x\ninfo: fixed for monotonicity\nprefect-insights: ${noData} \\(.+ to .+\\): no insight can be judged\n$`
      )
    );
    const json = deps({ scan });
    expect(await runCli([...ARGV, '--format', 'json'], json.d)).toBe(3);
    expect(JSON.parse(json.stdout.text())).toMatchObject({ insights: [], noData });
  });

  it('shows no progress when stderr is not a terminal', async () => {
    const { d, stderr } = deps({
      scan: async (opts) => {
        opts.onProgress?.(1, 2);
        opts.onProgress?.(2, 2);
        return { metric: opts.metric, from: opts.from, to: opts.to, step: 1, episodes: [], requests: 2, warnings: [] };
      },
    });
    expect(await runCli(ARGV, d)).toBe(0);
    expect(stderr.text()).toBe('');
  });

  it('shows progress on a terminal once the scan has taken over a second, then erases it', async () => {
    let t = NOW;
    const stderr = sink(true);
    const { d } = deps({
      now: () => t,
      stderr,
      scan: async (opts) => {
        opts.onProgress?.(1, 3);
        t += 1500;
        opts.onProgress?.(2, 3);
        return { metric: opts.metric, from: opts.from, to: opts.to, step: 1, episodes: [], requests: 3, warnings: [] };
      },
    });
    expect(await runCli(ARGV, d)).toBe(0);
    expect(stderr.chunks[0]).toContain('2/3');
    expect(stderr.chunks[stderr.chunks.length - 1]).toBe('\r\u001b[K');
  });
});

describe('the command line as a newcomer meets it', () => {
  it.each([[['--help']], [['help']], [['-h']], [[]]])('%j lists both commands and the exit codes', async (argv) => {
    const { d, stdout } = deps();
    const code = await runCli(argv, d);
    expect(code).toBe(argv.length === 0 ? 2 : 0);
    const text = argv.length === 0 ? (d.stderr as ReturnType<typeof sink>).text() : stdout.text();
    expect(text).toMatch(/^\s+scan\s/m);
    expect(text).toMatch(/^\s+rules\s/m);
    expect(text).toMatch(/Exit codes:[\s\S]*\b2\b/);
  });

  it.each([
    [['help', 'scan'], '--fail-on'],
    [['scan', '--help'], '--fail-on'],
    [['help', 'rules'], '--convention'],
    [['rules', '--help'], '--convention'],
  ])('%j prints that command’s options', async (argv, option) => {
    const { d, stdout } = deps();
    expect(await runCli(argv, d)).toBe(0);
    expect(stdout.text()).toContain(option);
    expect(stdout.text()).toContain('Exit codes:');
  });

  it('prints the version from package.json', async () => {
    const { d, stdout } = deps();
    expect(await runCli(['--version'], d)).toBe(0);
    expect(stdout.text()).toBe(`${(jest.requireActual('../../package.json') as { version: string }).version}\n`);
  });

  it.each([
    [[...ARGV, '--bogus'], 'prefect-insights: error: unknown option --bogus (see prefect-insights scan --help)\n'],
    [
      [...ARGV, '--promethues', 'x'],
      'prefect-insights: error: unknown option --promethues (did you mean --prometheus?) (see prefect-insights scan --help)\n',
    ],
    [
      ['scan', '--prometheus'],
      'prefect-insights: error: --prometheus needs a value (see prefect-insights scan --help)\n',
    ],
    [['rules', '--nope'], 'prefect-insights: error: unknown option --nope (see prefect-insights rules --help)\n'],
    [
      ['scna'],
      'prefect-insights: error: unknown command "scna": the commands are scan and rules (see prefect-insights --help)\n',
    ],
  ])('%j: one clean line', async (argv, line) => {
    const { d, stdout, stderr } = deps();
    expect(await runCli(argv, d)).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toBe(line);
  });

  it('says on stderr which insights met --fail-on', async () => {
    const { d, stderr } = deps();
    expect(await runCli([...ARGV, '--fail-on', 'warning'], d)).toBe(1);
    expect(stderr.text()).toBe(
      'prefect-insights: --fail-on warning met by 1 episode: db-pool-exhaustion (critical) at 2024-05-01T09:12:00Z\n'
    );
  });

  it('reads a millisecond epoch as milliseconds, not as "after --to"', async () => {
    const { d, calls } = deps();
    const from = String(NOW - 3_600_000);
    expect(await runCli(['scan', '--prometheus', 'http://x', '--from', from, '--to', String(NOW)], d)).toBe(0);
    expect(calls.scan?.from).toBe(NOW - 3_600_000);
    expect(calls.scan?.to).toBe(NOW);
  });

  it('reads a date alone as UTC midnight', async () => {
    const { d, calls } = deps();
    expect(await runCli(['scan', '--prometheus', 'http://x', '--from', '2024-04-30', '--to', '2024-05-01'], d)).toBe(0);
    expect(calls.scan?.from).toBe(Date.UTC(2024, 3, 30));
    expect(calls.scan?.to).toBe(Date.UTC(2024, 4, 1));
  });

  it('names both times when --from is not before --to', async () => {
    const { d, stderr } = deps();
    expect(await runCli(['scan', '--prometheus', 'http://x', '--from', '2024-05-02', '--to', '2024-05-01'], d)).toBe(2);
    expect(stderr.text()).toContain('--from 2024-05-02T00:00:00Z is not before --to 2024-05-01T00:00:00Z');
  });

  it('takes enum values in any case', async () => {
    const { d, stdout } = deps();
    expect(await runCli([...ARGV, '--format', 'JSON', '--fail-on', 'Critical'], d)).toBe(1);
    expect(JSON.parse(stdout.text()).insights).toHaveLength(1);
  });

  it('fits the table in 120 columns, and --wide prints every character', async () => {
    const long: Episode = {
      ...EPISODE,
      routes: Array.from({ length: 12 }, (_, i) => `/api/flow_runs/{id}/route-number-${i}`),
      evidence: { summary: 'p95 41.2 s on 9 of 11 routes; '.repeat(8).trim() },
    };
    const narrow = deps({}, [long]);
    expect(await runCli(ARGV, narrow.d)).toBe(0);
    const lines = narrow.stdout.text().trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    expect(narrow.stdout.text()).toContain('route-number-11');
    const wide = deps({}, [long]);
    expect(await runCli([...ARGV, '--wide'], wide.d)).toBe(0);
    expect(wide.stdout.text()).toContain(long.evidence.summary);
    expect(wide.stdout.text()).toContain(long.routes.join(','));
  });

  it('follows the terminal width when stdout is one', async () => {
    const long: Episode = { ...EPISODE, evidence: { summary: 'word '.repeat(60).trim() } };
    const { d, stdout } = deps({}, [long]);
    d.stdout = Object.assign(stdout, { isTTY: true, columns: 100 });
    expect(await runCli(ARGV, d)).toBe(0);
    const lines = stdout.text().trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(lines.some((l) => l.length > 90)).toBe(true);
  });
});
