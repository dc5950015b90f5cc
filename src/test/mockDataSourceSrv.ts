// Unit-test stand-in for Grafana's DataSourceSrv: only what the app's pages call (getList, get).
import { type Observable, of, throwError } from 'rxjs';
import type { DataFrame, DataQueryRequest, DataQueryResponse, DataSourceInstanceSettings } from '@grafana/data';
import { DATASOURCE_TYPE } from '../constants';

export function instanceSettings(
  uid: string,
  name: string,
  isDefault = false,
  type = DATASOURCE_TYPE
): DataSourceInstanceSettings {
  return { uid, name, type, isDefault, meta: { id: type } } as DataSourceInstanceSettings;
}

export interface FakeDataSource {
  query: jest.Mock<Observable<DataQueryResponse>, [DataQueryRequest]>;
}

export function fakeDataSource(answer: DataFrame[] | Error): FakeDataSource {
  return {
    query: jest.fn((_req: DataQueryRequest) =>
      answer instanceof Error ? throwError(() => answer) : of({ data: answer } as DataQueryResponse)
    ),
  };
}

export function fakeDataSourceSrv(list: DataSourceInstanceSettings[], ds?: FakeDataSource) {
  return {
    // Filters by type as Grafana's getList does (public/app/features/plugins/datasource_srv.ts in grafana/grafana).
    getList: jest.fn((filters?: { type?: string | string[] }) =>
      list.filter((d) => {
        const type = filters?.type;
        return type === undefined || (Array.isArray(type) ? type.includes(d.type) : d.type === type);
      })
    ),
    get: jest.fn(async () => ds),
    getInstanceSettings: jest.fn((uid: string) => list.find((d) => d.uid === uid)),
    reload: jest.fn(),
    registerRuntimeDataSource: jest.fn(),
  };
}
