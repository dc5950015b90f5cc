// Arguments of `prefect-insights scan`, validated up front so that every mistake ends in one clear line and exit
// code 2 before Prometheus is asked anything.
import { DEFAULT_PREFECT_SETTINGS, isValidSetting, type PrefectSettings } from '../catalog/prefectSettings';
import type { Severity } from '../catalog/types';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../prometheus/timeLimit';
import { exitCodesHelp } from './help';
import { enumValue, parseOptions, UsageError } from './options';
import { formatRfc3339, parseTime } from './time';

export { UsageError } from './options';

const FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof FORMATS)[number];

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
  /** Table cells unwrapped and unclipped, however wide. */
  wide: boolean;
  /** Let Prometheus gzip its answers (FetchTransportInit.compressed): for links slower than about 115 Mbit/s. */
  compress: boolean;
  /** The Prometheus URL is a Thanos querier over downsampled blocks (ScanOptions.thanosDownsampling). */
  thanosDownsampling: boolean;
  failOn?: Severity;
}

export type ParsedCommand = { kind: 'help' } | { kind: 'scan'; args: ScanArgs };

export const USAGE = `Usage: prefect-insights scan --prometheus <url> --from <time> --to <time> [options]

Detects known Prefect API incidents in Prometheus latency data and prints them.

Options:
  --prometheus <url>       Prometheus base URL, e.g. http://localhost:9090 (required)
  --from <time>            start (required): RFC 3339 (2026-12-02T09:00:00Z), a date (2026-12-02, read as
                           00:00 UTC), unix seconds or milliseconds, or relative to now (-24h, now-30m)
  --to <time>              end (required), same forms, e.g. now
  --selector '<matchers>'  extra label matchers without braces, e.g. 'job="prefect-server"'
  --metric <name>          histogram to read instead of the auto-detected one
  --timeout <s>            time limit of each request to Prometheus in seconds (default ${DEFAULT_REQUEST_TIMEOUT_SECONDS})
  --pool-timeout <s>       server.database.sqlalchemy.pool_timeout in seconds (default ${DEFAULT_PREFECT_SETTINGS.poolTimeoutSeconds})
  --request-timeout <s>    PREFECT_API_REQUEST_TIMEOUT in seconds (default ${DEFAULT_PREFECT_SETTINGS.apiRequestTimeoutSeconds})
  --pool-size <n>          server.database.sqlalchemy.pool_size (default ${DEFAULT_PREFECT_SETTINGS.poolSize})
  --max-overflow <n>       server.database.sqlalchemy.max_overflow (default ${DEFAULT_PREFECT_SETTINGS.maxOverflow})
  --statement-timeout <s>  PREFECT_SERVER_DATABASE_TIMEOUT in seconds (default ${DEFAULT_PREFECT_SETTINGS.statementTimeoutSeconds})
  --format table|json      output on stdout (default table; any case)
  --wide                   table rows unwrapped, whatever their width (default: fit the terminal, or 120 columns)
  --compress               let Prometheus gzip its answers: worth it over links slower than about 115 Mbit/s
                           (Prometheus compresses about 18 MB/s of JSON; default: plain answers)
  --thanos-downsampling    the URL is a Thanos querier whose compactor downsamples: scans of more than about
                           15 days read its 5-minute (past about 7½ months: 1-hour) blocks, with 10-minute (2-hour) rate
                           windows, and say so (default: raw data only)
  --fail-on info|warning|critical
                           exit 1 when an insight of at least this severity is found
  -h, --help               show this help

${exitCodesHelp()}`;

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

/** `scan …` (the command word first, as typed); help when asked for. */
export function parseCommand(argv: string[], nowMs: number): ParsedCommand {
  const { values: v, positionals } = parseOptions(argv, {
    strings: STRING_OPTIONS,
    booleans: ['wide', 'compress', 'thanos-downsampling'],
  });
  if (v.help === true) {
    return { kind: 'help' };
  }
  if (positionals[0] !== 'scan') {
    throw new UsageError('expected the command scan');
  }
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument "${positionals[1]}"`);
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
    // The times as read, not as typed: a misread form shows at once.
    throw new UsageError(`--from ${formatRfc3339(from)} is not before --to ${formatRfc3339(to)}`);
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
      format: enumValue(str('format'), FORMATS, '--format') ?? 'table',
      wide: v.wide === true,
      compress: v.compress === true,
      thanosDownsampling: v['thanos-downsampling'] === true,
      failOn: enumValue(str('fail-on'), SEVERITIES, '--fail-on'),
    },
  };
}
