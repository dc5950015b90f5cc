import { DataFrameType, FieldType } from '@grafana/data';
import type { Episode } from '../insights/types';
import type { MatrixSeries } from '../prometheus/types';
import { annotationsFrame, episodesTableFrame, heatmapFrame, matrixToFrames, SEVERITY_COLOR } from './frames';

describe('matrixToFrames', () => {
  const series: MatrixSeries[] = [
    {
      metric: { __name__: 'x', http_route: '/flow_runs/filter', http_request_method: 'POST' },
      values: [
        [1700000000, '0.25'],
        [1700000060, 'NaN'],
        [1700000120, '+Inf'],
      ] as Array<[number, string]>,
    },
    { metric: {}, values: [[1700000000, '2']] as Array<[number, string]> },
  ];

  it('makes one frame per series with times in ms and numbers carrying labels', () => {
    const frames = matrixToFrames(series, {
      refId: 'A',
      unit: 's',
      legendPrefix: 'p95',
      extraLabels: { quantile: '0.95' },
    });
    expect(frames).toHaveLength(2);
    const [time, value] = frames[0].fields;
    expect(time.type).toBe(FieldType.time);
    expect(time.values).toEqual([1700000000000, 1700000060000, 1700000120000]);
    expect(value.type).toBe(FieldType.number);
    expect(value.values[0]).toBe(0.25);
    expect(Number.isNaN(value.values[1])).toBe(true);
    expect(value.values[2]).toBe(Infinity);
    expect(value.labels).toEqual({ quantile: '0.95', http_route: '/flow_runs/filter', http_request_method: 'POST' });
    expect(value.config.unit).toBe('s');
    expect(value.config.displayNameFromDS).toBe('p95 POST /flow_runs/filter');
    expect(frames[0].refId).toBe('A');
    expect(frames[0].length).toBe(3);
  });

  it('applies a scale (milliseconds to seconds) and drops __name__', () => {
    const frames = matrixToFrames([series[0]], { refId: 'B', unit: 's', scale: 0.001 });
    expect(frames[0].fields[1].values[0]).toBeCloseTo(0.00025);
    expect(frames[0].fields[1].labels).not.toHaveProperty('__name__');
  });

  it('returns no frames for no series', () => {
    expect(matrixToFrames([], { refId: 'A', unit: 'reqps' })).toEqual([]);
  });
});

describe('heatmapFrame', () => {
  it('differences cumulative buckets, sorts by bound and marks the frame as heatmap rows', () => {
    const t = 1700000000;
    const frame = heatmapFrame(
      [
        { metric: { le: '+Inf' }, values: [[t, '10']] },
        { metric: { le: '0.5' }, values: [[t, '4']] },
        { metric: { le: '0.1' }, values: [[t, '1']] },
      ],
      'H'
    );
    expect(frame.meta?.type).toBe(DataFrameType.HeatmapRows);
    expect(frame.fields.map((f) => f.name)).toEqual(['Time', '0.1', '0.5', '+Inf']);
    expect(frame.fields.slice(1).map((f) => f.values[0])).toEqual([1, 3, 6]);
  });

  it('adds up the two spellings of one bound that Prometheus 3 leaves across an upgrade (le="1" and le="1.0")', () => {
    const frame = heatmapFrame(
      [
        {
          metric: { le: '1' },
          values: [
            [1, '2'],
            [2, '3'],
          ],
        },
        {
          metric: { le: '1.0' },
          values: [
            [2, '1'],
            [3, '4'],
          ],
        },
        {
          metric: { le: '+Inf' },
          values: [
            [1, '5'],
            [2, '6'],
            [3, '6'],
          ],
        },
      ],
      'H'
    );
    expect(frame.fields.map((f) => f.name)).toEqual(['Time', '1', '+Inf']);
    expect(frame.fields[1].values).toEqual([2, 4, 4]);
    expect(frame.fields[2].values).toEqual([3, 2, 2]);
  });

  it('clamps negative differences from counter noise to zero', () => {
    const frame = heatmapFrame(
      [
        { metric: { le: '1' }, values: [[1, '5']] },
        { metric: { le: '2' }, values: [[1, '4.9']] },
      ],
      'H'
    );
    expect(frame.fields[2].values[0]).toBe(0);
  });
});

const episode: Episode = {
  id: 'db-pool-exhaustion',
  severity: 'critical',
  title: 'Database connection pool exhaustion',
  start: 1000,
  end: 5000,
  routes: ['/flow_runs/filter', '/deployments/{id}'],
  evidence: { summary: 'p95 41.2 s on 9 of 11 routes', poolCapacity: 15, p99AtCutOff: false, thresholdName: 'x' },
};

describe('table frames', () => {
  it('lists episodes with their routes and evidence summary', () => {
    const frame = episodesTableFrame([episode], 'I');
    const byName = Object.fromEntries(frame.fields.map((f) => [f.name, f.values[0]]));
    expect(byName).toEqual({
      id: 'db-pool-exhaustion',
      severity: 'critical',
      title: 'Database connection pool exhaustion',
      start: 1000,
      end: 5000,
      routes: ['/flow_runs/filter', '/deployments/{id}'],
      evidence: 'p95 41.2 s on 9 of 11 routes',
      figures: { poolCapacity: 15, p99AtCutOff: false },
    });
    // routes stay a list (a string[] field), and the figures are hidden in Grafana's table panel
    expect(frame.fields.find((f) => f.name === 'routes')?.type).toBe('other');
    expect(frame.fields.find((f) => f.name === 'figures')?.config.custom).toMatchObject({
      hideFrom: { viz: true },
      hidden: true,
    });
  });

  it('gives annotations a named colour per severity, never a raw colour value', () => {
    const frame = annotationsFrame(
      [{ time: 1, timeEnd: 2, title: 't', text: 'x', tags: ['critical'], severity: 'critical' }],
      'A'
    );
    const color = frame.fields.find((f) => f.name === 'color')!.values[0];
    expect(color).toBe(SEVERITY_COLOR.critical);
    expect(color).not.toMatch(/^#|rgb/);
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'timeEnd', 'title', 'text', 'tags', 'color']);
  });
});
