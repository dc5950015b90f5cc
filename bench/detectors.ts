// Detector throughput over in-memory series: 30 days × 15 s × 20 routes, against a bare loop over the same arrays.
import { DEFAULT_PREFECT_SETTINGS } from '../src/catalog/prefectSettings';
import { DETECTORS } from '../src/insights/detectors';
import { suppressExplained } from '../src/insights/toolkit/suppression';
import type { RouteSeries, ScanInput } from '../src/insights/types';
import { DEFAULT_ROUTES } from '../src/insights/testing/scanInputBuilder';
import { compare, verdict } from './stats';

const STEP_MS = 15_000;
const DAYS = 30;
const ROUTES = 20;

function buildInput(): ScanInput {
  const length = (DAYS * 86_400_000) / STEP_MS;
  let state = 12345;
  const rnd = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const routes: RouteSeries[] = [];
  for (let r = 0; r < ROUTES; r++) {
    const route = DEFAULT_ROUTES[r % DEFAULT_ROUTES.length] + (r >= DEFAULT_ROUTES.length ? `/v${r}` : '');
    const s = {
      route,
      p50: new Float64Array(length),
      p95: new Float64Array(length),
      p99: new Float64Array(length),
      mean: new Float64Array(length),
      rate: new Float64Array(length),
      errorRate: new Float64Array(length),
      slowShare: new Float64Array(length),
      tailShare: new Float64Array(length),
    };
    const base = 0.02 + 0.01 * r;
    for (let i = 0; i < length; i++) {
      const daily = 1 + 0.3 * Math.sin((2 * Math.PI * i * STEP_MS) / 86_400_000);
      const noise = 0.9 + 0.2 * rnd();
      s.p50[i] = base * daily * noise;
      s.p95[i] = 3 * base * daily * noise;
      s.p99[i] = 6 * base * daily * noise;
      s.mean[i] = 1.3 * base * daily * noise;
      s.rate[i] = 5 * daily * noise;
      s.errorRate[i] = rnd() < 0.01 ? 0.05 : 0;
      s.slowShare[i] = 0;
      // a few missing scrapes, as real data has
      if (rnd() < 0.001) {
        s.p95[i] = NaN;
        s.rate[i] = NaN;
      }
    }
    routes.push(s);
  }
  const up = new Float64Array(length).fill(1);
  const start = Date.UTC(2026, 9, 1);
  return {
    grid: { start, step: STEP_MS, length },
    rangeStartIndex: (6 * 3_600_000) / STEP_MS,
    routes,
    up,
    largestBucket: 60,
    scrapeIntervalMs: STEP_MS,
    settings: { ...DEFAULT_PREFECT_SETTINGS },
  };
}

function bareLoop(input: ScanInput): number {
  let sum = 0;
  for (const r of input.routes) {
    for (const a of [r.p50, r.p95, r.p99, r.mean, r.rate, r.errorRate, r.slowShare, r.tailShare]) {
      for (let i = 0; i < a.length; i++) {
        sum += a[i];
      }
    }
  }
  for (let i = 0; i < input.up.length; i++) {
    sum += input.up[i];
  }
  return sum;
}

export async function benchDetectors(): Promise<boolean> {
  console.log('\n## Detector throughput (30 days × 15 s × 20 routes, in memory)');
  const input = buildInput();
  const samples = input.routes.length * 8 * input.grid.length + input.grid.length;
  let episodes = 0;
  const { a: detectMs, b: bareMs } = await compare(
    () => {
      episodes = suppressExplained(DETECTORS.flatMap((d) => d.detect(input))).length;
    },
    () => bareLoop(input),
    3
  );
  const ratio = bareMs / detectMs;
  console.log(
    `samples: ${(samples / 1e6).toFixed(1)} M; detectors: ${DETECTORS.length}; episodes on this quiet data: ${episodes}`
  );
  console.log(
    `all detectors: ${detectMs.toFixed(0)} ms = ${(((samples / detectMs) * 1000) / 1e6).toFixed(1)} M samples/s`
  );
  console.log(
    `bare summing loop: ${bareMs.toFixed(1)} ms = ${(((samples / bareMs) * 1000) / 1e6).toFixed(1)} M samples/s`
  );
  console.log(`ratio (bare time / detector time): ${ratio.toFixed(3)}, target ≥ 0.1: ${verdict(ratio >= 0.1)}`);
  return ratio >= 0.1;
}
