// The pushed path: a Prometheus scraping the simulator's live exporter remote-writes into a Thanos receive ring
// (hashring of three, replication factor 2), read by a querier deduplicating on the receivers' replica label. The
// plugin, unchanged, must read there what it reads from the writing Prometheus; a receiver lost must show as a
// warning, with the numbers still whole because every series lives on two receivers.
import { dateTime, type DataFrame } from '@grafana/data';

import type { PrefectQuery } from '../../../src/datasource/types';
import { startExporter, type RunningExporter } from '../../../tools/simulator';
import { startPrometheus, type RunningPrometheus } from '../../harness/prometheus';
import { querierStores, startReceiveRing, waitFor, type RunningReceiveRing } from '../../harness/thanos';
import { dataSource, installGrafanaStandIns, run, upstreams } from '../grafanaStandIns';
import { NON_STRICT_ADVICE } from '../../../src/prometheus/thanosStores';
import { downsamplingAdvice } from '../../../src/prometheus/downsampling';

const ROUTES = ['/flow_runs/filter', '/task_runs/{id}/set_state', '/flow_runs/{id}', '/work_pools/{name}'];
const COUNT = 'prefect_server_api_request_duration_seconds_count';
const RING = 'thanos-receive';
const WRITER = 'remote-writer';
/** Seconds of scrapes the tests read: every one of them remote-written before the tests start. */
const WINDOW_SECONDS = 60;
/**
 * Seconds before the window that the panels' first rate windows reach back: at most 45 (three scrapes of the 15 s
 * the data source assumes when it cannot measure the interval), from a first point at least 5 s into the window.
 * Those samples are verified like the window's own: a CI run whose check covered only the window read two points
 * whose windows reached into Prometheus's first seconds, where the ring held other samples than the writer
 * (rate 0.594 against 0.581).
 */
const LOOKBACK_SECONDS = 45;

let ring: RunningReceiveRing;
let exporter: RunningExporter;
let prom: RunningPrometheus;
/** The window every test reads, unix seconds. */
let from: number;
let to: number;

/** An instant query's answer; `Row` is a matrix row when the expression is a range selector. */
async function instant<Row = { metric: Record<string, string>; value: [number, string] }>(
  url: string,
  expr: string,
  time: number,
  extra: Record<string, string> = {}
) {
  const qs = new URLSearchParams({ query: expr, time: String(time), ...extra });
  const body = await (await fetch(`${url}/api/v1/query?${qs}`)).json();
  return body as { status: string; error?: string; warnings?: string[]; data: { result: Row[] } };
}

async function scalar(url: string, expr: string, time: number, extra: Record<string, string> = {}): Promise<number> {
  const body = await instant(url, expr, time, extra);
  if (body.status !== 'success') {
    throw new Error(`${expr} at ${url}: ${body.error}`);
  }
  return body.data.result.length ? Number(body.data.result[0].value[1]) : 0;
}

/**
 * Every sample of every series over (at - seconds, at], writer against ring: '' when equal, else the first
 * difference. Series are matched on the writer's label names (the ring adds its tenant label to each).
 */
async function sameSamples(at: number, seconds: number): Promise<string> {
  const read = async (url: string) => {
    const body = await instant<{ metric: Record<string, string>; values: unknown[] }>(url, `${COUNT}[${seconds}s]`, at);
    if (body.status !== 'success') {
      throw new Error(`${COUNT}[${seconds}s] at ${url}: ${body.error}`);
    }
    return body.data.result;
  };
  const [writer, ringRows] = await Promise.all([read(prom.url), read(ring.query.url)]);
  const names = new Set(writer.flatMap((x) => Object.keys(x.metric)));
  const byLabels = (rows: typeof writer) =>
    new Map(
      rows.map((x) => [
        JSON.stringify(
          Object.entries(x.metric)
            .filter(([k]) => names.has(k))
            .sort()
        ),
        JSON.stringify(x.values),
      ])
    );
  const [w, r] = [byLabels(writer), byLabels(ringRows)];
  if (w.size === 0) {
    return 'the writer holds no series yet';
  }
  for (const [series, samples] of w) {
    if (r.get(series) !== samples) {
      return `${series}: writer ${samples.slice(0, 300)}, ring ${(r.get(series) ?? 'none').slice(0, 300)}`;
    }
  }
  return r.size === w.size ? '' : `the writer holds ${w.size} series, the ring ${r.size}`;
}

beforeAll(async () => {
  installGrafanaStandIns();
  ring = await startReceiveRing(3, 2);
  exporter = await startExporter({ convention: 'prefect', seed: 9, routes: ROUTES });
  prom = await startPrometheus({
    scrapeTargets: [new URL(exporter.url).host],
    scrapeInterval: '1s',
    // Into one member, as a load balancer in front of the ring would: it forwards each series to its two owners.
    remoteWrite: [ring.receivers[0].remoteWriteUrl],
  });
  upstreams.set(RING, ring.query.url);
  upstreams.set(WRITER, prom.url);
  // The path steady first: the ring holds the writer's every sample of 10 s. Only after them does the read span
  // begin, so what the remote write did while it started up is never read.
  let steadyAt = 0;
  let state = 'nothing compared yet';
  await waitFor(
    async () => {
      // 10 s back: the remote write sends a batch at least every 5 s, so the ring may lag the writer by that much.
      steadyAt = Math.floor(Date.now() / 1000) - 10;
      state = await sameSamples(steadyAt, 10);
      return state === '';
    },
    90_000,
    () => `the ring never held the writer's last 10 s: ${state}`
  );
  from = steadyAt + LOOKBACK_SECONDS + 2;
  to = from + WINDOW_SECONDS;
  // Whole once Prometheus's clock passed the window's end and the ring holds the same samples from the first one a
  // panel reads to the window's end.
  await waitFor(
    async () => {
      if (Date.now() / 1000 < to + 2) {
        return false;
      }
      state = await sameSamples(to, to - from + LOOKBACK_SECONDS);
      return state === '';
    },
    WINDOW_SECONDS * 1000 + LOOKBACK_SECONDS * 1000 + 90_000,
    () => `the ring does not hold the writer's samples of the span the panels read: ${state}`
  );
}, 360_000);

afterAll(async () => {
  await prom?.stop();
  await exporter?.close();
  await ring?.stop();
});

function seriesOf(frames: DataFrame[]): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  for (const f of frames) {
    const values = f.fields[1].values as number[];
    out.set(
      `${f.fields[1].name} ${JSON.stringify(f.fields[1].labels ?? {})}`,
      (f.fields[0].values as number[]).map((t, i) => [t, values[i]])
    );
  }
  return out;
}

// Panels end 10 s before the window does: the data source rounds the end up to its step, and a point past the
// window would read samples the ring may not have received yet.
const PANELS: PrefectQuery[] = [
  { refId: 'R', queryType: 'rate', groupBy: ['route'] },
  { refId: 'Q', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] },
];

describe('Thanos receive ring fed by remote write', () => {
  it('stores every series on two of the three receivers, and the querier counts it once', async () => {
    const series = await scalar(prom.url, `count(${COUNT})`, to);
    const perReceiver = await instant(ring.query.url, `count by (receive_replica) (${COUNT})`, to, { dedup: 'false' });
    const copies = perReceiver.data.result.map((r) => Number(r.value[1]));
    expect(series).toBeGreaterThanOrEqual(ROUTES.length);
    expect(copies.reduce((a, b) => a + b, 0)).toBe(2 * series);
    expect(await scalar(ring.query.url, `count(${COUNT})`, to)).toBe(series);
    const rate = `sum(rate(${COUNT}[30s]))`;
    expect(await scalar(ring.query.url, rate, to)).toBeCloseTo(await scalar(prom.url, rate, to), 9);
  });

  it('Save & test, routes() and the panels read what the writing Prometheus holds', async () => {
    const [r, w] = await Promise.all([dataSource(RING).testDatasource(), dataSource(WRITER).testDatasource()]);
    expect(r.status).toBe('success');
    // The writer's findings, then the ring's three receivers as Thanos lists them.
    expect(r.message).toBe(
      `${w.message} Thanos: the querier knows 3 store endpoints (receive 3), all answering. ${NON_STRICT_ADVICE}. ` +
        `${downsamplingAdvice(false)}.`
    );
    const range = { range: { from: dateTime(from * 1000), to: dateTime(to * 1000), raw: { from: '', to: '' } } };
    const routes = await dataSource(RING).metricFindQuery('routes()', range);
    expect(routes.map((v) => v.text).sort()).toEqual(ROUTES.map((x) => `/api${x}`).sort());
    for (const q of PANELS) {
      const [a, b] = await Promise.all([
        run(dataSource(RING), [q], (from + 20) * 1000, (to - 10) * 1000, {}, 5000),
        run(dataSource(WRITER), [q], (from + 20) * 1000, (to - 10) * 1000, {}, 5000),
      ]);
      expect(a.errors).toBeUndefined();
      expect(a.data.length).toBeGreaterThan(0);
      expect(seriesOf(a.data)).toEqual(seriesOf(b.data));
    }
  });

  it('with a receiver stopped the panels carry its warning, the numbers stay whole, and partial_response=false fails', async () => {
    const lost = ring.receivers[2];
    await lost.stop();
    const q = PANELS[0];
    const [a, b] = await Promise.all([
      run(dataSource(RING), [q], (from + 20) * 1000, (to - 10) * 1000, {}, 5000),
      run(dataSource(WRITER), [q], (from + 20) * 1000, (to - 10) * 1000, {}, 5000),
    ]);
    expect(a.errors).toBeUndefined();
    const notices = a.data.flatMap((f: DataFrame) => f.meta?.notices ?? []);
    expect(notices.some((n: { text: string }) => n.text.includes(lost.grpc))).toBe(true);
    // Replication factor 2: the two receivers left hold a copy of every series.
    expect(seriesOf(a.data)).toEqual(seriesOf(b.data));
    await waitFor(
      async () => Boolean((await querierStores(ring.query.url)).find((s) => s.name === lost.grpc)?.lastError),
      30_000,
      () => `the querier never recorded the lost receiver's error`
    );
    const strict = await instant(ring.query.url, `count(${COUNT})`, to, { partial_response: 'false' });
    console.log(
      `receiver lost: warning ${JSON.stringify(notices[0])}; partial_response=false: ${JSON.stringify(strict).slice(0, 400)}`
    );
    expect(strict.status).toBe('error');
    expect(String(strict.error)).toContain(lost.grpc);
  });
});
