/** @jest-environment node */
// Three Prefect API replicas behind a load balancer, backfilled into a real Prometheus and scanned through the CLI
// path: one replica down, one hung, a whole-service outage and a quick restart on the same timeline. Scraped
// replicas keep their `instance`; OTLP-pushed ones get a new `service.instance.id` (and no `up`) per process, so a
// restart there must not look like a replica going down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isInsightId } from '../../src/catalog/catalog';
import type { ScanJson } from '../../src/cli/output';
import { buildTimeline, type Timeline, type TimelineOptions, type TruthEntry } from '../../tools/simulator';
import { matchDetections, type MatchResult } from './scenarioMatch';
import { backfillAndScan } from './scenarioScan';
import { stderrBesidesInfos } from '../harness/cliStderr';

const work = mkdtempSync(join(tmpdir(), 'replicas-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Insight = ScanJson['insights'][number];

function overlapping(json: ScanJson, t: TruthEntry): Insight[] {
  return json.insights.filter(
    (i) => i.id === 'api-outage' && Date.parse(i.start) <= t.end + 60_000 && Date.parse(i.end) >= t.start - 60_000
  );
}

async function scanTimeline(
  opts: TimelineOptions
): Promise<{ timeline: Timeline; json: ScanJson; match: MatchResult }> {
  const timeline = buildTimeline(opts);
  const { code, stderr, json, detections } = await backfillAndScan(timeline, work);
  expect(stderrBesidesInfos(stderr)).toBe('');
  expect(code === 0 || code === 1).toBe(true);
  const match = matchDetections(detections, timeline.truth, isInsightId);
  const figures = `${match.detections} detections, missed ${match.missed.map((t) => t.id).join(' ') || '-'}, extra ${
    match.falsePositives.map((d) => `${d.id}@${new Date(d.start).toISOString()}`).join(' ') || '-'
  }`;
  console.log(`replicas=${opts.replicas} ${opts.convention} seed ${opts.seed}: ${figures}`);
  return { timeline, json: json!, match };
}

const INCLUDE: TimelineOptions['include'] = [
  'replica-down',
  'db-pool-exhaustion',
  'replica-hang',
  'decoy:replica-restart',
  'api-outage',
  'decoy:short-restart',
];

describe('three replicas in a real Prometheus', () => {
  it('scraped: names the replica that is down or hung, says the others kept serving, and still sees a full outage', async () => {
    const { timeline, json, match } = await scanTimeline({
      seed: 31,
      convention: 'prefect',
      days: 1,
      scrapeIntervalSeconds: 30,
      replicas: 3,
      include: INCLUDE,
    });
    expect(match.missed).toEqual([]);
    expect(match.falsePositives).toEqual([]);
    for (const t of timeline.truth.filter((x) => x.id === 'api-outage')) {
      const found = overlapping(json, t);
      expect(found).toHaveLength(1);
      const e = found[0].evidence;
      if (t.params.scope === 'replica') {
        expect(e.scope).toBe('replica');
        expect(e.instance).toBe(t.params.instance);
        expect(e.replicas).toBe(3);
        expect(e.servingReplicas).toBe(2);
        expect(e.summary).toContain('the other 2 kept serving');
        expect(e.source).toBe(t.params.variant === 'down' ? 'up' : 'series');
      } else {
        // All three down together is the service's outage, not three replica outages.
        expect(e.scope).toBe('service');
      }
    }
    // The quick restart of one replica is no outage at all.
    const restart = timeline.truth.find((x) => x.id === 'decoy:replica-restart')!;
    expect(overlapping(json, restart)).toEqual([]);
  }, 170_000);

  it('OTLP-pushed with a new service.instance.id per process: a restart is not a replica down, an outage still is', async () => {
    const { timeline, json, match } = await scanTimeline({
      seed: 32,
      convention: 'otel-stable',
      days: 1,
      scrapeIntervalSeconds: 30,
      replicas: 3,
      instancePerProcess: true,
      include: INCLUDE,
    });
    expect(match.missed).toEqual([]);
    expect(match.falsePositives).toEqual([]);
    for (const t of timeline.truth.filter((x) => x.id === 'api-outage' && x.params.scope === 'replica')) {
      const found = overlapping(json, t);
      expect(found).toHaveLength(1);
      // The id of the process that stopped (its successor gets a new one).
      expect(found[0].evidence.instance).toBe(timeline.models[Number(t.params.replica)].instanceAt(t.start - 1));
      expect(found[0].evidence.source).toBe('series');
    }
    const restart = timeline.truth.find((x) => x.id === 'decoy:replica-restart')!;
    expect(overlapping(json, restart)).toEqual([]);
  }, 170_000);
});
