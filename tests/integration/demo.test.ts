/** @jest-environment node */
// `npm run demo -- --keep` as a newcomer runs it: the demo ends, its Prometheus stays up with the data, and the
// commands it prints work against it as printed (scan through the built binary, rules, the Grafana data sources).
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stderrBesidesInfos } from '../harness/cliStderr';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'dist-cli/prefect-insights.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let demo: Run;
let kept: { url: string; pid: number; dir: string } | undefined;

beforeAll(async () => {
  const build = await run('npm', ['run', '--silent', 'build:cli'], 120_000);
  expect(build.code).toBe(0);
  demo = await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'tools/demo.ts', '--keep'], 300_000);
  const m = /Prometheus keeps running with the demo data at (\S+) \(pid (\d+), data in (\S+)\)\./.exec(demo.stdout);
  if (m) {
    kept = { url: m[1], pid: Number(m[2]), dir: m[3] };
  }
}, 420_000);

afterAll(() => {
  if (kept && alive(kept.pid)) {
    process.kill(kept.pid, 'SIGTERM');
  }
  if (kept) {
    rmSync(kept.dir, { recursive: true, force: true });
  }
});

/** The printed command line starting with `npx prefect-insights <command>`, as arguments (no shell needed). */
function printed(command: string): string[] {
  const line = demo.stdout.split('\n').find((l) => l.trim().startsWith(`npx prefect-insights ${command} `));
  expect(line).toBeDefined();
  return line!
    .trim()
    .replace(/\s*>\s*\S+$/, '')
    .split(/\s+/)
    .slice(2);
}

describe('npm run demo -- --keep', () => {
  it('ends, and leaves its Prometheus running with the data', async () => {
    expect(demo.stderr).not.toMatch(/demo failed/);
    expect(demo.code).toBe(0);
    expect(kept).toBeDefined();
    expect(alive(kept!.pid)).toBe(true);
    expect(existsSync(kept!.dir)).toBe(true);
    const ready = await fetch(`${kept!.url}/-/ready`);
    expect(ready.status).toBe(200);
  });

  it('prints a scan command whose --from/--to cover its data, and it finds the incidents', async () => {
    const args = printed('scan');
    expect(args).toEqual(['scan', '--prometheus', kept!.url, '--from', expect.any(String), '--to', expect.any(String)]);
    const r = await run(process.execPath, [BIN, ...args, '--format', 'json'], 300_000);
    expect(stderrBesidesInfos(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout).insights as Array<{ id: string }>).map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining(['db-pool-exhaustion', 'api-outage', 'pending-deadlock']));
  }, 300_000);

  it('prints a rules command that works against it', async () => {
    const r = await run(process.execPath, [BIN, ...printed('rules')], 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Prometheus alerting rules/);
    expect(r.stdout).toContain('scrape interval 15 s');
  }, 120_000);

  it('prints the Grafana data sources for it and how to stop it', () => {
    const bodies = [...demo.stdout.matchAll(/\/api\/datasources" -d '([^']+)'/g)].map((m) => JSON.parse(m[1]));
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toMatchObject({ type: 'prometheus', url: kept!.url });
    expect(bodies[1]).toMatchObject({
      type: 'prefectinsights-api-datasource',
      jsonData: { prometheusUid: bodies[0].uid },
    });
    expect(demo.stdout).toContain(`kill ${kept!.pid} && rm -rf ${kept!.dir}`);
  });
});
