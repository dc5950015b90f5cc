// Jest setup provided by Grafana scaffolding. It touches DOM globals, so it is skipped for the pure-logic tests that
// run in Node (`/** @jest-environment node */`).
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
}
