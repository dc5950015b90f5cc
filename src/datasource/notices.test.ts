import { toDataFrame } from '@grafana/data';

import { withWarnings } from './notices';

describe('withWarnings', () => {
  it('puts each warning on every frame as a warning notice, keeping notices already there', () => {
    const a = toDataFrame({ refId: 'A', fields: [], meta: { notices: [{ severity: 'info', text: 'kept' }] } });
    const b = toDataFrame({ refId: 'A', fields: [] });
    const out = withWarnings([a, b], ['partial data']);
    expect(out[0].meta?.notices).toEqual([
      { severity: 'info', text: 'kept' },
      { severity: 'warning', text: 'partial data' },
    ]);
    expect(out[1].meta?.notices).toEqual([{ severity: 'warning', text: 'partial data' }]);
  });

  it('leaves frames as they are when the answers were clean', () => {
    const a = toDataFrame({ refId: 'A', fields: [] });
    expect(withWarnings([a], [])[0]).toBe(a);
  });
});
