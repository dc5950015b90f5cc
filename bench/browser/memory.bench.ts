// One scan through the built data source in Chromium (the annotation query, as a dashboard's insight overlay runs
// it) against the size globalSetup loaded, with Chromium's JS heap sampled over CDP while it runs.
import { writeFileSync } from 'node:fs';
import { expect, setupBuiltDataSource, test } from '../../tests/browser/harness/hostPage';
import { OUT_ENV, RANGE_ENV, SIZE_ENV, type BrowserMeasurement } from './size';

test('a scan through the data source path in Chromium: time and peak JS heap', async ({ host }) => {
  const { from, to } = JSON.parse(process.env[RANGE_ENV] ?? 'null') as { from: number; to: number };
  await setupBuiltDataSource(host);
  const cdp = await host.page.context().newCDPSession(host.page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
  };
  await cdp.send('HeapProfiler.collectGarbage');
  const heapBefore = await heap();
  let heapPeak = heapBefore;
  let samples = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      heapPeak = Math.max(heapPeak, await heap());
      samples++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t0 = Date.now();
  const events = await host.page.evaluate(
    async ([f, t]) =>
      (await window.__host.runAnnotations({ name: 'Prefect insights', enable: true }, f, t)).events.length,
    [from, to] as const
  );
  const ms = Date.now() - t0;
  running = false;
  await sampler;
  heapPeak = Math.max(heapPeak, await heap());
  expect(host.errors).toEqual([]);
  expect(events).toBeGreaterThan(0);
  const out: BrowserMeasurement = {
    size: process.env[SIZE_ENV] ?? '10x1x1',
    ms,
    heapBefore,
    heapPeak,
    samples,
    events,
    requests: host.grafana.forwarded.length,
  };
  writeFileSync(process.env[OUT_ENV] ?? 'bench-browser.json', JSON.stringify(out));
});
