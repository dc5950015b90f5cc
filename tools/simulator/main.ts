// Command line: `npx tsx tools/simulator/main.ts openmetrics|serve …` (see README.md beside this file).
import { writeFileSync } from 'node:fs';

import { getConvention, type ConventionId } from './conventions';
import { startExporter } from './exporter';
import { writeOpenMetrics } from './openmetrics';
import { COMPACT_ROUTE_IDS } from './routes';
import { buildTimeline, type ScenarioId } from './scenarios';

const USAGE = `usage:
  main.ts openmetrics --convention ID --days N --seed S --out FILE [--scenarios a,b|none] [--interval SECONDS]
                      [--start ISO] [--compact] [--no-api-prefix] [--other-service] [--truth FILE.json]
  main.ts serve --convention ID [--port P] [--seed S] [--other-service]`;

function parseArgs(argv: string[]): { cmd: string; flags: Map<string, string> } {
  const [cmd, ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) {
      throw new Error(`unexpected argument ${a}\n${USAGE}`);
    }
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) {
      flags.set(a.slice(2), 'true');
    } else {
      flags.set(a.slice(2), next);
      i++;
    }
  }
  return { cmd: cmd ?? '', flags };
}

function num(flags: Map<string, string>, name: string, dflt: number): number {
  const v = flags.get(name);
  if (v === undefined) {
    return dflt;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) {
    throw new Error(`--${name} must be a number`);
  }
  return n;
}

async function main(argv: string[]): Promise<void> {
  const { cmd, flags } = parseArgs(argv);
  const convention = (flags.get('convention') ?? 'prefect') as ConventionId;
  getConvention(convention);
  if (cmd === 'openmetrics') {
    const out = flags.get('out');
    if (!out) {
      throw new Error(`--out is required\n${USAGE}`);
    }
    const scenarios = flags.get('scenarios');
    const include =
      scenarios === undefined
        ? undefined
        : scenarios === 'none'
          ? []
          : (scenarios.split(',').filter(Boolean) as ScenarioId[]);
    const days = num(flags, 'days', 1);
    const timeline = buildTimeline({
      seed: num(flags, 'seed', 1),
      convention,
      days,
      start: flags.has('start') ? Date.parse(flags.get('start')!) : undefined,
      scrapeIntervalSeconds: num(flags, 'interval', days > 2 ? 60 : 15),
      include,
      routes: flags.has('compact') ? COMPACT_ROUTE_IDS.slice() : undefined,
      apiPrefix: !flags.has('no-api-prefix'),
      otherService: flags.has('other-service'),
    });
    const t0 = Date.now();
    const res = writeOpenMetrics(timeline, out);
    const truthFile = flags.get('truth');
    if (truthFile) {
      writeFileSync(
        truthFile,
        JSON.stringify({ start: timeline.start, end: timeline.end, truth: timeline.truth }, null, 2)
      );
    }
    process.stdout.write(
      `${out}: ${res.samples} samples, ${(res.bytes / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
        `scenarios: ${timeline.included.join(', ') || 'none'}\n`
    );
    return;
  }
  if (cmd === 'serve') {
    const exp = await startExporter({
      convention,
      seed: num(flags, 'seed', 1),
      port: num(flags, 'port', 0),
      otherService: flags.has('other-service'),
    });
    process.stdout.write(`serving ${convention} at ${exp.url} (Ctrl-C to stop)\n`);
    const stop = () => void exp.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  throw new Error(USAGE);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
