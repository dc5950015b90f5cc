import { useMemo } from 'react';
import type { DataSourceInstanceSettings } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { DATASOURCE_TYPE } from '../constants';

export interface InsightDataSources {
  /** The Prefect insights data sources the user can see; empty means none was added or provisioned yet. */
  list: DataSourceInstanceSettings[];
  /** The one the page reads: the `datasource` URL parameter if it names one, else the default, else the first. */
  uid: string | undefined;
}

export function useInsightDataSources(requestedUid: string | null): InsightDataSources {
  const list = useMemo(() => getDataSourceSrv().getList({ type: DATASOURCE_TYPE }), []);
  const uid = list.find((d) => d.uid === requestedUid)?.uid ?? list.find((d) => d.isDefault)?.uid ?? list[0]?.uid;
  return { list, uid };
}
