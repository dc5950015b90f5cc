import { DataSourcePlugin } from '@grafana/data';
import { DataSource } from './datasource';
import { lazyEditor } from './lazyEditor';
import type { PrefectDataSourceOptions, PrefectQuery } from './types';

// Editors are split from the query path; in the nested module they are bundled in (see webpack.config.ts), so
// they render on demand rather than load on demand.
const ConfigEditor = lazyEditor(() => import('./editors/ConfigEditor'));
const QueryEditor = lazyEditor(() => import('./editors/QueryEditor'));

export const plugin = new DataSourcePlugin<DataSource, PrefectQuery, PrefectDataSourceOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
