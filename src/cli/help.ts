// The command line's own description: the commands, the exit codes every command shares, and the version.
import { version } from '../../package.json';

export const VERSION = version;

/**
 * Exit codes of every command, in one place so that help and code agree. A new outcome gets its own code here
 * and its line in the help comes with it.
 */
export const EXIT = {
  ok: 0,
  failOn: 1,
  error: 2,
  /** The metric has no sample in the range: nothing was judged, so neither 0 ("ran, all clear") nor 1 fits. */
  noData: 3,
} as const;

const EXIT_MEANINGS: Array<[number, string]> = [
  [EXIT.ok, 'done (scan: whatever it found, unless --fail-on says otherwise)'],
  [EXIT.failOn, 'scan --fail-on: an insight of at least that severity was found (named on stderr)'],
  [EXIT.error, 'usage error, Prometheus unreachable or refusing, metric not found (one line on stderr)'],
  [EXIT.noData, 'scan: the metric has no sample in the range, so nothing could be judged (said on stderr)'],
];

export function exitCodesHelp(): string {
  return ['Exit codes:', ...EXIT_MEANINGS.map(([code, meaning]) => `  ${code}  ${meaning}`)].join('\n');
}

export const MAIN_USAGE = `Usage: prefect-insights <command> [options]

Finds known Prefect API incidents in the server's latency histogram in Prometheus.

Commands:
  scan     detect insights over a time range and print them (table or JSON)
  rules    write Prometheus alerting rules for the detectable insights

  help <command>, <command> --help   options of a command
  --version                          print the version

Examples:
  prefect-insights scan --prometheus http://localhost:9090 --from -24h --to now
  prefect-insights rules --prometheus http://localhost:9090 > prefect-insights.rules.yml

${exitCodesHelp()}`;
