import { DataSourcePlugin } from '@grafana/data';
import { DataSource } from './datasource';
import { lazyEditor } from './lazyEditor';
import type { PrefectDataSourceOptions, PrefectQuery } from './types';

// Editors load on demand: dashboards that only run queries never download them.
const ConfigEditor = lazyEditor(() => import('./editors/ConfigEditor'));
const QueryEditor = lazyEditor(() => import('./editors/QueryEditor'));

export const plugin = new DataSourcePlugin<DataSource, PrefectQuery, PrefectDataSourceOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
