// Scan end to end over 7 days against a real Prometheus, against the raw time of the very requests it made
// (replayed as fetch + JSON.parse with the same concurrency), and its request count whatever the detector count.
import { DEFAULT_PREFECT_SETTINGS } from '../src/catalog/prefectSettings';
import { DETECTORS } from '../src/insights/detectors';
import { runScan } from '../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../src/prometheus/client';
import { resolveMetric } from '../src/prometheus/resolve';
import type { PrometheusTransport } from '../src/prometheus/types';
import { compare, verdict } from './stats';

const CONCURRENCY = 2;

export async function benchScan(promUrl: string, from: number, to: number): Promise<boolean> {
  console.log('\n## Scan end to end (7 days) vs the raw time of its PromQL requests');
  const base = fetchTransport(promUrl);
  const recorded: Array<{ path: string; body: string }> = [];
  const recording: PrometheusTransport = (path, params, opts) => {
    recorded.push({ path, body: params.toString() });
    return base(path, params, opts);
  };
  const api = createPrometheusApi(recording);
  const metric = await resolveMetric(api, {}, { start: from / 1000, end: to / 1000 });
  const scanOnce = (detectors = DETECTORS) =>
    runScan({ api, metric, from, to, settings: { ...DEFAULT_PREFECT_SETTINGS } }, detectors);

  recorded.length = 0;
  const result = await scanOnce();
  const requests = recorded.slice();

  // The raw side: the same requests, same concurrency, each fetched and JSON-parsed, nothing else.
  const replay = async () => {
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++];
        const res = await fetch(promUrl + r.path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: r.body,
        });
        JSON.parse(await res.text());
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  const { a: rawMs, b: scanMs } = await compare(replay, () => scanOnce(), 3);
  const ratio = scanMs / rawMs;
  console.log(
    `episodes found: ${result.episodes.length} (${[...new Set(result.episodes.map((e) => e.id))].join(', ') || 'none'}); step ${result.step / 1000} s`
  );
  console.log(`raw requests replayed: ${rawMs.toFixed(0)} ms; scan end to end: ${scanMs.toFixed(0)} ms (medians of 3)`);
  console.log(`ratio: ${ratio.toFixed(2)}, target ≤ 1.3: ${verdict(ratio <= 1.3)}`);

  // Requests per scan must not grow with the number of insights: the same scan with 1 detector and with all.
  const counts: string[] = [];
  let fixed = true;
  for (const n of [1, Math.ceil(DETECTORS.length / 2), DETECTORS.length]) {
    recorded.length = 0;
    const r = await scanOnce(DETECTORS.slice(0, n));
    counts.push(`${n} detector(s): ${r.requests} requests`);
    fixed &&= r.requests === result.requests;
  }
  console.log(
    `Prometheus requests per scan: ${counts.join('; ')}: ${fixed ? 'fixed, independent of the insight count' : 'VARIES with the insight count'}`
  );
  return ratio <= 1.3 && fixed;
}
