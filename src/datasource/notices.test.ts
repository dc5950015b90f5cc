import { toDataFrame } from '@grafana/data';

import { withNotices } from './notices';

describe('withNotices', () => {
  it('puts each warning and info on every frame, keeping notices already there', () => {
    const a = toDataFrame({ refId: 'A', fields: [], meta: { notices: [{ severity: 'info', text: 'kept' }] } });
    const b = toDataFrame({ refId: 'A', fields: [] });
    const out = withNotices([a, b], { warnings: ['partial data'], infos: ['fixed for monotonicity'] }, 'A');
    expect(out[0].meta?.notices).toEqual([
      { severity: 'info', text: 'kept' },
      { severity: 'warning', text: 'partial data' },
      { severity: 'info', text: 'fixed for monotonicity' },
    ]);
    expect(out[1].meta?.notices).toHaveLength(2);
  });

  it('keeps the notices of an empty result on an empty frame of the query', () => {
    const out = withNotices([], { warnings: ['partial data'], noData: 'no data for m in range' }, 'B');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ refId: 'B', length: 0, fields: [] });
    expect(out[0].meta?.notices).toEqual([
      { severity: 'warning', text: 'no data for m in range' },
      { severity: 'warning', text: 'partial data' },
    ]);
  });

  it('leaves frames as they are when the answers were clean', () => {
    const a = toDataFrame({ refId: 'A', fields: [] });
    expect(withNotices([a], { warnings: [], infos: [] }, 'A')[0]).toBe(a);
    expect(withNotices([], { warnings: [] }, 'A')).toEqual([]);
  });
});
