// Checks of the data source's frames against the simulator's ground truth, shared by the Prometheus and
// VictoriaMetrics integration tests.
import type { DataFrame } from '@grafana/data';
import { getConvention, routeLabelValue, type Timeline } from '../../tools/simulator';

// Ground-truth checks read 5-minute points: a quiet route (0.2 req/s) then has ~60 requests per point, enough for
// its p95 to be a property of the distribution rather than of a dozen draws.
export const TRUTH_INTERVAL_MS = 300_000;

export function seriesByLabel(frames: DataFrame[], label: string): Map<string, { times: number[]; values: number[] }> {
  const out = new Map<string, { times: number[]; values: number[] }>();
  for (const f of frames) {
    const value = f.fields[1];
    out.set(value.labels?.[label] ?? '', { times: f.fields[0].values as number[], values: value.values as number[] });
  }
  return out;
}

/** Index of the bucket a value falls in (0 = at or below the first bound; bounds.length = +Inf). */
export function bucketIndex(bounds: number[], v: number): number {
  const i = bounds.findIndex((b) => v <= b + 1e-12);
  return i < 0 ? bounds.length : i;
}

/** Middle three hours of the timeline (away from the edges, where rate windows lack history). */
export function middle(env: { timeline: Timeline }): { from: number; to: number } {
  const mid = Math.floor((env.timeline.start + env.timeline.end) / 2 / 60_000) * 60_000;
  return { from: mid - 90 * 60_000, to: mid + 90 * 60_000 };
}

export function checkQuantilesAndRates(
  env: { timeline: Timeline },
  frames: { p95: DataFrame[]; rate: DataFrame[] },
  routeLabel: string
) {
  const conv = getConvention(env.timeline.convention);
  const bounds = conv.bucketsSeconds;
  const p95 = seriesByLabel(frames.p95, routeLabel);
  const rates = seriesByLabel(frames.rate, routeLabel);
  for (const route of env.timeline.model.routes) {
    const label = routeLabelValue(route, env.timeline.apiPrefix);
    const q = p95.get(label);
    expect(q).toBeDefined();
    let checked = 0;
    q!.times.forEach((t, i) => {
      const v = q!.values[i];
      if (!Number.isFinite(v)) {
        return;
      }
      const truth = env.timeline.model.truth(route.id, t).p95;
      expect(Math.abs(bucketIndex(bounds, v) - bucketIndex(bounds, truth))).toBeLessThanOrEqual(1);
      checked++;
    });
    expect(checked).toBeGreaterThan(20);

    const r = rates.get(label)!;
    expect(r).toBeDefined();
    let got = 0;
    let want = 0;
    r.times.forEach((t, i) => {
      if (Number.isFinite(r.values[i])) {
        got += r.values[i];
        want += env.timeline.model.truth(route.id, t).rate;
      }
    });
    // Poisson noise averaged over three hours: well inside 15 %.
    expect(got / want).toBeGreaterThan(0.85);
    expect(got / want).toBeLessThan(1.15);
  }
}
