/** @jest-environment node */
// The generated rules loaded into a real Prometheus (Debian's 2.42) scraping the simulator's live exporter while a
// PENDING deadlock plays at wall-clock time (rules need samples at `now`; backfilled blocks cannot provide them).
// The rules are generated the way `prefect-insights rules --prometheus` does, from the metric resolved in that
// Prometheus; every rule must evaluate without error and the deadlock's alert must go pending, then firing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { rulesFor } from '../../src/cli/rules';
import { DEFAULT_PREFECT_SETTINGS } from '../../src/catalog/prefectSettings';
import { createPrometheusApi, fetchTransport } from '../../src/prometheus/client';
import { resolveMetric } from '../../src/prometheus/resolve';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../../src/prometheus/timeLimit';
import { alertName } from '../../src/rules/generate';
import { buildTimeline, startExporter, type RunningExporter } from '../../tools/simulator';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus';

const MIN = 60_000;
const SCRAPE_SECONDS = 5;
const work = mkdtempSync(join(tmpdir(), 'rules-prometheus-'));
const rulesPath = join(work, 'rules', 'prefect-insights.rules.yml');
let prom: RunningPrometheus;
let exporter: RunningExporter;
let incident: { start: number; end: number };

interface RuleState {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  state?: string;
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${prom.url}${path}`);
  const body = (await res.json()) as { status: string; data: T };
  expect(body.status).toBe('success');
  return body.data;
}

/** The rules of the group evaluated at the scrape cadence (the hourly trend group may first run an hour later). */
async function rules(): Promise<RuleState[]> {
  const data = await api<{ groups: Array<{ name: string; rules: RuleState[] }> }>('/api/v1/rules');
  return data.groups.filter((g) => g.name === 'prefect-insights').flatMap((g) => g.rules);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) {
      return v;
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  const now = Date.now();
  const lead = 60 * MIN;
  // The deadlock began 10 minutes ago and lasts at least 20 minutes (tools/simulator/scenarios.ts).
  const timeline = buildTimeline({
    seed: 5,
    convention: 'prefect',
    start: now - lead - 10 * MIN,
    days: (lead + 120 * MIN) / 86_400_000,
    leadHours: lead / 3_600_000,
    include: ['pending-deadlock'],
    scrapeIntervalSeconds: SCRAPE_SECONDS,
  });
  incident = timeline.truth.find((t) => t.id === 'pending-deadlock')!;
  exporter = await startExporter({ convention: 'prefect', seed: 5, timeline });
  prom = await startPrometheus({
    scrapeTargets: [new URL(exporter.url).host],
    scrapeInterval: `${SCRAPE_SECONDS}s`,
    ruleFiles: [join(work, 'rules', '*.yml')],
    extraArgs: ['--web.enable-lifecycle'],
  });
  const resolveArgs = {
    prometheus: prom.url,
    native: false,
    settings: DEFAULT_PREFECT_SETTINGS,
    scrapeIntervalSeconds: SCRAPE_SECONDS,
    timeoutSeconds: DEFAULT_REQUEST_TIMEOUT_SECONDS,
  };
  const deps = {
    now: () => Date.now(),
    createApi: (url: string) => createPrometheusApi(fetchTransport(url)),
    resolveMetric,
  };
  // The first scrapes must land before the metric can be resolved.
  const yaml = await waitFor(
    'the metric to be scraped',
    () => rulesFor(resolveArgs, deps).catch(() => undefined),
    60_000
  );
  mkdirSync(join(work, 'rules'));
  writeFileSync(rulesPath, yaml);
  const reload = await fetch(`${prom.url}/-/reload`, { method: 'POST' });
  expect(reload.status).toBe(200);
}, 170_000);

afterAll(async () => {
  await prom?.stop();
  await exporter?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('generated rules in a real Prometheus', () => {
  it('are resolved for the metric found there and evaluate without error', async () => {
    const loaded = await waitFor(
      'the rules to load and evaluate',
      async () => {
        const rs = await rules();
        return rs.length > 0 && rs.every((r) => r.health !== 'unknown') ? rs : undefined;
      },
      60_000
    );
    expect(loaded.filter((r) => r.type === 'alerting').map((r) => r.name)).toContain(alertName('pending-deadlock'));
    expect(loaded.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  }, 90_000);

  it('puts the deadlock in progress into pending, then firing, and nothing else', async () => {
    expect(incident.start).toBeLessThan(Date.now());
    const name = alertName('pending-deadlock');
    const pending = await waitFor(
      `${name} pending`,
      async () => (await rules()).find((r) => r.name === name && (r.state === 'pending' || r.state === 'firing')),
      60_000
    );
    expect(pending.health).toBe('ok');
    const firing = await waitFor(
      `${name} firing`,
      async () => {
        const alerts = await api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>(
          '/api/v1/alerts'
        );
        const mine = alerts.alerts.filter((a) => a.labels.alertname === name && a.state === 'firing');
        return mine.length > 0 ? alerts.alerts : undefined;
      },
      200_000
    );
    const fired = firing.filter((a) => a.state === 'firing');
    expect(fired.every((a) => a.labels.alertname === name)).toBe(true);
    expect(fired[0].labels).toMatchObject({ severity: 'critical', insight: 'pending-deadlock' });
    expect(fired[0].labels.http_route).toMatch(/set_state$/);
  }, 280_000);
});
