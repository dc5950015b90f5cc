/** @jest-environment node */
// api-outage on a server that pushes OTLP (no `up` series): a silence counts when it cuts real traffic off, judged
// against the traffic just before it, whatever the 6-hour baseline says; a server going or staying idle is quiet.
import { ScanInputBuilder } from '../testing/scanInputBuilder';
import type { Episode, ScanInput } from '../types';
import { DETECTORS } from './index';

const all = () => true;

function runAll(input: ScanInput): Episode[] {
  return DETECTORS.flatMap((d) => d.detect(input));
}

/** A pushed server: no `up` anywhere. */
function pushed(opts: ConstructorParameters<typeof ScanInputBuilder>[0]): ScanInputBuilder {
  const b = new ScanInputBuilder(opts);
  return b.upValue(-(opts?.lookbackMinutes ?? 360), opts?.rangeMinutes ?? 180, NaN);
}

/** Alive but idle: the SDK keeps exporting unchanged counters (rate 0), no request means no quantile. */
function idle(b: ScanInputBuilder, fromMin: number, toMin: number): ScanInputBuilder {
  return b.set(all, fromMin, toMin, { rate: 0, errorRate: 0, p50: NaN, p95: NaN, p99: NaN, mean: NaN });
}

/** Traffic tapering linearly to nothing over [fromMin, toMin]. */
function fade(b: ScanInputBuilder, fromMin: number, toMin: number): ScanInputBuilder {
  return b.each(all, fromMin, toMin, (s, i) => {
    const min = (b.timeAt(i) - b.startMs) / 60_000;
    s.rate[i] *= Math.max(0, (toMin - min) / (toMin - fromMin));
  });
}

function outages(b: ScanInputBuilder): Episode[] {
  return runAll(b.build()).filter((e) => e.id === 'api-outage');
}

function expectEdges(b: ScanInputBuilder, e: Episode, fromMin: number, toMin: number, slackMs: number) {
  expect(Math.abs(e.start - (b.startMs + fromMin * 60_000))).toBeLessThanOrEqual(slackMs);
  expect(Math.abs(e.end - (b.startMs + toMin * 60_000))).toBeLessThanOrEqual(slackMs);
}

describe('api-outage without `up` (a pushed server)', () => {
  it('finds a death 9 minutes into traffic after an idle look-back (issue 16: the 6-hour median was 0)', () => {
    // Two idle 5-minute blocks in the look-back, 9 minutes of traffic, then 3 minutes with no sample at all.
    const b = pushed({ lookbackMinutes: 10, rangeMinutes: 25 });
    idle(b, -10, -0.25).gap(all, 9, 12);
    const found = outages(b);
    expect(found).toHaveLength(1);
    expectEdges(b, found[0], 9, 12, 45_000);
    expect(found[0].evidence.source).toBe('series');
    expect(found[0].evidence.summary).toMatch(/^no route advanced for \d+ s after [\d.]+ req\/s in the minute before$/);
  });

  it('finds the same outage without the idle history', () => {
    const b = pushed({ lookbackMinutes: 10, rangeMinutes: 25 }).gap(all, 9, 12);
    const found = outages(b);
    expect(found).toHaveLength(1);
    expectEdges(b, found[0], 9, 12, 45_000);
  });

  it('finds a death after idle hours on other timings (10 s pushes, 7 h idle, 6 min of traffic, 2.5 min down)', () => {
    const b = pushed({ stepMs: 10_000, lookbackMinutes: 360, rangeMinutes: 120, seed: 11 });
    idle(b, -360, 54).gap(all, 60, 62.5);
    const found = outages(b);
    expect(found).toHaveLength(1);
    expectEdges(b, found[0], 60, 62.5, 40_000);
  });

  it('finds a death one minute into traffic after idling (the incident timelines, 2026-12-04 21:43 UTC)', () => {
    // The silence before the traffic ends less than the episode gap (5 min) before the death: judged together, the
    // whole was read from the idle start and dropped; each is judged on its own.
    const b = pushed({ lookbackMinutes: 60, rangeMinutes: 30 });
    idle(b, -60, 5).gap(all, 6, 8.5);
    const found = outages(b);
    expect(found).toHaveLength(1);
    expectEdges(b, found[0], 6, 8.5, 45_000);
    expect(found[0].evidence.summary).toMatch(/^no route advanced for \d+ s after [\d.]+ req\/s in the minute before$/);
  });

  it('finds a death 3 minutes after a server first pushed (no series before it), on 10 s pushes', () => {
    const b = pushed({ stepMs: 10_000, lookbackMinutes: 60, rangeMinutes: 40, seed: 23 });
    b.gap(all, -60, 10).gap(all, 13, 16);
    const found = outages(b);
    expect(found).toHaveLength(1);
    expectEdges(b, found[0], 13, 16, 40_000);
  });

  it('keeps a silence after an outage within the episode gap in the same episode, judged or not', () => {
    // Down 3 minutes, 40 s of traffic back, down 2.5 minutes more: one outage, from the first death to the last.
    const b = pushed({ lookbackMinutes: 10, rangeMinutes: 40 });
    b.gap(all, 15, 18).gap(all, 18.67, 21.17);
    const found = outages(b);
    expect(found).toHaveLength(1);
    expectEdges(b, found[0], 15, 21.17, 45_000);
  });

  it('stays quiet over a night of idling after the evening tapered off, and as the morning traffic starts', () => {
    const b = pushed({ lookbackMinutes: 360, rangeMinutes: 180 });
    fade(b, -330, -300);
    idle(b, -300, 120);
    expect(outages(b)).toEqual([]);
  });

  it('stays quiet when traffic fades out over 20 minutes after a busy afternoon (a full 6-hour baseline)', () => {
    const b = pushed({ lookbackMinutes: 360, rangeMinutes: 180 });
    fade(b, 60, 80);
    idle(b, 80, 180);
    expect(outages(b)).toEqual([]);
  });

  it('stays quiet over a pushed restart under a minute (the new process exports under a new instance id)', () => {
    const b = pushed({ lookbackMinutes: 360, rangeMinutes: 180 }).gap(all, 100, 101);
    const input = b.build();
    const n = input.grid.length;
    const old = { instance: 'a1b2', up: new Float64Array(n).fill(NaN), rate: new Float64Array(n).fill(NaN) };
    const next = { instance: 'c3d4', up: new Float64Array(n).fill(NaN), rate: new Float64Array(n).fill(NaN) };
    old.rate.fill(28, 0, b.indexAt(100));
    next.rate.fill(28, b.indexAt(101) + 1);
    input.targets = [old, next];
    expect(runAll(input).filter((e) => e.id === 'api-outage')).toEqual([]);
  });
});
