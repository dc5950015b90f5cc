// How each catalog parameter is set in Prefect 3, with its shipped default (facts from Prefect's settings).
// `change` builds the exact line an operator pastes; values are the catalog's recommendations. Defaults the detectors
// also use come from DEFAULT_PREFECT_SETTINGS, so there is one definition of each.
import { DEFAULT_PREFECT_SETTINGS, type PrefectSettings } from './prefectSettings';

export interface ParameterDetail {
  /** Environment variable (or where the setting lives when it is not Prefect's). */
  setting: string;
  /** Prefect 3's default, as text; null when unset by default. */
  prefectDefault: string | null;
  unit?: 'seconds' | 'connections' | 'ratio';
  scope: 'server' | 'client' | 'postgresql';
  /** How to apply a value: an environment line, or SQL for PostgreSQL storage parameters. */
  change: (value: string) => string;
  /** The data source setting that holds the operator's value of this parameter, when there is one. */
  settingsKey?: keyof PrefectSettings;
}

const env = (name: string) => (value: string) => `${name}=${value}`;

export const PARAMETER_DETAILS: Record<string, ParameterDetail> = {
  'server.database.sqlalchemy.pool_size': {
    setting: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE',
    prefectDefault: String(DEFAULT_PREFECT_SETTINGS.poolSize),
    settingsKey: 'poolSize',
    unit: 'connections',
    scope: 'server',
    change: env('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE'),
  },
  'server.database.sqlalchemy.max_overflow': {
    setting: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW',
    prefectDefault: String(DEFAULT_PREFECT_SETTINGS.maxOverflow),
    settingsKey: 'maxOverflow',
    unit: 'connections',
    scope: 'server',
    change: env('PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW'),
  },
  'server.database.sqlalchemy.pool_timeout': {
    setting: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT',
    prefectDefault: String(DEFAULT_PREFECT_SETTINGS.poolTimeoutSeconds),
    settingsKey: 'poolTimeoutSeconds',
    unit: 'seconds',
    scope: 'server',
    change: env('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT'),
  },
  PREFECT_API_REQUEST_TIMEOUT: {
    setting: 'PREFECT_API_REQUEST_TIMEOUT',
    prefectDefault: String(DEFAULT_PREFECT_SETTINGS.apiRequestTimeoutSeconds),
    settingsKey: 'apiRequestTimeoutSeconds',
    unit: 'seconds',
    scope: 'client',
    change: env('PREFECT_API_REQUEST_TIMEOUT'),
  },
  PREFECT_API_URL: {
    setting: 'PREFECT_API_URL',
    prefectDefault: null,
    scope: 'client',
    change: (value: string) => `PREFECT_API_URL=${value}`,
  },
  autovacuum_analyze_scale_factor: {
    setting: 'PostgreSQL table storage parameter',
    prefectDefault: '0.1',
    unit: 'ratio',
    scope: 'postgresql',
    change: (value: string) =>
      `ALTER TABLE flow_run SET (autovacuum_analyze_scale_factor = ${value});\nALTER TABLE task_run SET (autovacuum_analyze_scale_factor = ${value});`,
  },
};
