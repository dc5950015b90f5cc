// A real VictoriaMetrics (Debian's single-node `victoria-metrics`) for integration tests: simulator data imported over
// its HTTP API, on a free 127.0.0.1 port, in a temp dir that goes away with it, also when a test fails or the process
// exits.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, startLocalServer } from './localServer';

export interface StartVictoriaMetricsOptions {
  /** Simulator OpenMetrics text or chunks of it (timestamps in seconds, as `openMetricsChunks` yields them). */
  openMetrics?: string | Iterable<string>;
  extraArgs?: string[];
  /** How long to wait for /health, ms (default 30 s). */
  readyTimeoutMs?: number;
}

export interface RunningVictoriaMetrics {
  url: string;
  port: number;
  dataDir: string;
  /** Samples sent to /api/v1/import/prometheus. */
  importedSamples: number;
  stop(): Promise<void>;
}

export const VICTORIA_METRICS_MISSING =
  "Debian's victoria-metrics is not installed: run `sudo apt-get install -y --no-install-recommends victoria-metrics` " +
  "(CI's .ci/run does this)";

export function findVictoriaMetrics(): string {
  const bin = findExecutable('victoria-metrics');
  if (!bin) {
    throw new Error(VICTORIA_METRICS_MISSING);
  }
  return bin;
}

/**
 * OpenMetrics (seconds, `# EOF`) to Prometheus text exposition (integer milliseconds), the format that
 * /api/v1/import/prometheus documents. VictoriaMetrics 1.79 also guesses that a small timestamp is in seconds and
 * scales it, but the harness sends what the format says rather than rely on the guess.
 */
export function openMetricsToPrometheusText(chunk: string): { text: string; samples: number } {
  const out: string[] = [];
  let samples = 0;
  for (const line of chunk.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const cut = line.lastIndexOf(' ');
    const seconds = Number(line.slice(cut + 1));
    if (cut < 0 || !Number.isFinite(seconds)) {
      throw new Error(`no timestamp on OpenMetrics line: ${line}`);
    }
    out.push(`${line.slice(0, cut)} ${Math.round(seconds * 1000)}`);
    samples++;
  }
  return { text: out.length ? out.join('\n') + '\n' : '', samples };
}

async function importChunks(url: string, chunks: string | Iterable<string>): Promise<number> {
  let samples = 0;
  for (const chunk of typeof chunks === 'string' ? [chunks] : chunks) {
    const { text, samples: n } = openMetricsToPrometheusText(chunk);
    if (n === 0) {
      continue;
    }
    const res = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: text });
    if (!res.ok) {
      throw new Error(`victoria-metrics import failed: HTTP ${res.status} ${(await res.text()).slice(0, 2000)}`);
    }
    samples += n;
  }
  // Imported rows sit in in-memory buffers for up to a second; flushing makes them searchable now.
  const flush = await fetch(`${url}/internal/force_flush`);
  if (!flush.ok) {
    throw new Error(`victoria-metrics force_flush failed: HTTP ${flush.status}`);
  }
  return samples;
}

/** Starts VictoriaMetrics on a fresh storage dir and imports the given simulator data into it. */
export async function startVictoriaMetrics(opts: StartVictoriaMetricsOptions = {}): Promise<RunningVictoriaMetrics> {
  const bin = findVictoriaMetrics();
  const dir = mkdtempSync(join(tmpdir(), 'prefect-insights-vm-'));
  const dataDir = join(dir, 'data');
  const server = await startLocalServer({
    name: 'victoria-metrics',
    bin,
    args: (port) => [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dataDir}`,
      '-retentionPeriod=100y',
      // Caches sized for a test, not for the machine (the default is 60 % of RAM).
      '-memory.allowedBytes=256MiB',
      // Backfilled history: a response cached before the import must not hide it.
      '-search.disableCache',
      '-loggerLevel=ERROR',
      ...(opts.extraArgs ?? []),
    ],
    readyPath: '/health',
    readyTimeoutMs: opts.readyTimeoutMs ?? 30000,
    dir,
  });
  try {
    const importedSamples = opts.openMetrics === undefined ? 0 : await importChunks(server.url, opts.openMetrics);
    return { ...server, dataDir, importedSamples };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
