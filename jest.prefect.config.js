// The real-Prefect suite (npm run test:prefect): PostgreSQL, Prefect servers under OpenTelemetry, workers and
// Prometheus 2.42/3 processes, one setup after another. Long timeouts, strictly serial: two busy cores.
const integration = require('./jest.integration.config');

module.exports = {
  ...integration,
  testMatch: ['<rootDir>/tests/prefect/**/*.test.ts'],
  testTimeout: 600000,
  maxWorkers: 1,
};
