import { describeThanosStores, NON_STRICT_ADVICE, parseThanosStores } from './thanosStores';

// The shape Thanos v0.42.4's querier answered here (tests/integration/thanos): store types as keys.
const answer = {
  status: 'success',
  data: {
    sidecar: [
      { name: '127.0.0.1:4001', lastCheck: '2026-12-05T01:00:00Z', lastError: null, labelSets: [] },
      { name: '127.0.0.1:4002', lastCheck: '2026-12-05T01:00:00Z', lastError: null },
    ],
    store: [{ name: '127.0.0.1:4003', lastCheck: '2026-12-05T01:00:05Z', lastError: 'rpc error: connection refused' }],
    rule: null,
  },
};

describe('parseThanosStores', () => {
  it('flattens the store types, keeping each endpoint’s last error', () => {
    expect(parseThanosStores(answer)).toEqual([
      { name: '127.0.0.1:4001', type: 'sidecar', lastError: null, lastCheck: '2026-12-05T01:00:00Z' },
      { name: '127.0.0.1:4002', type: 'sidecar', lastError: null, lastCheck: '2026-12-05T01:00:00Z' },
      {
        name: '127.0.0.1:4003',
        type: 'store',
        lastError: 'rpc error: connection refused',
        lastCheck: '2026-12-05T01:00:05Z',
      },
    ]);
  });

  it('reads a querier that has reached no store yet as Thanos with none', () => {
    expect(parseThanosStores({ status: 'success', data: {} })).toEqual([]);
  });

  it.each([
    ['an error answer', { status: 'error', error: 'not found' }],
    ['a list instead of an object', { status: 'success', data: ['a'] }],
    ['a store without a name', { status: 'success', data: { store: [{ lastError: null }] } }],
    ['a type that is not a list', { status: 'success', data: { store: 'x' } }],
    ['text', '404 page not found'],
    ['null', null],
  ])('is not Thanos: %s', (_what, body) => {
    expect(parseThanosStores(body)).toBeUndefined();
  });
});

describe('describeThanosStores', () => {
  it('counts the stores by type and warns about none when all answer', () => {
    const v = describeThanosStores(parseThanosStores(answer)!.slice(0, 2));
    expect(v.lost).toEqual([]);
    expect(v.text).toBe(
      `Thanos: the querier knows 2 store endpoints (sidecar 2), all answering. ${NON_STRICT_ADVICE}.`
    );
  });

  it('names each store that is not answering, with its error and check time', () => {
    const v = describeThanosStores(parseThanosStores(answer)!);
    expect(v.lost.map((s) => s.name)).toEqual(['127.0.0.1:4003']);
    expect(v.text).toContain('knows 3 store endpoints (sidecar 2, store 1); 1 not answering:');
    expect(v.text).toContain(
      '127.0.0.1:4003 (store): rpc error: connection refused, checked 2026-12-05T01:00:05Z. Answers leave out'
    );
  });

  it('says when the querier has reached no store', () => {
    expect(describeThanosStores([]).text).toMatch(/^Thanos: the querier has reached no store endpoint yet\./);
  });
});
