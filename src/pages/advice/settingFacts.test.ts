/** @jest-environment node */
import { DEFAULT_PREFECT_SETTINGS } from '../../catalog/prefectSettings';
import type { EpisodeRow } from './readInsightFrames';
import { settingFacts } from './settingFacts';

const POOL_SIZE = 'server.database.sqlalchemy.pool_size';

function pool(inFlightPeak: number): EpisodeRow {
  return {
    id: 'db-pool-exhaustion',
    severity: 'critical',
    title: 'Pool',
    start: 0,
    end: 1,
    routes: [],
    summary: '',
    figures: { inFlightPeak, poolCapacity: 15 },
  };
}

describe('settingFacts', () => {
  it("shows the configured value, marked when it is Prefect's default", () => {
    expect(settingFacts(POOL_SIZE, { ...DEFAULT_PREFECT_SETTINGS }, []).configured).toBe("5 (Prefect's default)");
    expect(settingFacts(POOL_SIZE, { ...DEFAULT_PREFECT_SETTINGS, poolSize: 40 }, []).configured).toBe('40');
    expect(
      settingFacts('PREFECT_API_REQUEST_TIMEOUT', { ...DEFAULT_PREFECT_SETTINGS, apiRequestTimeoutSeconds: 90 }, [])
        .configured
    ).toBe('90');
  });

  it('has no configured value for parameters the data source does not hold', () => {
    expect(settingFacts('autovacuum_analyze_scale_factor', { ...DEFAULT_PREFECT_SETTINGS }, [])).toEqual({});
  });

  it("sets the worst in-flight estimate against the operator's pool_size + max_overflow", () => {
    const facts = settingFacts(POOL_SIZE, { ...DEFAULT_PREFECT_SETTINGS, poolSize: 20, maxOverflow: 5 }, [
      pool(12.34),
      pool(468.2),
    ]);
    expect(facts.observed).toContain('≈ 468 requests were in flight');
    expect(facts.observed).toContain('more than your pool of 25 (pool_size 20 + max_overflow 5)');
    const roomy = settingFacts(POOL_SIZE, { ...DEFAULT_PREFECT_SETTINGS, poolSize: 500 }, [pool(468)]);
    expect(roomy.observed).toContain('within your pool of 510');
  });

  it('says nothing about the pool without a measured episode', () => {
    expect(settingFacts(POOL_SIZE, { ...DEFAULT_PREFECT_SETTINGS }, []).observed).toBeUndefined();
  });
});
