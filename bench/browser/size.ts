// What the browser memory bench's parts share: the size to load and the range to scan, handed from globalSetup
// (and bench/browserMemory.ts) to the Playwright worker through the environment.

/** `routes x replicas x days`, e.g. `50x2x7`. */
export const SIZE_ENV = 'BENCH_BROWSER_SIZE';
/** `{ from, to }` in unix ms, set by globalSetup once the data is loaded. */
export const RANGE_ENV = 'BENCH_BROWSER_RANGE';
/** File the measurement is written to, as JSON (BrowserMeasurement). */
export const OUT_ENV = 'BENCH_BROWSER_OUT';

export interface BrowserMeasurement {
  size: string;
  /** From the annotation query's start to its events, in the page. */
  ms: number;
  /** Chromium's JS heap in use (CDP Performance.getMetrics JSHeapUsedSize), bytes: after a GC before, and the peak. */
  heapBefore: number;
  heapPeak: number;
  /** Heap samples taken during the scan (between the page's tasks: a sample cannot land inside a JSON.parse). */
  samples: number;
  events: number;
  /** Resource calls the page made to Prometheus through the host's Grafana. */
  requests: number;
}
