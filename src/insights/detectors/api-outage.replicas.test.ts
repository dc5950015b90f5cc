// api-outage with several replicas: one of three down or hung is a replica-scoped episode naming it, a restart under a
// new instance id is nothing, all of them down is the service's outage.
import { ScanInputBuilder } from '../testing/scanInputBuilder';
import type { ScanInput, TargetSeries } from '../types';
import { apiOutage } from './api-outage';

const STEP = 15_000;

function withReplicas(names: string[]): { input: ScanInput; targets: TargetSeries[]; at: (min: number) => number } {
  const b = new ScanInputBuilder({ stepMs: STEP, noise: 0, dailyCycle: 0 });
  const input = b.build();
  const n = input.grid.length;
  const targets = names.map((instance) => ({
    instance,
    up: new Float64Array(n).fill(1),
    rate: new Float64Array(n).fill(2),
  }));
  input.targets = targets;
  return { input, targets, at: (min) => b.indexAt(min) };
}

const fill = (a: Float64Array, from: number, to: number, v: number) => a.fill(v, from, to + 1);

describe('api-outage across replicas', () => {
  const names = ['prefect-server-0:4200', 'prefect-server-1:4200', 'prefect-server-2:4200'];

  it('names the replica whose up is 0 and says the other two kept serving', () => {
    const { input, targets, at } = withReplicas(names);
    fill(targets[1].up, at(30), at(36), 0);
    fill(targets[1].rate, at(30), at(36), NaN);
    const found = apiOutage.detect(input);
    expect(found).toHaveLength(1);
    const e = found[0];
    expect(e.evidence.scope).toBe('replica');
    expect(e.evidence.instance).toBe('prefect-server-1:4200');
    expect(e.evidence.replicas).toBe(3);
    expect(e.evidence.servingReplicas).toBe(2);
    expect(e.evidence.servingRate).toBe(4);
    expect(e.evidence.summary).toMatch(
      /^replica prefect-server-1:4200 of 3: `up` was 0 for 360 s; the other 2 kept serving \(4 req\/s\)$/
    );
    expect(e.start).toBe(input.grid.start + at(30) * STEP);
  });

  it('dates a hung replica from when its counters froze, not from its first zero rate', () => {
    const { input, targets, at } = withReplicas(names);
    // rate(…[w]) reaches 0 only once the last increase has left the window: zeros from minute 32 on.
    fill(targets[2].rate, at(32), at(40), 0);
    const found = apiOutage.detect(input);
    expect(found).toHaveLength(1);
    expect(found[0].evidence.instance).toBe('prefect-server-2:4200');
    expect(found[0].evidence.source).toBe('series');
    expect(found[0].evidence.summary).toContain('hung');
    expect(found[0].start).toBeLessThan(input.grid.start + at(32) * STEP);
  });

  it('does not report a restart under a new instance id, nor the old id that never comes back', () => {
    const { input, targets, at } = withReplicas(names);
    const n = input.grid.length;
    fill(targets[0].rate, at(30), n - 1, NaN);
    const successor = {
      instance: '9f1c2d3e-aaaa-4bbb-cccc-0123456789ab',
      up: new Float64Array(n).fill(NaN),
      rate: new Float64Array(n).fill(NaN),
    };
    fill(successor.rate, at(30.75), n - 1, 2);
    input.targets = [...targets, successor];
    expect(apiOutage.detect(input)).toEqual([]);
  });

  it('still blames only the replica that stopped when an old instance id lies gone beside it', () => {
    const { input, targets, at } = withReplicas(names);
    const n = input.grid.length;
    fill(targets[0].rate, at(-60), n - 1, NaN);
    const successor = { instance: 'new-id', up: new Float64Array(n).fill(NaN), rate: new Float64Array(n).fill(NaN) };
    fill(successor.rate, at(-59.5), n - 1, 2);
    fill(targets[1].up, at(50), at(55), 0);
    fill(targets[1].rate, at(50), at(55), NaN);
    input.targets = [...targets, successor];
    const found = apiOutage.detect(input);
    expect(found.map((e) => e.evidence.instance)).toEqual(['prefect-server-1:4200']);
  });

  it('ignores a replica gone for under the two minutes', () => {
    const { input, targets, at } = withReplicas(names);
    fill(targets[1].up, at(30), at(31.25), 0);
    expect(apiOutage.detect(input)).toEqual([]);
  });

  it('reports all replicas down as one service-wide outage, not three replica outages', () => {
    const { input, targets, at } = withReplicas(names);
    for (const t of targets) {
      fill(t.up, at(30), at(36), 0);
      fill(t.rate, at(30), at(36), NaN);
    }
    fill(input.up, at(30), at(36), 0);
    const found = apiOutage.detect(input);
    expect(found).toHaveLength(1);
    expect(found[0].evidence.scope).toBe('service');
  });
});
