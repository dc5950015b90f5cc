// `npm run demo`: the product without Docker or Grafana. Starts Debian's Prometheus on loopback with a day of
// simulated Prefect traffic and incidents, scans it through the CLI's own code path, prints the table and the truth
// next to it, and stops Prometheus again (also on Ctrl-C or failure).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runCli } from '../src/cli/run';
import { scan } from '../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../src/prometheus/client';
import { resolveMetric } from '../src/prometheus/resolve';
import { buildTimeline, writeOpenMetrics, type ConventionId } from './simulator';
import { startPrometheus, type RunningPrometheus } from '../tests/harness/prometheus';
import { demoPrometheusEngine } from './demoPrometheus';

const HOUR = 3_600_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const seed = Number(arg('seed') ?? 42);
  const convention = (arg('convention') ?? 'prefect') as ConventionId;
  const work = mkdtempSync(join(tmpdir(), 'prefect-insights-demo-'));
  let prom: RunningPrometheus | undefined;
  const stop = async () => {
    const p = prom;
    prom = undefined;
    await p?.stop();
    rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted: stopping Prometheus\n');
    void stop().finally(() => process.exit(130));
  });

  try {
    const timeline = buildTimeline({ seed, convention, days: 1 });
    process.stderr.write(`Simulating one day of Prefect API traffic (${convention}, seed ${seed}) with incidents…\n`);
    const file = join(work, 'demo.om');
    writeOpenMetrics(timeline, file);
    process.stderr.write('Backfilling it into a Prometheus on 127.0.0.1…\n');
    prom = await startPrometheus({ openMetrics: file, engine: demoPrometheusEngine() });
    rmSync(file, { force: true });
    process.stderr.write(`Prometheus is up at ${prom.url}. Scanning (the same code as \`prefect-insights scan\`)…\n\n`);

    const from = timeline.start + 6 * HOUR;
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
    const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
    process.stdout.write('\nWhat the simulator injected (decoys must not appear above):\n');
    for (const t of timeline.truth) {
      process.stdout.write(`  ${t.id.padEnd(28)} ${iso(t.start)} .. ${iso(t.end)}\n`);
    }
    process.stdout.write(
      '\nOn your own Prometheus: npx prefect-insights scan --prometheus <url> --from -24h --to now\n'
    );
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
