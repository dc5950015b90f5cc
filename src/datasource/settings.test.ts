/** @jest-environment node */
import { DEFAULT_PREFECT_SETTINGS } from '../catalog/prefectSettings';
import { prefectSettingsOf } from './types';

describe('prefectSettingsOf', () => {
  it('takes what the operator typed, Prefect 3 defaults for the rest', () => {
    expect(prefectSettingsOf({ prefect: { poolSize: 40, statementTimeoutSeconds: 20 } })).toEqual({
      ...DEFAULT_PREFECT_SETTINGS,
      poolSize: 40,
      statementTimeoutSeconds: 20,
    });
  });

  it('keeps max_overflow 0 (no overflow connections) and drops values no setting can have', () => {
    const s = prefectSettingsOf({
      prefect: { maxOverflow: 0, poolSize: 0, poolTimeoutSeconds: -1, uiPatienceSeconds: NaN },
    });
    expect(s.maxOverflow).toBe(0);
    expect(s.poolSize).toBe(DEFAULT_PREFECT_SETTINGS.poolSize);
    expect(s.poolTimeoutSeconds).toBe(DEFAULT_PREFECT_SETTINGS.poolTimeoutSeconds);
    expect(s.uiPatienceSeconds).toBe(DEFAULT_PREFECT_SETTINGS.uiPatienceSeconds);
  });
});
