// A real Prometheus for integration tests: backfilled from OpenMetrics (promtool) and/or scraping live targets
// and/or receiving OTLP, on a free 127.0.0.1 port, in a temp dir that goes away with it, also when a test fails or
// the process exits. Two engines: Debian's Prometheus 2.42 and Prometheus 3 built from its Go module
// (tools/prometheus3/build.sh), each backfilled by its own promtool.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findExecutable, startLocalServer } from './localServer';

export { freePort } from './localServer';

export type PrometheusEngine = 'prometheus2' | 'prometheus3';

/** Prometheus 3's `otlp.translation_strategy` values (config/config.go, otlptranslator.TranslationStrategyOption). */
export type OtlpTranslationStrategy =
  | 'UnderscoreEscapingWithSuffixes'
  | 'UnderscoreEscapingWithoutSuffixes'
  | 'NoUTF8EscapingWithSuffixes'
  | 'NoTranslation';

export const OTLP_TRANSLATION_STRATEGIES: readonly OtlpTranslationStrategy[] = [
  'UnderscoreEscapingWithSuffixes',
  'UnderscoreEscapingWithoutSuffixes',
  'NoUTF8EscapingWithSuffixes',
  'NoTranslation',
];

/** OTLP/HTTP metrics path of Prometheus 3's receiver (web/api/v1/api.go). */
export const OTLP_METRICS_PATH = '/api/v1/otlp/v1/metrics';

export interface PrometheusBinaries {
  engine: PrometheusEngine;
  prometheus: string;
  promtool: string;
}

/** `PREFECT_INSIGHTS_PROMETHEUS=3` runs every test that does not ask for an engine against Prometheus 3. */
export function defaultEngine(): PrometheusEngine {
  const v = (process.env.PREFECT_INSIGHTS_PROMETHEUS ?? '2').trim();
  if (v === '3' || v === 'prometheus3') {
    return 'prometheus3';
  }
  if (v === '2' || v === 'prometheus2' || v === '') {
    return 'prometheus2';
  }
  throw new Error(`PREFECT_INSIGHTS_PROMETHEUS must be 2 or 3, not "${v}"`);
}

const PROMETHEUS3_DIR = resolve(__dirname, '../../tools/prometheus3');

/** The pinned Prometheus 3 release (tools/prometheus3/version.env, shared with build.sh). */
export function prometheus3Release(): string {
  const env = readFileSync(join(PROMETHEUS3_DIR, 'version.env'), 'utf8');
  const m = /^PROMETHEUS3_RELEASE=(\S+)$/m.exec(env);
  if (!m) {
    throw new Error('tools/prometheus3/version.env has no PROMETHEUS3_RELEASE');
  }
  return m[1];
}

/** Where build.sh puts the binary: `$PROMETHEUS3_BIN`, else the per-version cache outside git. */
export function prometheus3BinaryPath(): string {
  if (process.env.PROMETHEUS3_BIN) {
    return process.env.PROMETHEUS3_BIN;
  }
  const cache = process.env.PREFECT_INSIGHTS_CACHE || join(homedir(), '.cache', 'prefect-insights');
  return join(cache, `prometheus-${prometheus3Release()}`, 'prometheus');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface OtlpOptions {
  /** Default `UnderscoreEscapingWithSuffixes`, as in Prometheus 3. */
  translationStrategy?: OtlpTranslationStrategy;
  /** Resource attributes copied onto every series (`service.name` and `service.instance.id` always become job/instance). */
  promoteResourceAttributes?: string[];
  /** `otlp.convert_histograms_to_nhcb`: explicit-bucket histograms stored as native histograms with custom buckets. */
  convertHistogramsToNhcb?: boolean;
}

export interface StartPrometheusOptions {
  /** Default: defaultEngine() (`PREFECT_INSIGHTS_PROMETHEUS`). */
  engine?: PrometheusEngine;
  /** Prometheus 3 only: enable the OTLP receiver (`--web.enable-otlp-receiver`) with this `otlp:` config. */
  otlp?: OtlpOptions;
  /** Prometheus 3 only: `scrape_native_histograms: true`, so scraped protobuf native histograms are kept. */
  scrapeNativeHistograms?: boolean;
  /** OpenMetrics to backfill: file paths, or the text itself (anything containing a newline). */
  openMetrics?: string | string[];
  /** Writes TSDB blocks into the (empty) data dir before Prometheus starts, e.g. bench/tsdbBlock.ts. */
  fillDataDir?: (dataDir: string) => Promise<void>;
  /** `host:port` targets scraped at /metrics (e.g. the simulator's live exporter). */
  scrapeTargets?: string[];
  /** Scrape interval, e.g. `1s` (default `5s`). */
  scrapeInterval?: string;
  /** `job` label of the scrape targets (default `prefect-server`). */
  job?: string;
  /** Rule files (paths or globs) for `rule_files:`; a glob that matches nothing yet is fine (see /-/reload). */
  ruleFiles?: string[];
  /** `global.external_labels`, e.g. the `replica` label of one Prometheus of an HA pair. */
  externalLabels?: Record<string, string>;
  /** `remote_write:` URLs (e.g. a Thanos receiver's /api/v1/receive). */
  remoteWrite?: string[];
  extraArgs?: string[];
  /** How long to wait for /-/ready, ms (default 60 s). */
  readyTimeoutMs?: number;
  /** Leave Prometheus running (with its data) when this process exits; its log goes to `<dir>/prometheus.log`. */
  keep?: boolean;
}

export interface RunningPrometheus {
  engine: PrometheusEngine;
  url: string;
  port: number;
  dataDir: string;
  /** The temp dir holding the data, the config and (with `keep`) the log; removed by stop(). */
  dir: string;
  pid: number;
  /** Seconds promtool took to backfill (0 without backfill). */
  backfillSeconds: number;
  stop(): Promise<void>;
}

const MISSING =
  "Debian's prometheus is not installed: run `sudo apt-get install -y prometheus` (CI's .ci/run does this)";

export function findPrometheusBinaries(engine: PrometheusEngine = defaultEngine()): PrometheusBinaries {
  if (engine === 'prometheus3') {
    const prometheus = prometheus3BinaryPath();
    const promtool = join(dirname(prometheus), 'promtool');
    if (!executable(prometheus) || !executable(promtool)) {
      throw new Error(
        `Prometheus 3 is not built at ${prometheus} (with promtool beside it): run \`bash tools/prometheus3/build.sh\` ` +
          "(CI's .ci/run does this), or point PROMETHEUS3_BIN at a Prometheus 3 binary"
      );
    }
    return { engine, prometheus, promtool };
  }
  const prometheus = findExecutable('prometheus');
  const promtool = findExecutable('promtool');
  if (!prometheus || !promtool) {
    throw new Error(MISSING);
  }
  return { engine, prometheus, promtool };
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${String(stderr).slice(-2000)}`));
      } else {
        resolve();
      }
    });
  });
}

function configYaml(opts: StartPrometheusOptions): string {
  const interval = opts.scrapeInterval ?? '5s';
  const lines = ['global:', `  scrape_interval: ${interval}`, `  evaluation_interval: ${interval}`];
  const external = Object.entries(opts.externalLabels ?? {});
  if (external.length) {
    lines.push('  external_labels:', ...external.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`));
  }
  if (opts.remoteWrite?.length) {
    lines.push('remote_write:', ...opts.remoteWrite.map((u) => `  - url: ${JSON.stringify(u)}`));
  }
  if (opts.ruleFiles?.length) {
    lines.push(`rule_files: [${opts.ruleFiles.map((f) => JSON.stringify(f)).join(', ')}]`);
  }
  if (opts.otlp) {
    const o = opts.otlp;
    lines.push('otlp:', `  translation_strategy: ${o.translationStrategy ?? 'UnderscoreEscapingWithSuffixes'}`);
    if (o.promoteResourceAttributes?.length) {
      lines.push(
        `  promote_resource_attributes: [${o.promoteResourceAttributes.map((a) => JSON.stringify(a)).join(', ')}]`
      );
    }
    if (o.convertHistogramsToNhcb) {
      lines.push('  convert_histograms_to_nhcb: true');
    }
  }
  if (opts.scrapeTargets?.length) {
    lines.push(
      'scrape_configs:',
      `  - job_name: ${JSON.stringify(opts.job ?? 'prefect-server')}`,
      `    scrape_interval: ${interval}`,
      `    scrape_timeout: ${interval}`,
      ...(opts.scrapeNativeHistograms ? ['    scrape_native_histograms: true'] : []),
      '    static_configs:',
      `      - targets: [${opts.scrapeTargets.map((t) => JSON.stringify(t)).join(', ')}]`
    );
  } else {
    lines.push('scrape_configs: []');
  }
  return lines.join('\n') + '\n';
}

function engineArgs(engine: PrometheusEngine, opts: StartPrometheusOptions): string[] {
  if (engine === 'prometheus2') {
    if (opts.otlp || opts.scrapeNativeHistograms) {
      throw new Error('OTLP and scrape_native_histograms need Prometheus 3 (engine: "prometheus3")');
    }
    return [];
  }
  return opts.otlp ? ['--web.enable-otlp-receiver'] : [];
}

/** Backfills the given OpenMetrics into a fresh TSDB (if any) and starts Prometheus on it. */
export async function startPrometheus(opts: StartPrometheusOptions = {}): Promise<RunningPrometheus> {
  const bin = findPrometheusBinaries(opts.engine ?? defaultEngine());
  const extraArgs = [...engineArgs(bin.engine, opts), ...(opts.extraArgs ?? [])];
  const dir = mkdtempSync(join(tmpdir(), 'prefect-insights-prom-'));
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'prometheus.yml');
  let backfillSeconds = 0;
  try {
    const inputs =
      opts.openMetrics === undefined ? [] : Array.isArray(opts.openMetrics) ? opts.openMetrics : [opts.openMetrics];
    const t0 = Date.now();
    for (let i = 0; i < inputs.length; i++) {
      let file = inputs[i];
      if (file.includes('\n') || !existsSync(file)) {
        file = join(dir, `input-${i}.om`);
        writeFileSync(file, inputs[i]);
      }
      await run(bin.promtool, [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        '-q',
        '--max-block-duration=720h',
        file,
        dataDir,
      ]);
    }
    await opts.fillDataDir?.(dataDir);
    backfillSeconds = (Date.now() - t0) / 1000;
    writeFileSync(configFile, configYaml(opts));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const server = await startLocalServer({
    name: 'prometheus',
    bin: bin.prometheus,
    args: (port) => [
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
      ...extraArgs,
    ],
    readyPath: '/-/ready',
    readyTimeoutMs: opts.readyTimeoutMs ?? 60000,
    dir,
    keepLogFile: opts.keep ? join(dir, 'prometheus.log') : undefined,
  });
  return { ...server, engine: bin.engine, dataDir, dir, backfillSeconds };
}

/** Minimal query helper for tests: instant or range query, returns `data.result`. */
export async function promQuery<T = unknown>(
  url: string,
  expr: string,
  params: { time?: number; start?: number; end?: number; step?: number }
): Promise<T> {
  const isRange = params.start !== undefined;
  const qs = new URLSearchParams({ query: expr });
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) {
      qs.set(k, String(v));
    }
  }
  const res = await fetch(`${url}/api/v1/${isRange ? 'query_range' : 'query'}?${qs}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: T } };
  if (body.status !== 'success') {
    throw new Error(`query ${expr} failed: ${body.error}`);
  }
  return body.data.result;
}
