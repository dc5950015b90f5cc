// `prefect-insights scan` as a function of its arguments and its surroundings, so tests drive it without a process.
import { DEFAULT_PREFECT_SETTINGS, type PrefectSettings } from '../catalog/prefectSettings';
import { SEVERITY_RANK } from '../catalog/types';
import type { ScanOptions, ScanResult } from '../insights/engine/types';
import type { MetricOverrides, PrometheusApi, ResolvedMetric } from '../prometheus/types';
import { parseCommand, USAGE, UsageError, type ScanArgs } from './args';
import { parseRulesArgs, RULES_USAGE, rulesFor } from './rules';
import { toScanJson, toTable } from './output';

export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliDeps {
  now(): number;
  stdout: TextSink;
  stderr: TextSink;
  createApi(baseUrl: string, timeoutSeconds: number): PrometheusApi;
  resolveMetric(
    api: PrometheusApi,
    overrides: MetricOverrides,
    range: { start: number; end: number }
  ): Promise<ResolvedMetric>;
  scan(opts: ScanOptions): Promise<ScanResult>;
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_FAIL_ON = 1;
export const EXIT_ERROR = 2;
/** The metric has no sample in the range: nothing was judged, so neither 0 ("ran, all clear") nor 1 fits. */
export const EXIT_NO_DATA = 3;

const PROGRESS_AFTER_MS = 1000;

export function settingsFor(args: ScanArgs): PrefectSettings {
  return {
    ...DEFAULT_PREFECT_SETTINGS,
    ...(args.poolTimeoutSeconds !== undefined ? { poolTimeoutSeconds: args.poolTimeoutSeconds } : {}),
    ...(args.requestTimeoutSeconds !== undefined ? { apiRequestTimeoutSeconds: args.requestTimeoutSeconds } : {}),
    ...(args.poolSize !== undefined ? { poolSize: args.poolSize } : {}),
    ...(args.maxOverflow !== undefined ? { maxOverflow: args.maxOverflow } : {}),
    ...(args.statementTimeoutSeconds !== undefined ? { statementTimeoutSeconds: args.statementTimeoutSeconds } : {}),
  };
}

/** One line, whatever the error: cron mails and CI logs show the first line only. */
export function errorLine(e: unknown): string {
  let message: string;
  if (e instanceof UsageError) {
    message = `${e.message} (see prefect-insights scan --help)`;
  } else if (e instanceof Error && e.name === 'AbortError') {
    message = 'scan canceled';
  } else if (e instanceof Error) {
    message = e.message || e.name;
  } else {
    message = String(e);
  }
  return `prefect-insights: error: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`;
}

/** A self-erasing progress line, shown only on a terminal and only once the scan has taken over a second. */
function progressReporter(
  stderr: TextSink,
  now: () => number
): { update(done: number, total: number): void; end(): void } {
  if (!stderr.isTTY) {
    return { update: () => undefined, end: () => undefined };
  }
  const started = now();
  let last: [number, number] | null = null;
  let shown = false;
  const draw = () => {
    if (last) {
      shown = true;
      stderr.write(`\rscanning… ${last[0]}/${last[1]} Prometheus requests`);
    }
  };
  const timer = setTimeout(draw, PROGRESS_AFTER_MS);
  timer.unref?.();
  return {
    update(done, total) {
      last = [done, total];
      if (now() - started >= PROGRESS_AFTER_MS) {
        draw();
      }
    },
    end() {
      clearTimeout(timer);
      if (shown) {
        stderr.write('\r\u001b[K');
      }
    },
  };
}

/** `prefect-insights rules …`: the YAML on stdout, or one error line and exit 2. */
async function runRules(argv: string[], deps: CliDeps): Promise<number> {
  try {
    const args = parseRulesArgs(argv);
    if (args === null) {
      deps.stdout.write(RULES_USAGE + '\n');
      return EXIT_OK;
    }
    deps.stdout.write(await rulesFor(args, deps));
    return EXIT_OK;
  } catch (e) {
    deps.stderr.write(errorLine(e).replace('prefect-insights scan --help', 'prefect-insights rules --help'));
    return EXIT_ERROR;
  }
}

export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  if (argv[0] === 'rules') {
    return runRules(argv.slice(1), deps);
  }
  let args: ScanArgs;
  try {
    const cmd = parseCommand(argv, deps.now());
    if (cmd.kind === 'help') {
      deps.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    args = cmd.args;
  } catch (e) {
    deps.stderr.write(errorLine(e));
    return EXIT_ERROR;
  }

  const progress = progressReporter(deps.stderr, deps.now);
  try {
    const api = deps.createApi(args.prometheus, args.timeoutSeconds);
    const overrides: MetricOverrides = {};
    if (args.metric) {
      overrides.metric = args.metric;
    }
    if (args.selector) {
      overrides.selector = args.selector;
    }
    const metric = await deps.resolveMetric(api, overrides, { start: args.from / 1000, end: args.to / 1000 });
    const result = await deps.scan({
      api,
      metric,
      from: args.from,
      to: args.to,
      settings: settingsFor(args),
      signal: deps.signal,
      onProgress: progress.update,
    });
    progress.end();
    // An incomplete answer is said, never left for the reader to guess from low numbers.
    for (const w of result.warnings) {
      deps.stderr.write(`warning: ${w}\n`);
    }
    for (const i of result.infos ?? []) {
      deps.stderr.write(`info: ${i}\n`);
    }
    if (result.noData) {
      // Never an empty table that reads as "all clear": its own line on stderr and its own exit code.
      const span = `${new Date(args.from).toISOString()} to ${new Date(args.to).toISOString()}`;
      deps.stderr.write(`prefect-insights: ${result.noData} (${span}): no insight can be judged\n`);
      if (args.format === 'json') {
        const json = toScanJson(result.metric, args.from, args.to, result.episodes);
        deps.stdout.write(JSON.stringify({ ...json, noData: result.noData }) + '\n');
      }
      return EXIT_NO_DATA;
    }
    const out =
      args.format === 'json'
        ? JSON.stringify(toScanJson(result.metric, args.from, args.to, result.episodes)) + '\n'
        : toTable(result.metric, args.from, args.to, result.episodes);
    deps.stdout.write(out);
    const failOn = args.failOn;
    if (failOn && result.episodes.some((e) => SEVERITY_RANK[e.severity] >= SEVERITY_RANK[failOn])) {
      return EXIT_FAIL_ON;
    }
    return EXIT_OK;
  } catch (e) {
    progress.end();
    deps.stderr.write(errorLine(e));
    return EXIT_ERROR;
  }
}
