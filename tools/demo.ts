// `npm run demo`: the product without Docker or Grafana. Starts a Prometheus on loopback with a day of simulated
// Prefect traffic and incidents, scans it through the CLI's own code path, prints the table and the truth next to
// it, and stops Prometheus again (also on Ctrl-C or failure). With `--keep` Prometheus stays up with the data, and
// the demo prints the commands (scan, rules, Grafana data sources) that work against it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runCli } from '../src/cli/run';
import { formatRfc3339 } from '../src/cli/time';
import { scan } from '../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../src/prometheus/client';
import { resolveMetric } from '../src/prometheus/resolve';
import { buildTimeline, writeOpenMetrics, type ConventionId } from './simulator';
import { startPrometheus, type PrometheusEngine, type RunningPrometheus } from '../tests/harness/prometheus';
import { demoPrometheusEngine } from './demoPrometheus';

const HOUR = 3_600_000;
// The scan starts after the simulator's lead of normal traffic: the detectors' baseline look-back.
const LEAD_HOURS = 6;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Single quotes for a POSIX shell, so the printed commands paste as they are. */
function sh(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What to run against the kept Prometheus: the exact commands, its whereabouts and how to stop it. */
function keptHints(prom: RunningPrometheus, from: number, to: number): string {
  const promUid = 'prefect-insights-demo-prometheus';
  const prometheusDs = JSON.stringify({
    name: 'Prometheus (prefect-insights demo)',
    uid: promUid,
    type: 'prometheus',
    access: 'proxy',
    url: prom.url,
  });
  const insightsDs = JSON.stringify({
    name: 'Prefect API insights (demo)',
    type: 'prefectinsights-api-datasource',
    access: 'proxy',
    jsonData: { prometheusUid: promUid },
  });
  const grafana = '"${GRAFANA_URL:-http://localhost:3000}/api/datasources"';
  const curl = (body: string) =>
    `curl -fsS -u "\${GRAFANA_AUTH:-admin:admin}" -H 'Content-Type: application/json' ${grafana} -d ${sh(body)}`;
  return [
    '',
    `Prometheus keeps running with the demo data at ${prom.url} (pid ${prom.pid}, data in ${prom.dir}).`,
    `Its data spans ${formatRfc3339(from - LEAD_HOURS * HOUR)} .. ${formatRfc3339(to)}; scan it from the repository folder:`,
    `  npx prefect-insights scan --prometheus ${prom.url} --from ${formatRfc3339(from)} --to ${formatRfc3339(to)}`,
    `  npx prefect-insights rules --prometheus ${prom.url} > prefect-insights.rules.yml`,
    '(or `npm run cli -- scan …` in place of `npx prefect-insights scan …`)',
    'Add it to a Grafana on this machine (with the plugin installed; GRAFANA_URL and GRAFANA_AUTH if not',
    'http://localhost:3000 and admin:admin), then open the app with the time range above:',
    `  ${curl(prometheusDs)}`,
    `  ${curl(insightsDs)}`,
    'Stop it:',
    `  kill ${prom.pid} && rm -rf ${prom.dir}`,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const seed = Number(arg('seed') ?? 42);
  const convention = (arg('convention') ?? 'prefect') as ConventionId;
  const keep = process.argv.includes('--keep');
  let engine: PrometheusEngine;
  try {
    engine = demoPrometheusEngine();
  } catch (e) {
    // One line: what is missing and the command that installs it.
    process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), 'prefect-insights-demo-'));
  let prom: RunningPrometheus | undefined;
  let kept = false;
  const stop = async () => {
    const p = prom;
    prom = undefined;
    if (!kept) {
      await p?.stop();
    }
    rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted: stopping Prometheus\n');
    void stop().finally(() => process.exit(130));
  });

  try {
    const timeline = buildTimeline({ seed, convention, days: 1, leadHours: LEAD_HOURS });
    process.stderr.write(`Simulating one day of Prefect API traffic (${convention}, seed ${seed}) with incidents…\n`);
    const file = join(work, 'demo.om');
    writeOpenMetrics(timeline, file);
    process.stderr.write('Backfilling it into a Prometheus on 127.0.0.1…\n');
    prom = await startPrometheus({ openMetrics: file, engine, keep });
    rmSync(file, { force: true });
    process.stderr.write(`Prometheus is up at ${prom.url}. Scanning (the same code as \`prefect-insights scan\`)…\n\n`);

    const from = timeline.start + LEAD_HOURS * HOUR;
    const code = await runCli(
      ['scan', '--prometheus', prom.url, '--from', String(from / 1000), '--to', String(timeline.end / 1000)],
      {
        now: () => Date.now(),
        stdout: process.stdout,
        stderr: process.stderr,
        createApi: (url) => createPrometheusApi(fetchTransport(url)),
        resolveMetric,
        scan,
      }
    );
    process.stdout.write('\nWhat the simulator injected (decoys must not appear above):\n');
    for (const t of timeline.truth) {
      process.stdout.write(`  ${t.id.padEnd(28)} ${formatRfc3339(t.start)} .. ${formatRfc3339(t.end)}\n`);
    }
    if (keep && code !== 2) {
      kept = true;
      process.stdout.write(keptHints(prom, from, timeline.end));
    } else {
      process.stdout.write(
        `\nThis data spans ${formatRfc3339(timeline.start)} .. ${formatRfc3339(timeline.end)}, days back: a scan of the last 24 h\n` +
          'would miss it. To keep this Prometheus and its data for the CLI and Grafana: npm run demo -- --keep\n' +
          'On your own Prometheus: npx prefect-insights scan --prometheus <url> --from -24h --to now\n'
      );
    }
    return code === 2 ? 1 : 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
);
