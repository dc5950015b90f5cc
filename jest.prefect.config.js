// The real-Prefect suite (npm run test:prefect): PostgreSQL, Prefect servers under OpenTelemetry, workers and
// Prometheus 2.42/3 processes, one setup after another. Long timeouts, strictly serial: two busy cores.
// The incident timeline (tests/prefect/incidents.test.ts) runs only when asked for (PREFECT_INCIDENTS=1, set by
// `npm run test:prefect:incidents` and `test:prefect:full`): the scan missed the real pool exhaustion in one of
// its last runs, so it is not yet reliable enough to gate CI (tests/prefect/README.md).
const integration = require('./jest.integration.config');

module.exports = {
  ...integration,
  testMatch: ['<rootDir>/tests/prefect/**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.PREFECT_INCIDENTS === '1' ? [] : ['/tests/prefect/incidents\\.test\\.ts$']),
  ],
  testTimeout: 600000,
  maxWorkers: 1,
};
