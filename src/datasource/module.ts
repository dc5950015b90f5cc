import { DataSourcePlugin } from '@grafana/data';
import { DataSource } from './datasource';
import { lazyEditor } from './lazyEditor';
import type { PrefectDataSourceOptions, PrefectQuery } from './types';

// The scaffold points webpack's public path at this module's own folder (`…/datasource/`), but lazily loaded chunks
// are emitted at the plugin root, beside the app's module.js. Without this the editors would load from a 404.
declare let __webpack_public_path__: string;
if (typeof __webpack_public_path__ === 'string') {
  __webpack_public_path__ = __webpack_public_path__.replace(/datasource\/$/, '');
}

// Editors load on demand: dashboards that only run queries never download them.
const ConfigEditor = lazyEditor(() => import('./editors/ConfigEditor'));
const QueryEditor = lazyEditor(() => import('./editors/QueryEditor'));

export const plugin = new DataSourcePlugin<DataSource, PrefectQuery, PrefectDataSourceOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
