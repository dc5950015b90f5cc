// The operator's configured value of a parameter (from the data source settings) and what the data in range says
// about it, for the advice page's parameter cards. Pure: settings and episode rows in, text out.
import { getParameter } from '../../catalog/catalog';
import { DEFAULT_PREFECT_SETTINGS, type PrefectSettings } from '../../catalog/prefectSettings';
import type { EpisodeRow } from './readInsightFrames';

export interface SettingFacts {
  /** The value typed into the data source settings (or Prefect's default when left empty), when the card has one. */
  configured?: string;
  /** What the data shows against the configured value, when an episode measured it. */
  observed?: string;
}

const POOL_PARAMETERS = new Set(['server.database.sqlalchemy.pool_size', 'server.database.sqlalchemy.max_overflow']);

function round(n: number): number {
  return n >= 10 ? Math.round(n) : Math.round(n * 10) / 10;
}

export function settingFacts(
  parameterName: string,
  configured: PrefectSettings,
  episodes: readonly EpisodeRow[]
): SettingFacts {
  const key = getParameter(parameterName)?.settingsKey;
  const out: SettingFacts = {};
  if (key) {
    const value = configured[key];
    out.configured = value === DEFAULT_PREFECT_SETTINGS[key] ? `${value} (Prefect's default)` : String(value);
  }
  if (POOL_PARAMETERS.has(parameterName)) {
    // The busiest pool exhaustion in range: requests in flight (Little's law) against pool_size + max_overflow.
    let peak = NaN;
    for (const e of episodes) {
      const v = e.figures.inFlightPeak;
      if (e.id === 'db-pool-exhaustion' && typeof v === 'number' && !(v <= peak)) {
        peak = v;
      }
    }
    if (Number.isFinite(peak)) {
      const capacity = configured.poolSize + configured.maxOverflow;
      const verdict = peak > capacity ? 'more than' : 'within';
      out.observed =
        `At the worst pool exhaustion in range ≈ ${round(peak)} requests were in flight (request rate × mean ` +
        `latency), ${verdict} your pool of ${capacity} (pool_size ${configured.poolSize} + max_overflow ` +
        `${configured.maxOverflow}) per server process.`;
    }
  }
  return out;
}
