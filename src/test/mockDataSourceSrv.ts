// Unit-test stand-in for Grafana's DataSourceSrv: only what the app's pages call (getList, get).
import { type Observable, of, throwError } from 'rxjs';
import type { DataFrame, DataQueryRequest, DataQueryResponse, DataSourceInstanceSettings } from '@grafana/data';
import { DATASOURCE_TYPE } from '../constants';

export function instanceSettings(uid: string, name: string, isDefault = false): DataSourceInstanceSettings {
  return { uid, name, type: DATASOURCE_TYPE, isDefault, meta: { id: DATASOURCE_TYPE } } as DataSourceInstanceSettings;
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
    getList: jest.fn(() => list),
    get: jest.fn(async () => ds),
    getInstanceSettings: jest.fn((uid: string) => list.find((d) => d.uid === uid)),
    reload: jest.fn(),
    registerRuntimeDataSource: jest.fn(),
  };
}
