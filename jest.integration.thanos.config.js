// The integration suite against Thanos (built by tools/thanos/build.sh): an HA pair behind a query-frontend and a
// receive ring, each file starting its own processes on free 127.0.0.1 ports.
const integration = require('./jest.integration.config');

module.exports = {
  ...integration,
  testMatch: ['<rootDir>/tests/integration/thanos/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
