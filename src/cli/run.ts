// `prefect-insights` as a function of its arguments and its surroundings, so tests drive it without a process:
// the dispatch to a command (or help, or the version), then one function per command.
import { DEFAULT_PREFECT_SETTINGS, type PrefectSettings } from '../catalog/prefectSettings';
import { SEVERITY_RANK, type Severity } from '../catalog/types';
import type { ScanOptions, ScanResult } from '../insights/engine/types';
import type { Episode } from '../insights/types';
import type { MetricOverrides, PrometheusApi, ResolvedMetric } from '../prometheus/types';
import { parseCommand, USAGE, type ScanArgs } from './args';
import { EXIT, MAIN_USAGE, VERSION } from './help';
import { UsageError } from './options';
import { parseRulesArgs, RULES_USAGE, rulesFor } from './rules';
import { sourceOf, TABLE_WIDTH, toScanJson, toTable } from './output';
import { formatRfc3339 } from './time';

export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width, when the sink is a terminal (as on process.stdout). */
  columns?: number;
}

export interface CliDeps {
  now(): number;
  stdout: TextSink;
  stderr: TextSink;
  createApi(baseUrl: string, timeoutSeconds: number, opts?: { compressed?: boolean }): PrometheusApi;
  resolveMetric(
    api: PrometheusApi,
    overrides: MetricOverrides,
    range: { start: number; end: number }
  ): Promise<ResolvedMetric>;
  scan(opts: ScanOptions): Promise<ScanResult>;
  signal?: AbortSignal;
}

export const EXIT_OK = EXIT.ok;
export const EXIT_FAIL_ON = EXIT.failOn;
export const EXIT_ERROR = EXIT.error;
export const EXIT_NO_DATA = EXIT.noData;

type Command = 'scan' | 'rules';
const COMMANDS: Record<Command, string> = { scan: USAGE, rules: RULES_USAGE };

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
export function errorLine(e: unknown, command?: Command): string {
  let message: string;
  if (e instanceof UsageError) {
    message = `${e.message} (see prefect-insights ${command ? `${command} ` : ''}--help)`;
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
    deps.stderr.write(errorLine(e, 'rules'));
    return EXIT_ERROR;
  }
}

/** The table's width: the terminal's when stdout is one, else the width that fits mail and CI logs. */
function tableWidth(args: ScanArgs, stdout: TextSink): number {
  if (args.wide) {
    return Infinity;
  }
  return stdout.isTTY && stdout.columns && stdout.columns > 0 ? stdout.columns : TABLE_WIDTH;
}

/** Why the exit code is 1: the episodes that met --fail-on, on stderr (stdout stays the report). */
function failOnLine(failOn: Severity, met: Episode[]): string {
  const shown = met
    .slice(0, 5)
    .map((e) => `${e.id} (${e.severity}) at ${formatRfc3339(e.start)}`)
    .join(', ');
  const more = met.length > 5 ? `, and ${met.length - 5} more` : '';
  return `prefect-insights: --fail-on ${failOn} met by ${met.length} episode${met.length === 1 ? '' : 's'}: ${shown}${more}\n`;
}

export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    deps.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      deps.stdout.write(MAIN_USAGE + '\n');
      return EXIT_OK;
    }
    if (topic === 'scan' || topic === 'rules') {
      deps.stdout.write(COMMANDS[topic] + '\n');
      return EXIT_OK;
    }
    deps.stderr.write(errorLine(new UsageError(`no command "${topic}": the commands are scan and rules`)));
    return EXIT_ERROR;
  }
  if (first === undefined) {
    deps.stderr.write(MAIN_USAGE + '\n');
    return EXIT_ERROR;
  }
  if (first === 'rules') {
    return runRules(rest, deps);
  }
  if (first !== 'scan') {
    const what = first.startsWith('-') ? `missing command before ${first}` : `unknown command "${first}"`;
    deps.stderr.write(errorLine(new UsageError(`${what}: the commands are scan and rules`)));
    return EXIT_ERROR;
  }
  return runScan(argv, deps);
}

/** `prefect-insights scan …` (argv with the command word). */
async function runScan(argv: string[], deps: CliDeps): Promise<number> {
  let args: ScanArgs;
  try {
    const cmd = parseCommand(argv, deps.now());
    if (cmd.kind === 'help') {
      deps.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    args = cmd.args;
  } catch (e) {
    deps.stderr.write(errorLine(e, 'scan'));
    return EXIT_ERROR;
  }
  const progress = progressReporter(deps.stderr, deps.now);
  try {
    const api = deps.createApi(args.prometheus, args.timeoutSeconds, { compressed: args.compress });
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
      thanosDownsampling: args.thanosDownsampling,
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
        const json = toScanJson(result.metric, args.from, args.to, result.episodes, sourceOf(result));
        deps.stdout.write(JSON.stringify({ ...json, noData: result.noData }) + '\n');
      }
      return EXIT_NO_DATA;
    }
    const out =
      args.format === 'json'
        ? JSON.stringify(toScanJson(result.metric, args.from, args.to, result.episodes, sourceOf(result))) + '\n'
        : toTable(result.metric, args.from, args.to, result.episodes, {
            width: tableWidth(args, deps.stdout),
            source: sourceOf(result),
          });
    deps.stdout.write(out);
    const failOn = args.failOn;
    const met = failOn ? result.episodes.filter((e) => SEVERITY_RANK[e.severity] >= SEVERITY_RANK[failOn]) : [];
    if (failOn && met.length > 0) {
      deps.stderr.write(failOnLine(failOn, met));
      return EXIT_FAIL_ON;
    }
    return EXIT_OK;
  } catch (e) {
    progress.end();
    deps.stderr.write(errorLine(e, 'scan'));
    return EXIT_ERROR;
  }
}
