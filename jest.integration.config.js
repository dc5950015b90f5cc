// Integration tests: real Prometheus processes (tests/harness), run in Node, two files at a time on 2 cores.
process.env.TZ = 'UTC';

const unit = require('./jest.config');

module.exports = {
  ...unit,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
  // tests/integration/prometheus3/ needs Prometheus 3 itself (OTLP, native histograms): jest.integration.prom3.config.js;
  // tests/integration/thanos/ needs Thanos: jest.integration.thanos.config.js.
  testPathIgnorePatterns: ['/node_modules/', '/tests/integration/prometheus3/', '/tests/integration/thanos/'],
  // Node globals that importing @grafana/data and @grafana/runtime needs (window, localStorage, grafanaBootData);
  // the DOM setup of the unit tests does not apply here.
  setupFiles: ['<rootDir>/tests/integration/setup.ts'],
  setupFilesAfterEnv: [],
  // Nothing renders in Node: @grafana/ui (imported by @grafana/runtime at load) is replaced by an inert stand-in.
  moduleNameMapper: { ...unit.moduleNameMapper, '^@grafana/ui$': '<rootDir>/tests/integration/stubs/grafana-ui.js' },
  testTimeout: 180000,
  // Two files at a time: the live-rules file spends 2 minutes waiting for an alert's `for:` and the scenario files
  // are CPU-bound, so side by side the suite takes 215 s instead of 403 s on 2 cores (every file on a free port
  // and its own temporary folder; the CLI is built by cli.test.ts alone).
  maxWorkers: 2,
};
