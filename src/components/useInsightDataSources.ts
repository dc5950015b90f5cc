import { useMemo } from 'react';
import type { DataSourceInstanceSettings } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { DATASOURCE_TYPE } from '../constants';

/** The Prefect insights data sources the user can see; an empty list means none was added or provisioned yet. */
export function useInsightDataSources(): DataSourceInstanceSettings[] {
  return useMemo(() => getDataSourceSrv().getList({ type: DATASOURCE_TYPE }), []);
}
