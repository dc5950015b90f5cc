/** @jest-environment node */
// A slow burst shorter than the contract's 2 minutes is no insight, even where the rate window's tail stretches it
// to 2 minutes of points (Prometheus 2.x counts the sample on the window's start edge).
import { capQuantiles, ScanInputBuilder } from '../testing/scanInputBuilder';
import { isDatabaseBacked } from '../toolkit/families';
import { DETECTORS } from './index';

const pileUp = { p95: 25, p99: 30, mean: 18 };

function found(fromMin: number, toMin: number, stepMs: number) {
  const b = new ScanInputBuilder({ stepMs })
    .set(isDatabaseBacked, fromMin, toMin, pileUp)
    .errors(isDatabaseBacked, fromMin, toMin, 0.2);
  return DETECTORS.flatMap((d) => d.detect(capQuantiles(b.build()))).map((e) => e.id);
}

describe('persistence of windowed signatures', () => {
  it('a 90 s pile-up at a 30 s scrape, seen on 5 points over 2 minutes, is no pool exhaustion', () => {
    // Samples at 60.5..62 carry it; a 90 s window closed at its start holds the last one until 62.5.
    expect(found(60.5, 62.5, 30_000)).toEqual([]);
  });

  it('the same pile-up lasting 2.5 minutes is one', () => {
    expect(found(60.5, 63.5, 30_000)).toEqual(['db-pool-exhaustion']);
  });

  it('at a 15 s scrape a 105 s burst is quiet and a 2.5-minute one is found', () => {
    expect(found(60.25, 62.25, 15_000)).toEqual([]);
    expect(found(60.25, 63, 15_000)).toEqual(['db-pool-exhaustion']);
  });
});
