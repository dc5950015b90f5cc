/** @jest-environment node */
// The built binary (`node dist-cli/prefect-insights.js scan …`) as cron or CI runs it: against a real Prometheus
// backfilled in OpenTelemetry's millisecond convention with another service beside Prefect, selected by --selector.
import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { buildTimeline, writeOpenMetrics, type Timeline } from '../../tools/simulator';
import { findPrometheusBinaries, freePort, startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { stderrBesidesInfos } from '../harness/cliStderr';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'dist-cli/prefect-insights.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  file: string,
  args: string[],
  timeoutMs = 120_000,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<Run> {
  return new Promise((done) => {
    const options = { cwd: opts.cwd ?? ROOT, env: opts.env, timeout: timeoutMs, maxBuffer: 64 << 20 };
    execFile(file, args, options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function cli(args: string[]): Promise<Run> {
  return run(process.execPath, [BIN, ...args]);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const work = mkdtempSync(join(tmpdir(), 'cli-test-'));
let prom: RunningPrometheus;
let timeline: Timeline;
let from: string;
let to: string;

beforeAll(async () => {
  const build = await run('npm', ['run', '--silent', 'build:cli']);
  expect(build.code).toBe(0);
  expect(existsSync(BIN)).toBe(true);
  timeline = buildTimeline({
    seed: 77,
    convention: 'otel-legacy-ms',
    days: 0.6,
    include: ['api-outage', 'decoy:one-scrape-spike'],
    otherService: true,
  });
  const file = join(work, 'cli.om');
  writeOpenMetrics(timeline, file);
  prom = await startPrometheus({ openMetrics: file });
  from = String(timeline.start / 1000);
  to = String(timeline.end / 1000);
}, 170_000);

afterAll(async () => {
  await prom?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('prefect-insights scan (built binary)', () => {
  it('prints exactly the JSON contract for the millisecond convention with --selector and exits 0', async () => {
    const r = await cli([
      'scan',
      '--prometheus',
      prom.url,
      '--from',
      from,
      '--to',
      to,
      '--selector',
      'service_name="prefect-server"',
      '--format',
      'json',
    ]);
    expect(stderrBesidesInfos(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['metric', 'range', 'source', 'insights']);
    // No long-range recording rules in this Prometheus: the raw histogram, and the reason.
    expect(json.source.kind).toBe('raw');
    expect(json.source.description).toContain('the long-range recording rules are not loaded');
    expect(json.metric).toEqual({
      name: 'http_server_duration_milliseconds',
      unit: 'milliseconds',
      labels: { route: 'http_route', method: 'http_method', status: 'http_status_code' },
    });
    expect(json.range).toEqual({
      from: new Date(timeline.start).toISOString().replace('.000Z', 'Z'),
      to: new Date(timeline.end).toISOString().replace('.000Z', 'Z'),
    });
    expect(Array.isArray(json.insights)).toBe(true);
    for (const i of json.insights) {
      expect(Object.keys(i)).toEqual(['id', 'severity', 'title', 'start', 'end', 'routes', 'evidence']);
      expect(i.start).toMatch(RFC3339);
      expect(i.end).toMatch(RFC3339);
      expect(Date.parse(i.start)).toBeLessThanOrEqual(Date.parse(i.end));
      expect(['info', 'warning', 'critical']).toContain(i.severity);
      expect(typeof i.title).toBe('string');
      expect(i.routes.every((x: unknown) => typeof x === 'string')).toBe(true);
      expect(typeof i.evidence.summary).toBe('string');
      expect(i.evidence.readFrom).toBe(json.source.description);
    }
    // Prefect's own `up` (not the other service's) shows the outage.
    const truth = timeline.truth.find((t) => t.id === 'api-outage')!;
    const outage = json.insights.filter((i: { id: string }) => i.id === 'api-outage');
    expect(outage).toHaveLength(1);
    expect(Date.parse(outage[0].start)).toBeLessThanOrEqual(truth.end);
    expect(Date.parse(outage[0].end)).toBeGreaterThanOrEqual(truth.start);
    // The other service's incident is not Prefect's.
    const other = timeline.truth.find((t) => t.id === 'decoy:other-service')!;
    const onOther = json.insights.filter(
      (i: { start: string; end: string }) => Date.parse(i.start) <= other.end && Date.parse(i.end) >= other.start
    );
    expect(onOther).toEqual([]);
  });

  it('prints the same JSON with --compress, when Prometheus gzips its answers', async () => {
    const args = ['scan', '--prometheus', prom.url, '--from', from, '--to', to, '--format', 'json'];
    const [plain, gz] = await Promise.all([cli(args), cli([...args, '--compress'])]);
    expect(gz.code).toBe(0);
    expect(stderrBesidesInfos(gz.stderr)).toBe('');
    expect(JSON.parse(gz.stdout)).toEqual(JSON.parse(plain.stdout));
    // The same answer, compressed when asked for (the header the flag decides is what Prometheus goes by).
    const query = `${prom.url}/api/v1/query?query=up`;
    expect((await fetch(query, { headers: { 'Accept-Encoding': 'identity' } })).headers.get('content-encoding')).toBe(
      null
    );
    expect((await fetch(query)).headers.get('content-encoding')).toBe('gzip');
  });

  it('exits 1 when --fail-on is met and prints the table', async () => {
    const r = await cli(['scan', '--prometheus', prom.url, '--from', from, '--to', to, '--fail-on', 'WARNING']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/warning\s+api-outage/);
    // Why the job failed, on stderr where CI shows it: the episode that met the threshold.
    expect(stderrBesidesInfos(r.stderr)).toMatch(
      /^prefect-insights: --fail-on warning met by \d+ episodes?: [^\n]*api-outage \(warning\) at \S+Z[^\n]*\n$/
    );
  });

  it('exits 0 when what was found is below the --fail-on severity', async () => {
    const r = await cli(['scan', '--prometheus', prom.url, '--from', from, '--to', to, '--fail-on', 'critical']);
    expect(stderrBesidesInfos(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning\s+api-outage/);
  });

  it('exits 0 with --fail-on when the range holds no insight', async () => {
    const quietTo = String(timeline.start / 1000 + 3600);
    const r = await cli(['scan', '--prometheus', prom.url, '--from', from, '--to', quietTo, '--fail-on', 'info']);
    expect(stderrBesidesInfos(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No insights in range.');
  });

  async function expectOneLineError(args: string[], pattern: RegExp): Promise<void> {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^prefect-insights: error: [^\n]+\n$/);
    expect(r.stderr).toMatch(pattern);
  }

  it('exits 2 with one stderr line when Prometheus is unreachable', async () => {
    const port = await freePort();
    await expectOneLineError(
      ['scan', '--prometheus', `http://127.0.0.1:${port}`, '--from', from, '--to', to],
      /unreachable/i
    );
  });

  it('exits 2 with one stderr line when the metric is not found', async () => {
    await expectOneLineError(
      ['scan', '--prometheus', prom.url, '--from', from, '--to', to, '--metric', 'no_such_histogram_seconds'],
      /no_such_histogram_seconds/
    );
  });

  it('exits 2 with one stderr line on bad arguments', async () => {
    await expectOneLineError(
      ['scan', '--prometheus', prom.url, '--from', from, '--to', to, '--format', 'xml'],
      /--format/
    );
    await expectOneLineError(['scan', '--from', from, '--to', to], /--prometheus is required/);
  });

  it('exits 2 with one stderr line when --from is after --to', async () => {
    await expectOneLineError(
      ['scan', '--prometheus', prom.url, '--from', to, '--to', from],
      /--from \S+Z is not before --to \S+Z/
    );
  });

  it('exits 2 with a timeout line within --timeout against a server that accepts and never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
    });
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port))
    );
    try {
      const started = Date.now();
      const base = `http://127.0.0.1:${port}`;
      await expectOneLineError(
        ['scan', '--prometheus', base, '--from', from, '--to', to, '--timeout', '2'],
        new RegExp(`No answer from ${base} within the request time limit of 2 s`)
      );
      // Ended by the 2 s limit (plus the process start), not by the 60 s default or the socket's own timeout.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fits its table in 120 columns when stdout is not a terminal, and --wide prints it whole', async () => {
    const narrow = await cli(['scan', '--prometheus', prom.url, '--from', from, '--to', to]);
    expect(narrow.code).toBe(0);
    const lines = narrow.stdout.trimEnd().split('\n');
    expect(lines.some((l) => /api-outage/.test(l))).toBe(true);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    const wide = await cli(['scan', '--prometheus', prom.url, '--from', from, '--to', to, '--wide']);
    expect(wide.code).toBe(0);
    expect(wide.stdout).toMatch(/^SEVERITY\s+INSIGHT\s+START\s+END\s+DURATION\s+ROUTES\s+EVIDENCE$/m);
  });

  it('reads millisecond epochs as milliseconds', async () => {
    const r = await cli([
      'scan',
      '--prometheus',
      prom.url,
      '--from',
      String(timeline.start),
      '--to',
      String(timeline.end),
      '--format',
      'Json',
    ]);
    expect(stderrBesidesInfos(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).range.from).toBe(new Date(timeline.start).toISOString().replace('.000Z', 'Z'));
  });

  it('exits 2 on an impossible date instead of scanning the day it rolls over to', async () => {
    await expectOneLineError(
      ['scan', '--prometheus', prom.url, '--from', '2024-02-31T00:00:00Z', '--to', 'now'],
      /--from "2024-02-31T00:00:00Z" is not a time/
    );
  });
});

describe('prefect-insights help (built binary)', () => {
  it('lists both commands and the exit codes', async () => {
    for (const args of [['--help'], ['help']]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(stderrBesidesInfos(r.stderr)).toBe('');
      expect(r.stdout).toMatch(/^ {2}scan {5}\S/m);
      expect(r.stdout).toMatch(/^ {2}rules {4}\S/m);
      expect(r.stdout).toMatch(/^Exit codes:\n {2}0 /m);
    }
    const scanHelp = await cli(['help', 'scan']);
    expect(scanHelp.stdout).toContain('--fail-on');
    expect(scanHelp.stdout).toContain('00:00 UTC');
  });

  it('prints the version bundled from package.json', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('answers an unknown option with one line of its own words', async () => {
    const r = await cli(['scan', '--promethues', 'http://x']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'prefect-insights: error: unknown option --promethues (did you mean --prometheus?) (see prefect-insights scan --help)\n'
    );
  });
});

describe('prefect-insights rules (built binary)', () => {
  it('writes rules for the metric resolved in the real Prometheus that promtool accepts', async () => {
    const r = await cli(['rules', '--prometheus', prom.url, '--selector', 'service_name="prefect-server"']);
    expect(stderrBesidesInfos(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    // Resolved, not assumed: the millisecond metric, its buckets, and the selector that keeps the other service out.
    expect(r.stdout).toContain('http_server_duration_milliseconds_bucket{service_name="prefect-server"}');
    expect(r.stdout).toContain('http_server_duration_milliseconds_count{service_name="prefect-server"}');
    const file = join(work, 'cli.rules.yml');
    writeFileSync(file, r.stdout);
    const { promtool } = findPrometheusBinaries();
    const checked = await run(promtool, ['check', 'rules', file]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
});

describe('npx prefect-insights in a fresh checkout', () => {
  // npx installs this folder into its cache (~/.npm/_npx/<hash>) the first time and links the bin then; when the
  // bin was the unbuilt bundle, the link was never made and the command stayed "not found" after the build.
  it('works when first tried before the build, and says how to build when the bundle is gone', async () => {
    const checkout = join(work, 'checkout');
    mkdirSync(checkout);
    for (const entry of ['package.json', 'bin', 'src']) {
      cpSync(join(ROOT, entry), join(checkout, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    // Its own npm cache, offline: nothing is fetched, and the user's npx cache is left alone.
    const env = { ...process.env, npm_config_cache: join(work, 'npm-cache'), npm_config_offline: 'true' };
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(existsSync(join(checkout, 'dist-cli'))).toBe(false);

    const first = await run('npx', ['prefect-insights', '--version'], 170_000, { cwd: checkout, env });
    expect(first.stderr).not.toContain('not found');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${version}\n`);

    rmSync(join(checkout, 'dist-cli'), { recursive: true, force: true });
    const unbuilt = await run('npx', ['prefect-insights', 'help'], 60_000, { cwd: checkout, env });
    expect(unbuilt.code).toBe(2);
    expect(unbuilt.stderr).toMatch(/not built yet: run `npm run build:cli`/);
  }, 240_000);
});
