// A real Prometheus for integration tests: backfilled from OpenMetrics (promtool) and/or scraping live targets,
// on a free 127.0.0.1 port, in a temp dir that goes away with it, also when a test fails or the process exits.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, startLocalServer } from './localServer';

export { freePort } from './localServer';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

export interface StartPrometheusOptions {
  /** OpenMetrics to backfill: file paths, or the text itself (anything containing a newline). */
  openMetrics?: string | string[];
  /** `host:port` targets scraped at /metrics (e.g. the simulator's live exporter). */
  scrapeTargets?: string[];
  /** Scrape interval, e.g. `1s` (default `5s`). */
  scrapeInterval?: string;
  /** `job` label of the scrape targets (default `prefect-server`). */
  job?: string;
  /** Rule files (paths or globs) for `rule_files:`; a glob that matches nothing yet is fine (see /-/reload). */
  ruleFiles?: string[];
  extraArgs?: string[];
  /** How long to wait for /-/ready, ms (default 60 s). */
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dataDir: string;
  /** Seconds promtool took to backfill (0 without backfill). */
  backfillSeconds: number;
  stop(): Promise<void>;
}

const MISSING =
  "Debian's prometheus is not installed: run `sudo apt-get install -y prometheus` (CI's .ci/run does this)";

export function findPrometheusBinaries(): PrometheusBinaries {
  const prometheus = findExecutable('prometheus');
  const promtool = findExecutable('promtool');
  if (!prometheus || !promtool) {
    throw new Error(MISSING);
  }
  return { prometheus, promtool };
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
  if (opts.ruleFiles?.length) {
    lines.push(`rule_files: [${opts.ruleFiles.map((f) => JSON.stringify(f)).join(', ')}]`);
  }
  lines.push('scrape_configs:');
  if (opts.scrapeTargets?.length) {
    lines.push(
      `  - job_name: ${JSON.stringify(opts.job ?? 'prefect-server')}`,
      `    scrape_interval: ${interval}`,
      `    scrape_timeout: ${interval}`,
      '    static_configs:',
      `      - targets: [${opts.scrapeTargets.map((t) => JSON.stringify(t)).join(', ')}]`
    );
  } else {
    lines[lines.length - 1] = 'scrape_configs: []';
  }
  return lines.join('\n') + '\n';
}

/** Backfills the given OpenMetrics into a fresh TSDB (if any) and starts Prometheus on it. */
export async function startPrometheus(opts: StartPrometheusOptions = {}): Promise<RunningPrometheus> {
  const bin = findPrometheusBinaries();
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
      ...(opts.extraArgs ?? []),
    ],
    readyPath: '/-/ready',
    readyTimeoutMs: opts.readyTimeoutMs ?? 60000,
    dir,
  });
  return { ...server, dataDir, backfillSeconds };
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
