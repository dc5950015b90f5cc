// The modules Grafana hands to plugins at run time (.config/bundler/externals.ts marks them external in the build),
// plus the few Grafana also shares although the scaffold bundles them (react-router-dom, @grafana/i18n).
// One copy of each lives in the host bundle, so the plugin and the host share React, the theme and the services.
// Namespaces are handed over marked `__esModule`, as Grafana's own webpack bundle does, so that a plugin's default
// import of a CommonJS module (`import moment from 'moment'`) gets module.exports and of an ES module its default.
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaI18n from '@grafana/i18n';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as i18next from 'i18next';
import * as jquery from 'jquery';
import * as lodash from 'lodash';
// Grafana still hands `moment` to plugins, so the host must too; the rule steers plugin code, not this host.
// eslint-disable-next-line no-restricted-imports
import * as moment from 'moment';
import * as react from 'react';
import * as reactDom from 'react-dom';
import * as reactRouter from 'react-router';
import * as reactRouterDom from 'react-router-dom';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';

export const SHARED_MODULES: Record<string, object> = {
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  '@grafana/data': grafanaData,
  '@grafana/i18n': grafanaI18n,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  i18next,
  jquery,
  lodash,
  moment,
  react,
  'react-dom': reactDom,
  'react-router': reactRouter,
  'react-router-dom': reactRouterDom,
  'react/jsx-runtime': jsxRuntime,
  // Production builds never ask for the dev runtime, but a development build does.
  'react/jsx-dev-runtime': jsxRuntime,
  rxjs,
};
