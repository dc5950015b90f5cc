// The real-Prefect suite (npm run test:prefect): PostgreSQL, Prefect servers under OpenTelemetry, workers and
// Prometheus 2.42/3 processes, one setup after another. Long timeouts, strictly serial: two busy cores.
// The incident timelines (tests/prefect/incidents.test.ts: setups a, b and e at once, about 14 minutes) are part
// of it; PREFECT_INCIDENTS=0 leaves them out while iterating on the setups, and `npm run test:prefect:incidents` /
// `test:prefect:full` run them alone.
const integration = require('./jest.integration.config');

if (process.env.PREFECT_INCIDENTS === '0') {
  // In the log, so a timeline left out on purpose never reads as one that passed.
  console.log('not run: tests/prefect/incidents.test.ts (PREFECT_INCIDENTS=0)');
}

module.exports = {
  ...integration,
  testMatch: ['<rootDir>/tests/prefect/**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.PREFECT_INCIDENTS === '0' ? ['/tests/prefect/incidents\\.test\\.ts$'] : []),
  ],
  testTimeout: 600000,
  maxWorkers: 1,
};
