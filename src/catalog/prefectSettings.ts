// The Prefect settings the detectors use as thresholds. Defaults are Prefect 3's own (see docs/configuration.md).

export interface PrefectSettings {
  /** server.database.sqlalchemy.pool_timeout (PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT), seconds. */
  poolTimeoutSeconds: number;
  /** server.database.sqlalchemy.pool_size (PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE). */
  poolSize: number;
  /** server.database.sqlalchemy.max_overflow (PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW). */
  maxOverflow: number;
  /** PREFECT_API_REQUEST_TIMEOUT (client side), seconds. */
  apiRequestTimeoutSeconds: number;
  /** How long the UI's users wait before a page counts as broken, seconds. */
  uiPatienceSeconds: number;
  /** PREFECT_SERVER_DATABASE_TIMEOUT (statement timeout), seconds. */
  statementTimeoutSeconds: number;
}

/**
 * Whether `value` is a usable value of the setting: a finite number above zero, except max_overflow, where 0 (no
 * overflow connections) is a real choice.
 */
export function isValidSetting(key: keyof PrefectSettings, value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && (key === 'maxOverflow' ? value >= 0 : value > 0);
}

export const DEFAULT_PREFECT_SETTINGS: Readonly<PrefectSettings> = Object.freeze({
  poolTimeoutSeconds: 30,
  poolSize: 5,
  maxOverflow: 10,
  apiRequestTimeoutSeconds: 60,
  uiPatienceSeconds: 10,
  statementTimeoutSeconds: 10,
});
