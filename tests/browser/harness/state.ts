// What globalSetup hands to the tests (workers inherit the environment variable set in globalSetup).
import { readFileSync } from 'node:fs';

export const STATE_ENV = 'PREFECT_INSIGHTS_BROWSER_STATE';

export interface ScenarioWindow {
  insightId: string;
  /** unix ms */
  start: number;
  /** unix ms */
  end: number;
}

export interface SetupState {
  /** Folder with host.js, system.js and amd.js. */
  hostDir: string;
  /** Base URL of the real Prometheus, when it started. */
  prometheusUrl?: string;
  /** Why Prometheus is not available (a missing harness piece, a failed start); tests that need it fail with this. */
  prometheusError?: string;
  /** The simulated data in Prometheus: range, routes, and the ground-truth windows of its incidents (unix ms). */
  data?: {
    from: number;
    to: number;
    /** Route label values as Prometheus holds them (with the `/api` prefix). */
    routes: string[];
    windows: ScenarioWindow[];
    /** Ground truth in a quiet stretch [from, to] (unix ms): p95 in seconds per route label value, every 5 minutes. */
    quiet: { from: number; to: number; p95: Record<string, Array<[number, number]>> };
    /** Classic bucket bounds in seconds, to judge "within one bucket". */
    buckets: number[];
    /** The same traffic under another metric name, some route label values hostile markup (as Prometheus holds them). */
    hostile: { metric: string; routes: string[] };
  };
}

export function readSetupState(): SetupState {
  const file = process.env[STATE_ENV];
  if (!file) {
    throw new Error(`${STATE_ENV} is not set: run the browser tests with -c playwright.browser.config.ts`);
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** For tests that need Prometheus: its URL, or a failure that names the missing piece. */
export function requirePrometheus(state: SetupState): { url: string; data: NonNullable<SetupState['data']> } {
  if (!state.prometheusUrl || !state.data) {
    throw new Error(`real Prometheus not available: ${state.prometheusError ?? 'unknown reason'}`);
  }
  return { url: state.prometheusUrl, data: state.data };
}
