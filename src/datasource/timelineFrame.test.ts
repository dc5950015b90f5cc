import { DETECTABLE_INSIGHT_IDS } from '../catalog/catalog';
import type { Episode } from '../insights/types';
import { CLEAR_LEVEL, MAX_TIMELINE_POINTS, insightTimelineFrame, severityLevel } from './timelineFrame';

const MIN = 60_000;
const from = 1_700_000_000_000;
const episode = (over: Partial<Episode>): Episode =>
  ({
    id: 'db-pool-exhaustion',
    severity: 'critical',
    title: 'Pool',
    start: from + 10 * MIN,
    end: from + 20 * MIN,
    routes: [],
    evidence: { summary: '' },
    ...over,
  }) as Episode;

it('has one field per detectable insight and marks the covered points with the severity', () => {
  const frame = insightTimelineFrame([episode({})], { fromMs: from, toMs: from + 60 * MIN, stepMs: MIN }, 'T');
  expect(frame.fields.map((f) => f.name)).toEqual(['Time', ...DETECTABLE_INSIGHT_IDS]);
  expect(frame.length).toBe(61);
  const pool = frame.fields.find((f) => f.name === 'db-pool-exhaustion')!.values as number[];
  expect(pool.slice(9, 22)).toEqual([0, ...new Array(11).fill(severityLevel('critical')), 0]);
  const others = frame.fields.slice(1).filter((f) => f.name !== 'db-pool-exhaustion');
  expect(others.every((f) => (f.values as number[]).every((v) => v === CLEAR_LEVEL))).toBe(true);
});

it('keeps the most severe of overlapping episodes and marks an episode shorter than a step', () => {
  const frame = insightTimelineFrame(
    [
      episode({ severity: 'warning', start: from, end: from + 30 * MIN }),
      episode({ severity: 'critical', start: from + 5 * MIN, end: from + 5 * MIN }),
    ],
    { fromMs: from, toMs: from + 60 * MIN, stepMs: 10 * MIN },
    'T'
  );
  const pool = frame.fields.find((f) => f.name === 'db-pool-exhaustion')!.values as number[];
  expect(pool).toEqual([3, 2, 2, 2, 0, 0, 0]);
});

it('thins long ranges instead of sending every step', () => {
  const frame = insightTimelineFrame([], { fromMs: from, toMs: from + 30 * 24 * 60 * MIN, stepMs: 15_000 }, 'T');
  expect(frame.length).toBeLessThanOrEqual(MAX_TIMELINE_POINTS + 1);
});

it('maps levels to severity texts Grafana shows in the state timeline', () => {
  const frame = insightTimelineFrame([], { fromMs: from, toMs: from + MIN, stepMs: MIN }, 'T');
  const mapping = frame.fields[1].config.mappings?.[0] as { options: Record<string, { text: string }> };
  expect(mapping.options[CLEAR_LEVEL].text).toBe('clear');
  expect(mapping.options[severityLevel('critical')].text).toBe('critical');
});
