// The integration suite against Prometheus 3 (built by tools/prometheus3/build.sh): every test that starts a
// Prometheus without naming an engine gets Prometheus 3 here. VictoriaMetrics has its own file and is not repeated.
process.env.PREFECT_INSIGHTS_PROMETHEUS = '3';

const integration = require('./jest.integration.config');

module.exports = {
  ...integration,
  // VictoriaMetrics files do not touch Prometheus. The promtool unit tests of the alert rules stay on 2.42's promtool
  // (3.16's takes 4–5 min for the same cases on 2 cores); on Prometheus 3 the rules are still loaded and evaluated
  // against live data by rules.prometheus.test.ts.
  testPathIgnorePatterns: [
    '/node_modules/',
    '/tests/integration/victoriametrics(-ha)?\\.test\\.ts$',
    '/tests/integration/rules\\.promtool\\.test\\.ts$',
    // No Prometheus in these: the release zip, which engine the demo picks, the set-up script's messages.
    '/tests/integration/(package|demoPrometheus|setup)\\.test\\.ts$',
  ],
};
