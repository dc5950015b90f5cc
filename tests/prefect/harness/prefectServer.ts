// A real Prefect server (the PyPI package) on PostgreSQL, under OpenTelemetry exactly as an operator runs it:
// `opentelemetry-instrument prefect server start` with OTEL_* variables (or, for the View setup, the launcher in
// tools/prefect/serve_with_view.py), plus a real `prefect worker start --type process` polling a work pool.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../harness/localServer';
import { startProcess, waitHttpOk, type ManagedProcess } from './process';
import { PREFECT_TOOLS, RECORDER_DIR, venvBin } from './venv';

/** What every setup sets; the suite's recipe and the README's are these lines. */
export const BASE_OTEL_ENV = {
  OTEL_SERVICE_NAME: 'prefect-server',
  OTEL_METRIC_EXPORT_INTERVAL: '5000',
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
} as const;

export interface PrefectServerOptions {
  /** Working folder: PREFECT_HOME, logs. */
  dir: string;
  databaseUrl: string;
  /** OTEL_* and PREFECT_* variables of the setup (on top of BASE_OTEL_ENV). */
  env: Record<string, string>;
  /** `opentelemetry-instrument` (default) or the View launcher. */
  launcher?: 'opentelemetry-instrument' | 'view-launcher';
}

export interface RunningPrefect {
  url: string;
  apiUrl: string;
  server: ManagedProcess;
  /** The command line, for the report. */
  command: string;
  /**
   * Starts the server again on the same port and database (after an outage); `env` changes its settings from then
   * on (an incident timeline restarts into a tiny connection pool and back).
   */
  restart(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

function cleanEnv(): NodeJS.ProcessEnv {
  // Nothing of the test runner's own OTEL_/PREFECT_ environment may leak into the processes under test.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OTEL_') && !k.startsWith('PREFECT_') && k !== 'PYTHONPATH') {
      env[k] = v;
    }
  }
  return env;
}

export async function startPrefectServer(opts: PrefectServerOptions): Promise<RunningPrefect> {
  mkdirSync(opts.dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PREFECT_HOME: join(opts.dir, 'home'),
    PREFECT_API_DATABASE_CONNECTION_URL: opts.databaseUrl,
    PREFECT_SERVER_ANALYTICS_ENABLED: 'false',
    PREFECT_UI_API_URL: `${url}/api`,
    ...BASE_OTEL_ENV,
    ...opts.env,
  };
  const prefectArgs = ['server', 'start', '--host', '127.0.0.1', '--port', String(port)];
  const [file, args] =
    opts.launcher === 'view-launcher'
      ? [venvBin('python'), [join(PREFECT_TOOLS, 'serve_with_view.py'), ...prefectArgs]]
      : [venvBin('opentelemetry-instrument'), [venvBin('prefect'), ...prefectArgs]];
  const visibleEnv = Object.entries({ ...BASE_OTEL_ENV, ...opts.env })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const command = `${visibleEnv} ${opts.launcher === 'view-launcher' ? 'python serve_with_view.py' : 'opentelemetry-instrument prefect'} ${prefectArgs.join(' ')}`;
  const handle: { server: ManagedProcess } = { server: start() };

  function start(): ManagedProcess {
    return startProcess(file, args, env, join(opts.dir, 'server.log'));
  }
  // The first start migrates the database: allow for it on two busy cores.
  await waitHttpOk(`${url}/api/ready`, handle.server, 180_000, 'prefect server');
  return {
    url,
    apiUrl: `${url}/api`,
    get server() {
      return handle.server;
    },
    command,
    restart: async (changes?: Record<string, string>) => {
      await handle.server.stop();
      Object.assign(env, changes ?? {});
      handle.server = start();
      await waitHttpOk(`${url}/api/ready`, handle.server, 120_000, 'prefect server (restart)');
    },
    stop: () => handle.server.stop(),
  };
}

/** Environment of a Prefect client process (driver, worker and the flow runs it starts) that records its requests. */
export function clientEnv(apiUrl: string, home: string, requestLog: string): NodeJS.ProcessEnv {
  return {
    ...cleanEnv(),
    PREFECT_API_URL: apiUrl,
    PREFECT_HOME: home,
    PYTHONPATH: RECORDER_DIR,
    PREFECT_INSIGHTS_REQUEST_LOG: requestLog,
  };
}

/** `prefect worker start --pool POOL --type process`, as a user starts it. */
export async function startWorker(
  apiUrl: string,
  dir: string,
  pool: string,
  requestLog: string
): Promise<ManagedProcess> {
  const env = clientEnv(apiUrl, join(dir, 'worker-home'), requestLog);
  return startProcess(
    venvBin('prefect'),
    ['worker', 'start', '--pool', pool, '--type', 'process', '--name', `${pool}-worker`],
    env,
    join(dir, 'worker.log')
  );
}

export interface DriverOptions {
  seconds: number;
  concurrency?: number;
  maxIterations?: number;
}

/** Runs tools/prefect/load_driver.py to the end (bounded by its own --seconds and --max-iterations); returns its pid. */
export async function runDriver(
  apiUrl: string,
  dir: string,
  pool: string,
  requestLog: string,
  opts: DriverOptions
): Promise<number> {
  const env = clientEnv(apiUrl, join(dir, 'driver-home'), requestLog);
  const proc = startProcess(
    venvBin('python'),
    [
      join(PREFECT_TOOLS, 'load_driver.py'),
      '--pool',
      pool,
      '--seconds',
      String(opts.seconds),
      '--concurrency',
      String(opts.concurrency ?? 3),
      '--max-iterations',
      String(opts.maxIterations ?? 400),
    ],
    env,
    join(dir, 'driver.log')
  );
  const timer = setTimeout(() => proc.signal('SIGKILL'), (opts.seconds + 120) * 1000);
  const code = await proc.exited();
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(`load driver exited ${code}:\n${proc.tail()}`);
  }
  return proc.pid;
}
