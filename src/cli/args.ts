// Arguments of `prefect-insights scan`, parsed with node:util's parseArgs (no dependency) and validated up front
// so that every mistake ends in one clear line and exit code 2 before Prometheus is asked anything.
import { parseArgs } from 'node:util';
import { DEFAULT_PREFECT_SETTINGS, isValidSetting, type PrefectSettings } from '../catalog/prefectSettings';
import type { Severity } from '../catalog/types';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../prometheus/timeLimit';
import { parseTime } from './time';

export type OutputFormat = 'json' | 'table';

export interface ScanArgs {
  prometheus: string;
  /** unix ms */
  from: number;
  /** unix ms */
  to: number;
  selector?: string;
  metric?: string;
  poolTimeoutSeconds?: number;
  requestTimeoutSeconds?: number;
  /** Time limit of each request to Prometheus, seconds. */
  timeoutSeconds: number;
  poolSize?: number;
  maxOverflow?: number;
  statementTimeoutSeconds?: number;
  format: OutputFormat;
  failOn?: Severity;
}

export type ParsedCommand = { kind: 'help' } | { kind: 'scan'; args: ScanArgs };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: prefect-insights scan --prometheus <url> --from <time> --to <time> [options]

Detects known Prefect API incidents in Prometheus latency data and prints them.

Options:
  --prometheus <url>       Prometheus base URL, e.g. http://localhost:9090 (required)
  --from <time>            start: RFC 3339, unix seconds, or relative (-24h, now-30m) (required)
  --to <time>              end, same forms, e.g. now (required)
  --selector '<matchers>'  extra label matchers without braces, e.g. 'job="prefect-server"'
  --metric <name>          histogram to read instead of the auto-detected one
  --timeout <s>            time limit of each request to Prometheus in seconds (default ${DEFAULT_REQUEST_TIMEOUT_SECONDS})
  --pool-timeout <s>       server.database.sqlalchemy.pool_timeout in seconds (default ${DEFAULT_PREFECT_SETTINGS.poolTimeoutSeconds})
  --request-timeout <s>    PREFECT_API_REQUEST_TIMEOUT in seconds (default ${DEFAULT_PREFECT_SETTINGS.apiRequestTimeoutSeconds})
  --pool-size <n>          server.database.sqlalchemy.pool_size (default ${DEFAULT_PREFECT_SETTINGS.poolSize})
  --max-overflow <n>       server.database.sqlalchemy.max_overflow (default ${DEFAULT_PREFECT_SETTINGS.maxOverflow})
  --statement-timeout <s>  PREFECT_SERVER_DATABASE_TIMEOUT in seconds (default ${DEFAULT_PREFECT_SETTINGS.statementTimeoutSeconds})
  --format json|table      output on stdout (default table)
  --fail-on info|warning|critical
                           exit 1 when an insight of at least this severity is found
  -h, --help               show this help

Exit codes: 0 scan ran, 1 --fail-on met, 2 error (one line on stderr).`;

const STRING_OPTIONS = [
  'prometheus',
  'from',
  'to',
  'selector',
  'metric',
  'pool-timeout',
  'request-timeout',
  'timeout',
  'pool-size',
  'max-overflow',
  'statement-timeout',
  'format',
  'fail-on',
] as const;

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/**
 * parseArgs refuses `--from -24h` as ambiguous; relative times start with a dash by nature, so a value that follows
 * one of our string options is glued to it (`--from=-24h`) before parsing.
 */
function glueDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2) : '';
    const next = argv[i + 1];
    if ((STRING_OPTIONS as readonly string[]).includes(name) && next !== undefined && /^-[^-]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

function positiveNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || text.trim() === '') {
    throw new UsageError(`${flag} must be a positive number of seconds, got "${text}"`);
  }
  return v;
}

/** A Prefect setting from its flag, held to the same rule as the data source's settings form. */
function settingArg(text: string | undefined, key: keyof PrefectSettings, flag: string): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const v = text.trim() === '' ? NaN : Number(text);
  if (!isValidSetting(key, v)) {
    throw new UsageError(
      `${flag} must be a ${key === 'maxOverflow' ? 'number ≥ 0' : 'positive number'}, got "${text}"`
    );
  }
  return v;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`${flag} is required`);
  }
  return value;
}

function timeArg(text: string, nowMs: number, flag: string): number {
  try {
    return parseTime(text, nowMs, flag);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export function parseCommand(argv: string[], nowMs: number): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: glueDashValues(argv),
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((n) => [n, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
  const { values, positionals } = parsed;
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help === true) {
    return { kind: 'help' };
  }
  if (positionals.length === 0) {
    throw new UsageError('missing command: prefect-insights scan …');
  }
  if (positionals[0] !== 'scan' || positionals.length > 1) {
    throw new UsageError(`unknown command "${positionals.join(' ')}": the commands are "scan" and "rules"`);
  }
  const str = (name: (typeof STRING_OPTIONS)[number]) => v[name] as string | undefined;

  const prometheus = required(str('prometheus'), '--prometheus');
  let url: URL;
  try {
    url = new URL(prometheus);
  } catch {
    throw new UsageError(`--prometheus "${prometheus}" is not a URL (e.g. http://localhost:9090)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--prometheus must be an http(s) URL, got "${prometheus}"`);
  }
  const from = timeArg(required(str('from'), '--from'), nowMs, '--from');
  const to = timeArg(required(str('to'), '--to'), nowMs, '--to');
  if (!(from < to)) {
    throw new UsageError(`--from must be before --to (got ${str('from')} .. ${str('to')})`);
  }
  const format = str('format') ?? 'table';
  if (format !== 'json' && format !== 'table') {
    throw new UsageError(`--format must be json or table, got "${format}"`);
  }
  const failOn = str('fail-on');
  if (failOn !== undefined && !(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, got "${failOn}"`);
  }
  const selector = str('selector')?.trim();
  const metric = str('metric')?.trim();
  return {
    kind: 'scan',
    args: {
      prometheus,
      from,
      to,
      selector: selector ? selector.replace(/^\{(.*)\}$/s, '$1') : undefined,
      metric: metric || undefined,
      poolTimeoutSeconds: positiveNumber(str('pool-timeout'), '--pool-timeout'),
      requestTimeoutSeconds: positiveNumber(str('request-timeout'), '--request-timeout'),
      timeoutSeconds: positiveNumber(str('timeout'), '--timeout') ?? DEFAULT_REQUEST_TIMEOUT_SECONDS,
      poolSize: settingArg(str('pool-size'), 'poolSize', '--pool-size'),
      maxOverflow: settingArg(str('max-overflow'), 'maxOverflow', '--max-overflow'),
      statementTimeoutSeconds: settingArg(str('statement-timeout'), 'statementTimeoutSeconds', '--statement-timeout'),
      format,
      failOn: failOn as Severity | undefined,
    },
  };
}
