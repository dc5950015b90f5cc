import { useMemo } from 'react';
import type { DataSourceInstanceSettings } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';

/** Loki data sources the user can see (for log-search Explore links); the default one first. */
export function useLokiDataSources(): DataSourceInstanceSettings[] {
  return useMemo(
    () => [...getDataSourceSrv().getList({ type: 'loki' })].sort((a, b) => Number(b.isDefault) - Number(a.isDefault)),
    []
  );
}
