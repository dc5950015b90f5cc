/** @jest-environment node */
import { CATALOG, INSIGHTS } from '../../catalog/catalog';
import type { ConfigurationParameter, Insight } from '../../catalog/types';
import { insightsNaming, judgeParameters, verdictText, type DetectedInsight } from './parameterVerdicts';

const param = (name: string): ConfigurationParameter => ({ name, recommended: '1', description: name });
const insight = (id: Insight['id'], parameters: string[]): Insight => ({
  id,
  title: id,
  severity: 'warning',
  detectable: true,
  signature: '',
  parameters,
  errorSignatures: [],
  commands: [],
  references: [],
});

const insights = [
  insight('db-pool-exhaustion', ['pool', 'overflow']),
  insight('api-outage', ['pool']),
  insight('stale-statistics', ['vacuum']),
];

describe('judgeParameters', () => {
  it('implicates a parameter only through detected insights that name it', () => {
    const detected: DetectedInsight[] = [{ id: 'db-pool-exhaustion', status: 'seen', episodes: 2 }];
    const [pool, overflow, vacuum] = judgeParameters(
      [param('pool'), param('overflow'), param('vacuum')],
      insights,
      detected
    );
    expect(pool.candidates).toEqual(['db-pool-exhaustion', 'api-outage']);
    expect(pool.implicatedBy).toEqual([{ id: 'db-pool-exhaustion', status: 'seen', episodes: 2 }]);
    expect(overflow.implicatedBy.map((i) => i.id)).toEqual(['db-pool-exhaustion']);
    expect(vacuum.implicatedBy).toEqual([]);
  });

  it('ignores insights reported as clear with no episodes', () => {
    const detected: DetectedInsight[] = [{ id: 'api-outage', status: 'clear', episodes: 0 }];
    expect(judgeParameters([param('pool')], insights, detected)[0].implicatedBy).toEqual([]);
  });

  it('puts firing insights before ones merely seen, then more episodes first', () => {
    const detected: DetectedInsight[] = [
      { id: 'db-pool-exhaustion', status: 'seen', episodes: 5 },
      { id: 'api-outage', status: 'firing', episodes: 1 },
    ];
    const [pool] = judgeParameters([param('pool')], insights, detected);
    expect(pool.implicatedBy.map((i) => i.id)).toEqual(['api-outage', 'db-pool-exhaustion']);
  });
});

describe('verdictText', () => {
  it('says "no evidence in range" when nothing implicates the parameter', () => {
    const [v] = judgeParameters([param('vacuum')], insights, []);
    expect(verdictText(v)).toBe('no evidence in range');
  });

  it('names the insight and how often it was seen', () => {
    const [v] = judgeParameters([param('overflow')], insights, [
      { id: 'db-pool-exhaustion', status: 'seen', episodes: 2 },
    ]);
    expect(verdictText(v)).toBe('implicated by db-pool-exhaustion seen 2×');
  });

  it('marks an insight that is firing now', () => {
    const [v] = judgeParameters([param('pool')], insights, [{ id: 'api-outage', status: 'firing', episodes: 3 }]);
    expect(verdictText(v)).toContain('api-outage seen 3×, firing now');
  });
});

describe('with the real catalog', () => {
  it('every parameter is named by at least one insight, so each can be implicated', () => {
    for (const p of CATALOG.parameters) {
      expect(insightsNaming(p.name, INSIGHTS).length).toBeGreaterThan(0);
    }
  });

  it('pool exhaustion implicates pool_size', () => {
    const verdicts = judgeParameters(CATALOG.parameters, INSIGHTS, [
      { id: 'db-pool-exhaustion', status: 'seen', episodes: 2 },
    ]);
    const poolSize = verdicts.find((v) => v.parameter.name === 'server.database.sqlalchemy.pool_size');
    expect(poolSize && verdictText(poolSize)).toBe('implicated by db-pool-exhaustion seen 2×');
  });
});
