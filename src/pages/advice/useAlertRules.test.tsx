import { renderHook } from '@testing-library/react';
import { getDataSourceSrv } from '@grafana/runtime';
import { DEFAULT_PREFECT_SETTINGS } from '../../catalog/prefectSettings';
import { useAlertRules } from './useAlertRules';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: jest.fn(),
}));

it('aborts the requests it started when the page unmounts', async () => {
  const signals: AbortSignal[] = [];
  const ds = {
    settings: DEFAULT_PREFECT_SETTINGS,
    // A resolution that never answers, as a slow Prometheus would.
    resolveMetric: jest.fn((_window: unknown, signal?: AbortSignal) => {
      if (signal) {
        signals.push(signal);
      }
      return new Promise(() => undefined);
    }),
    scrapeInterval: jest.fn(),
  };
  jest
    .mocked(getDataSourceSrv)
    .mockReturnValue({ get: jest.fn(async () => ds) } as unknown as ReturnType<typeof getDataSourceSrv>);
  const { result, unmount } = renderHook(() => useAlertRules('prefect-uid', { from: 0, to: 3_600_000 }));
  expect(result.current.loading).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(ds.resolveMetric).toHaveBeenCalledTimes(1);
  expect(signals).toHaveLength(1);
  expect(signals[0].aborted).toBe(false);
  unmount();
  expect(signals[0].aborted).toBe(true);
});
