// One setup's running parts: a database in the shared PostgreSQL, the Prometheus that receives the data, the
// instrumented Prefect server, its worker, and the ground-truth request log. Incident runs reuse it: they get the
// server and worker handles (signals, restart) and the PostgreSQL handle (locks) from here.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../harness/localServer';
import { OTLP_METRICS_PATH, startPrometheus } from '../../harness/prometheus';
import type { RunningPostgres } from './postgres';
import { startPrefectServer, startWorker, type RunningPrefect } from './prefectServer';
import type { ManagedProcess } from './process';
import type { Setup } from './setups';

/** How often the scraping setups' Prometheus scrapes the server's exporter; the tests size their reads by it. */
export const SCRAPE_SECONDS = 5;

export interface Stack {
  setup: Setup;
  dir: string;
  database: string;
  /** The login role the server connects as when it is not the superuser (startStack's `ownRole`), else null. */
  role: string | null;
  prometheusUrl: string;
  prefect: RunningPrefect;
  worker: ManagedProcess;
  pool: string;
  /** JSONL of every request the driver, the worker and its flow runs made. */
  requestLog: string;
  stop(): Promise<void>;
}

export async function startStack(
  setup: Setup,
  pg: RunningPostgres,
  extraEnv: Record<string, string> = {},
  opts: { ownRole?: boolean } = {}
): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), `prefect-insights-setup-${setup.id}-`));
  const database = `prefect_${setup.id}_${Date.now() % 100000}`;
  const role = opts.ownRole ? `${database}_server` : null;
  const databaseUrl = await pg.createDatabase(database, role ? { owner: role } : {});
  const stops: Array<() => Promise<void>> = [];
  let promDataDir: string | undefined;
  const stopAll = async () => {
    // With PREFECT_KEEP_LOGS the metrics stay too (a copy of the live TSDB, WAL included), so a scan that missed
    // something can be re-run on the very data: prometheus --storage.tsdb.path=<dir>/prometheus-data.
    if (process.env.PREFECT_KEEP_LOGS && promDataDir) {
      cpSync(promDataDir, join(dir, 'prometheus-data'), { recursive: true });
    }
    for (const s of stops.reverse()) {
      await s().catch(() => undefined);
    }
    // Logs of the server, worker and driver stay for a look when PREFECT_KEEP_LOGS is set.
    if (!process.env.PREFECT_KEEP_LOGS) {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const env: Record<string, string> = { ...setup.env, ...extraEnv };
    let prometheusUrl: string;
    if (setup.backend.kind === 'scrape') {
      const exporterPort = await freePort();
      env.OTEL_EXPORTER_PROMETHEUS_HOST = '127.0.0.1';
      env.OTEL_EXPORTER_PROMETHEUS_PORT = String(exporterPort);
      const prom = await startPrometheus({
        engine: 'prometheus2',
        scrapeTargets: [`127.0.0.1:${exporterPort}`],
        scrapeInterval: `${SCRAPE_SECONDS}s`,
      });
      stops.push(prom.stop);
      promDataDir = prom.dataDir;
      prometheusUrl = prom.url;
    } else {
      const prom = await startPrometheus({
        engine: 'prometheus3',
        otlp: { translationStrategy: setup.backend.translation },
      });
      stops.push(prom.stop);
      promDataDir = prom.dataDir;
      env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = `${prom.url}${OTLP_METRICS_PATH}`;
      prometheusUrl = prom.url;
    }
    const prefect = await startPrefectServer({ dir, databaseUrl, env, launcher: setup.launcher });
    stops.push(prefect.stop);
    const pool = `insights-${setup.id}`;
    const requestLog = join(dir, 'requests.jsonl');
    const worker = await startWorker(prefect.apiUrl, dir, pool, requestLog);
    stops.push(() => worker.stop());
    return { setup, dir, database, role, prometheusUrl, prefect, worker, pool, requestLog, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
