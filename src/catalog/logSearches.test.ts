import fc from 'fast-check';
import { ERROR_SIGNATURES } from './seedData';
import { INSIGHTS } from './catalog';
import {
  anyLineFilter,
  DEFAULT_LOG_STREAM_SELECTOR,
  exploreUrl,
  lineFilter,
  logSearches,
  logSearchFor,
  logSearchText,
} from './logSearches';

/** LogQL strings are Go string literals; for the escapes escapeExact writes, JSON decodes them the same way. */
function decodeString(literal: string): string {
  return JSON.parse(literal);
}

const filterValue = (filter: string) => decodeString(filter.replace(/^\|[=~] /, ''));

describe('log searches', () => {
  it('covers every one of the 13 error signatures, grouped by the insights that list them', () => {
    const searches = logSearches();
    const covered = new Set(searches.flatMap((s) => s.signatures.map((x) => x.text)));
    expect(ERROR_SIGNATURES).toHaveLength(13);
    expect([...covered].sort()).toEqual(ERROR_SIGNATURES.map((s) => s.text).sort());
    for (const s of searches) {
      const insight = INSIGHTS.find((i) => i.id === s.insightId)!;
      expect(s.signatures.map((x) => x.text)).toEqual(insight.errorSignatures);
      expect(s.query.startsWith(DEFAULT_LOG_STREAM_SELECTOR + ' ')).toBe(true);
    }
    expect(logSearchFor('stale-statistics')).toBeUndefined();
  });

  it('matches a signature exactly: the line filter decodes to the text itself', () => {
    const s = logSearchFor('pending-deadlock')!;
    expect(s.signatures[0].query).toBe(
      '{service_name=~".*prefect.*"} |= "Server sent an abort signal: This run is in a PENDING state and cannot transition to a PENDING state"'
    );
    expect(lineFilter('ConnectionResetError: [Errno 104] "x" \\ y')).toBe(
      String.raw`|= "ConnectionResetError: [Errno 104] \"x\" \\ y"`
    );
  });

  it('joins several signatures in one regex that matches each literally and nothing else', () => {
    const texts = ['ConnectionResetError: [Errno 104] Connection reset by peer', 'httpx.ReadError', 'Agent stopped!'];
    const regex = new RegExp(filterValue(anyLineFilter(texts)));
    for (const t of texts) {
      expect(regex.test(`12:00 ERROR ${t} (retrying)`)).toBe(true);
    }
    expect(regex.test('httpxXReadError')).toBe(false);
    expect(regex.test('ConnectionResetError: E Connection reset by peer')).toBe(false);
  });

  it('escapes any text so that it decodes back and, as a regex, matches only itself', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }),
        (texts) => {
          expect(filterValue(lineFilter(texts[0]))).toBe(texts[0]);
          const filter = anyLineFilter(texts);
          expect(filter).not.toMatch(/[\n\r]/);
          if (texts.length > 1) {
            const regex = new RegExp(`^(?:${filterValue(filter)})$`, 'u');
            for (const t of texts) {
              expect(regex.test(t)).toBe(true);
            }
          }
        }
      ),
      { numRuns: 300 }
    );
  });
});

describe('exploreUrl', () => {
  it("writes Grafana's schema 1 with a loki query and the padded episode window as epoch-ms strings", () => {
    const url = exploreUrl({
      lokiUid: 'loki-1',
      query: '{a="b"} |= "x&y"',
      from: 1_000_000,
      to: 2_000_000,
      padMs: 60_000,
    });
    const parsed = new URL(url, 'http://grafana.local');
    expect(parsed.pathname).toBe('/explore');
    expect(parsed.searchParams.get('schemaVersion')).toBe('1');
    const panes = JSON.parse(parsed.searchParams.get('panes')!);
    const [id] = Object.keys(panes);
    expect(id).toMatch(/^(?=.*[a-z])[a-z0-9]{3}$/);
    expect(panes[id]).toEqual({
      datasource: 'loki-1',
      queries: [
        { refId: 'A', expr: '{a="b"} |= "x&y"', queryType: 'range', datasource: { type: 'loki', uid: 'loki-1' } },
      ],
      range: { from: '940000', to: '2060000' },
    });
  });

  it('keeps Grafana sub-paths', () => {
    expect(exploreUrl({ lokiUid: 'l', query: 'q', from: 0, to: 1, appSubUrl: '/grafana/' })).toMatch(
      /^\/grafana\/explore\?/
    );
  });
});

describe('logSearchText', () => {
  it('gives the query and, with a Loki uid, the Explore link for the episode', () => {
    expect(logSearchText('http2-agent-stop', { start: 0, end: 1 })).toMatch(/^Log search \(LogQL\): \{service_name/);
    expect(logSearchText('http2-agent-stop', { start: 0, end: 1 }, 'lk')).toMatch(
      /\nExplore: \/explore\?schemaVersion=1&panes=/
    );
    expect(logSearchText('stale-statistics', { start: 0, end: 1 }, 'lk')).toBe('');
  });
});
