import { defineConfig } from '@playwright/test';

// Browser tests without a Grafana server: Debian's Chromium loads the BUILT plugin (dist/) in a host page that
// stands in for Grafana's frontend (tests/browser/host). Run `npm run build` first.
export default defineConfig({
  testDir: './tests/browser',
  testMatch: /.*\.browser\.ts$/,
  globalSetup: './tests/browser/harness/globalSetup.ts',
  outputDir: './tests/artifacts/playwright',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    viewport: { width: 1100, height: 800 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
});
