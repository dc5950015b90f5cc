import { defineConfig } from '@playwright/test';

// The browser memory bench (bench/browserMemory.ts runs it once per size): Debian's Chromium loads the BUILT
// data source in the browser tests' host page and scans one growth size held by a real Prometheus.
export default defineConfig({
  testDir: './bench/browser',
  testMatch: /.*\.bench\.ts$/,
  globalSetup: './bench/browser/globalSetup.ts',
  outputDir: './tests/artifacts/playwright-bench',
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: 'list',
  // One scan of a week of 50 routes × 2 replicas takes about half a minute in Node; the page gets its share of
  // two cores beside Prometheus.
  timeout: 900_000,
  use: {
    viewport: { width: 1100, height: 800 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    },
  },
});
