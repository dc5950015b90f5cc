// The integration suite against Prometheus 3 (built by tools/prometheus3/build.sh): every test that starts a
// Prometheus without naming an engine gets Prometheus 3 here. VictoriaMetrics has its own file and is not repeated.
process.env.PREFECT_INSIGHTS_PROMETHEUS = '3';

const integration = require('./jest.integration.config');

module.exports = {
  ...integration,
  testPathIgnorePatterns: ['/node_modules/', '/tests/integration/victoriametrics\\.test\\.ts$'],
};
