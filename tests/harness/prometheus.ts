// A real Prometheus for integration tests: backfilled from OpenMetrics (promtool) and/or scraping live targets,
// on a free 127.0.0.1 port, in a temp dir that goes away with it, also when a test fails or the process exits.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

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

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export function findPrometheusBinaries(): PrometheusBinaries {
  const prometheus = findExecutable('prometheus');
  const promtool = findExecutable('promtool');
  if (!prometheus || !promtool) {
    throw new Error(MISSING);
  }
  return { prometheus, promtool };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Processes and dirs still alive; killed and removed synchronously if the test process exits without stop().
const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const entry of live) {
      try {
        entry.child.kill('SIGKILL');
      } catch {
        // already gone
      }
      rmSync(entry.dir, { recursive: true, force: true });
    }
  });
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
  const lines = ['global:', `  scrape_interval: ${interval}`, `  evaluation_interval: ${interval}`, 'scrape_configs:'];
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

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) before ready:\n${log()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus not ready after ${timeoutMs} ms:\n${log()}`);
}

/** Backfills the given OpenMetrics into a fresh TSDB (if any) and starts Prometheus on it. */
export async function startPrometheus(opts: StartPrometheusOptions = {}): Promise<RunningPrometheus> {
  const bin = findPrometheusBinaries();
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'prefect-insights-prom-'));
  const dataDir = join(dir, 'data');
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
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, configYaml(opts));

    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = spawn(
        bin.prometheus,
        [
          `--config.file=${configFile}`,
          `--web.listen-address=127.0.0.1:${port}`,
          `--storage.tsdb.path=${dataDir}`,
          '--storage.tsdb.retention.time=100y',
          '--log.level=warn',
          ...(opts.extraArgs ?? []),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] }
      );
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-8000);
      });
      const entry = { child, dir };
      live.add(entry);
      try {
        await waitReady(url, child, opts.readyTimeoutMs ?? 60000, () => stderr);
      } catch (e) {
        await stopChild(child);
        live.delete(entry);
        if (attempt < 2 && /address already in use/.test(stderr)) {
          continue;
        }
        throw e;
      }
      let stopped = false;
      return {
        url,
        port,
        dataDir,
        backfillSeconds,
        stop: async () => {
          if (stopped) {
            return;
          }
          stopped = true;
          await stopChild(child);
          live.delete(entry);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function stopChild(child: ChildProcess, timeoutMs = 10000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
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
