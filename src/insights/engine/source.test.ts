import { describeSource } from './source';

describe('describeSource', () => {
  const rules = { source: 'recording-rules', resolutionSeconds: 300, recordedIntervalSeconds: 300 } as const;

  it('says whether the quantiles were read as recorded or computed from the recorded buckets, and why', () => {
    expect(describeSource({ ...rules, recordedQuantiles: true })).toBe(
      'read from recording rules at 5-minute resolution, quantiles as recorded'
    );
    expect(
      describeSource({
        ...rules,
        recordedQuantiles: false,
        sourceNote: 'the per-route quantile recordings are not loaded',
      })
    ).toBe(
      'read from recording rules at 5-minute resolution, quantiles computed from the recorded buckets ' +
        '(the per-route quantile recordings are not loaded)'
    );
  });

  it('names a rule interval finer than the step, and the raw read with its reason', () => {
    expect(describeSource({ ...rules, resolutionSeconds: 600, recordedQuantiles: false })).toBe(
      'read from recording rules (a 5-minute rule interval) at 10-minute resolution, quantiles computed from the recorded buckets'
    );
    expect(describeSource({ source: 'raw', resolutionSeconds: 15, sourceNote: 'the rules are not loaded' })).toBe(
      'read from the raw histogram at 15-second resolution (the rules are not loaded)'
    );
  });

  it("says when Thanos's downsampled blocks were allowed, with the windows that let them be read", () => {
    const raw = { source: 'raw', resolutionSeconds: 300, rateWindowSeconds: 600 } as const;
    expect(describeSource(raw)).toBe('read from the raw histogram at 5-minute resolution');
    expect(describeSource({ ...raw, downsampledSeconds: 300, sourceNote: 'the rules are not loaded' })).toBe(
      "read from the raw histogram at 5-minute resolution, from Thanos's 5-minute downsampled blocks where they " +
        'exist (10-minute rate windows) (the rules are not loaded)'
    );
  });
});
