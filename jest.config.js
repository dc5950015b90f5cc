// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

// d3-color 3.1.1 ships only `.mjs`, which the scaffold's transform (`.[tj]sx?`) does not cover.
const swcTransform = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...base,
  transform: {
    ...base.transform,
    '^.+\\.mjs$': swcTransform,
  },
  // Unit tests live beside the code; integration and browser tests have their own runners.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/'],
  // The real-Prefect suite's Python venv holds tens of thousands of files (and Prefect's UI bundles): never crawled.
  modulePathIgnorePatterns: ['<rootDir>/.venv-prefect/'],
};
