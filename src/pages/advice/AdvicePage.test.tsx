import React from 'react';
import { Observable } from 'rxjs';
import { fireEvent, screen, within } from '@testing-library/react';
import { FieldType, createDataFrame } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { getInsight } from '../../catalog/catalog';
import { DEFAULT_PREFECT_SETTINGS } from '../../catalog/prefectSettings';
import { logSearchFor } from '../../catalog/logSearches';
import { metricForConvention } from '../../rules/offline';
import { fakeDataSource, fakeDataSourceSrv, instanceSettings } from '../../test/mockDataSourceSrv';
import { renderWithRouter } from '../../test/renderWithRouter';
import AdvicePage from './AdvicePage';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: jest.fn(),
}));

// Combobox measures its option labels on a canvas, which jsdom lacks.
beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => ({
    measureText: (text: string) => ({ width: text.length * 7 }),
    font: '',
  })) as unknown as typeof HTMLCanvasElement.prototype.getContext;
});

const statusFrame = createDataFrame({
  refId: 'status',
  fields: [
    { name: 'id', type: FieldType.string, values: ['db-pool-exhaustion', 'stale-statistics'] },
    { name: 'title', type: FieldType.string, values: ['Pool', 'Stats'] },
    { name: 'severity', type: FieldType.string, values: ['critical', 'warning'] },
    { name: 'status', type: FieldType.string, values: ['seen', 'clear'] },
    { name: 'lastSeen', type: FieldType.time, values: [1_700_000_900_000, null] },
  ],
});

const episodeFrame = createDataFrame({
  refId: 'episodes',
  fields: [
    { name: 'id', type: FieldType.string, values: ['db-pool-exhaustion', 'db-pool-exhaustion'] },
    { name: 'severity', type: FieldType.string, values: ['critical', 'critical'] },
    { name: 'title', type: FieldType.string, values: ['Pool', 'Pool'] },
    { name: 'start', type: FieldType.time, values: [1_700_000_000_000, 1_700_000_600_000] },
    { name: 'end', type: FieldType.time, values: [1_700_000_300_000, 1_700_000_900_000] },
    { name: 'routes', type: FieldType.other, values: [['/flow_runs/filter'], ['/task_runs/count']] },
    { name: 'evidence', type: FieldType.string, values: ['p95 41 s on 9 of 11 routes', 'p99 at pool_timeout 30 s'] },
    { name: 'figures', type: FieldType.other, values: [{ inFlightPeak: 468, poolCapacity: 15 }, {}] },
  ],
});

function setup(list = [instanceSettings('prefect-uid', 'Prefect', true)], answer = [statusFrame, episodeFrame]) {
  const ds = fakeDataSource(answer as never);
  const srv = fakeDataSourceSrv(list, ds);
  jest.mocked(getDataSourceSrv).mockReturnValue(srv as unknown as ReturnType<typeof getDataSourceSrv>);
  return { ds, srv };
}

const parameterCard = (name: string) => screen.getByRole('region', { name });

describe('AdvicePage', () => {
  it('has a Cancel button while the scan runs; it aborts the scan and concludes nothing', async () => {
    let unsubscribed = 0;
    const ds = { query: jest.fn(() => new Observable(() => () => void unsubscribed++)) };
    const srv = fakeDataSourceSrv([instanceSettings('prefect-uid', 'Prefect', true)], ds as never);
    jest.mocked(getDataSourceSrv).mockReturnValue(srv as unknown as ReturnType<typeof getDataSourceSrv>);
    renderWithRouter(<AdvicePage />, ['/advice']);
    fireEvent.click(await screen.findByRole('button', { name: /cancel/i }, { timeout: 5000 }));
    expect(await screen.findByText('Scan canceled')).toBeInTheDocument();
    expect(unsubscribed).toBe(1);
    expect(screen.queryByText(/No insight detected in this range/)).not.toBeInTheDocument();
  });

  it('says no data instead of "no insight detected" or "no evidence" when the range holds no sample', async () => {
    const noData = 'no data for prefect_server_api_request_duration_seconds in range';
    const frame = createDataFrame({
      refId: 'status',
      fields: [
        { name: 'id', type: FieldType.string, values: ['db-pool-exhaustion'] },
        { name: 'title', type: FieldType.string, values: ['Pool'] },
        { name: 'severity', type: FieldType.string, values: ['critical'] },
        { name: 'status', type: FieldType.string, values: ['no data'] },
        { name: 'lastSeen', type: FieldType.time, values: [null] },
      ],
      meta: { notices: [{ severity: 'warning', text: noData }] },
    });
    setup(undefined, [frame] as never);
    renderWithRouter(<AdvicePage />, ['/advice']);
    expect(await screen.findByText('No data in this range', undefined, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByText(/No data for prefect_server_api_request_duration_seconds in range/)).toBeInTheDocument();
    expect(screen.queryByText(/No insight detected in this range/)).not.toBeInTheDocument();
    expect(screen.queryByText('no evidence in range')).not.toBeInTheDocument();
  });

  it('queries insightStatus and insights through the chosen data source', async () => {
    const { ds, srv } = setup();
    renderWithRouter(<AdvicePage />, ['/advice']);
    await screen.findByText(/1 insight detected in this range/, undefined, { timeout: 5000 });
    expect(srv.get).toHaveBeenCalledWith('prefect-uid');
    const request = ds.query.mock.calls[0][0];
    expect(request.targets.map((t) => t.queryType).sort()).toEqual(['insightStatus', 'insights']);
    expect(request.range.to.valueOf() - request.range.from.valueOf()).toBe(24 * 3600_000);
  });

  it('says which parameter detected insights implicate, and which have no evidence', async () => {
    setup();
    renderWithRouter(<AdvicePage />, ['/advice']);
    const pool = await screen.findByRole('region', { name: 'server.database.sqlalchemy.pool_size' }, { timeout: 5000 });
    expect(await within(pool).findByText('implicated by db-pool-exhaustion seen 2×')).toBeInTheDocument();
    expect(
      within(parameterCard('autovacuum_analyze_scale_factor')).getByText('no evidence in range')
    ).toBeInTheDocument();
  });

  it('holds the pool the operator configured against the requests in flight the scan measured', async () => {
    const settings = {
      ...instanceSettings('prefect-uid', 'Prefect', true),
      jsonData: { prefect: { poolSize: 20, maxOverflow: 5 } },
    } as ReturnType<typeof instanceSettings>;
    setup([settings]);
    renderWithRouter(<AdvicePage />, ['/advice']);
    const pool = await screen.findByRole('region', { name: 'server.database.sqlalchemy.pool_size' }, { timeout: 5000 });
    expect(await within(pool).findByText(/≈ 468 requests were in flight/)).toBeInTheDocument();
    expect(within(pool).getByText(/more than your pool of 25 \(pool_size 20 \+ max_overflow 5\)/)).toBeInTheDocument();
    expect(within(pool).getByText('20')).toBeInTheDocument();
    expect(
      within(parameterCard('server.database.sqlalchemy.pool_timeout')).getByText("30 (Prefect's default)")
    ).toBeInTheDocument();
  });

  it('offers the exact change with a copy button for each parameter', async () => {
    setup();
    renderWithRouter(<AdvicePage />, ['/advice']);
    const pool = await screen.findByRole('region', { name: 'server.database.sqlalchemy.pool_size' }, { timeout: 5000 });
    expect(within(pool).getByText('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE=60')).toBeInTheDocument();
    expect(within(pool).getAllByRole('button', { name: /copy/i }).length).toBeGreaterThanOrEqual(2);
    const vacuum = parameterCard('autovacuum_analyze_scale_factor');
    expect(
      within(vacuum).getByText(/ALTER TABLE flow_run SET \(autovacuum_analyze_scale_factor = 0\.02\)/)
    ).toBeInTheDocument();
  });

  it('highlights the insight named in the URL and lists its episodes', async () => {
    setup();
    const title = getInsight('db-pool-exhaustion').title;
    renderWithRouter(<AdvicePage />, ['/advice?insight=db-pool-exhaustion']);
    const card = await screen.findByRole('region', { name: title }, { timeout: 5000 });
    expect(card).toHaveAttribute('aria-current', 'true');
    // Shown before the settings, not at the bottom of the list.
    const settings = screen.getByRole('heading', { name: 'Settings' });
    expect(card.compareDocumentPosition(settings) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getAllByRole('region', { name: title })).toHaveLength(1);
    expect(await within(card).findByText(/p95 41 s on 9 of 11 routes/)).toBeInTheDocument();
    expect(within(card).getByText('seen 2× in range')).toBeInTheDocument();
    const other = screen.getByRole('region', { name: getInsight('api-outage').title });
    expect(other).not.toHaveAttribute('aria-current');
  });

  it('shows the data source error instead of a false "no evidence"', async () => {
    setup(undefined, new Error('Prometheus is unreachable') as never);
    renderWithRouter(<AdvicePage />, ['/advice']);
    expect(await screen.findByText('Prometheus is unreachable', undefined, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.queryByText('no evidence in range')).not.toBeInTheDocument();
  });

  it('asks for a data source when none exists and does not query', () => {
    const { ds } = setup([]);
    renderWithRouter(<AdvicePage />, ['/advice']);
    expect(screen.getByText('No Prefect API insights data source yet')).toBeInTheDocument();
    expect(ds.query).not.toHaveBeenCalled();
  });

  it('uses an absolute range from the URL', async () => {
    const { ds } = setup();
    renderWithRouter(<AdvicePage />, ['/advice?from=1700000000000&to=1700003600000']);
    await screen.findByText(/insight detected/, undefined, { timeout: 5000 });
    const { range } = ds.query.mock.calls[0][0];
    expect([range.from.valueOf(), range.to.valueOf()]).toEqual([1_700_000_000_000, 1_700_003_600_000]);
  });

  it('shows the alerting rules for the data source, generated from its metric and settings', async () => {
    const ds = Object.assign(fakeDataSource([statusFrame, episodeFrame]), {
      settings: { ...DEFAULT_PREFECT_SETTINGS, poolTimeoutSeconds: 45 },
      resolveMetric: jest.fn(async () => metricForConvention('otel-legacy-ms')),
      scrapeInterval: jest.fn(async () => 30),
    });
    const srv = fakeDataSourceSrv([instanceSettings('prefect-uid', 'Prefect', true)], ds);
    jest.mocked(getDataSourceSrv).mockReturnValue(srv as unknown as ReturnType<typeof getDataSourceSrv>);
    renderWithRouter(<AdvicePage />, ['/advice']);
    const section = await screen.findByRole('region', { name: 'Alerting rules' });
    const yaml = await within(section).findByText(/PrefectDbPoolExhaustion/, undefined, { timeout: 5000 });
    expect(yaml.textContent).toContain('http_server_duration_milliseconds_bucket');
    expect(yaml.textContent).toContain('pool_timeout 45 s');
    expect(yaml.textContent).toContain('[1m30s]');
    expect(within(section).getByRole('button', { name: /copy/i })).toBeInTheDocument();
    // The page's own range: the data source caches one resolution, shared with the page's scan.
    const [window] = ds.resolveMetric.mock.calls[0] as unknown as [{ start: number; end: number }];
    expect(Math.round(window.end - window.start)).toBeGreaterThanOrEqual(24 * 3600);
    expect(window.end - window.start).toBeLessThanOrEqual(24 * 3600 + 1);
  });

  it('says why rules cannot be generated when the data source cannot resolve its metric', async () => {
    const ds = Object.assign(fakeDataSource([statusFrame, episodeFrame]), {
      settings: DEFAULT_PREFECT_SETTINGS,
      resolveMetric: jest.fn(async () => {
        throw new Error('No API latency histogram found');
      }),
      scrapeInterval: jest.fn(async () => 15),
    });
    const srv = fakeDataSourceSrv([instanceSettings('prefect-uid', 'Prefect', true)], ds);
    jest.mocked(getDataSourceSrv).mockReturnValue(srv as unknown as ReturnType<typeof getDataSourceSrv>);
    renderWithRouter(<AdvicePage />, ['/advice']);
    const section = await screen.findByRole('region', { name: 'Alerting rules' });
    expect(await within(section).findByText('No API latency histogram found')).toBeInTheDocument();
  });

  it('lists the log searches and links them to Explore over the chosen range when Loki exists', async () => {
    setup([instanceSettings('prefect-uid', 'Prefect', true), instanceSettings('loki-uid', 'Logs', false, 'loki')]);
    renderWithRouter(<AdvicePage />, ['/advice?from=1700000000000&to=1700003600000']);
    const section = await screen.findByRole('region', { name: 'Log searches' });
    const query = logSearchFor('pending-deadlock')!.query;
    expect(within(section).getByText(query)).toBeInTheDocument();
    const links = within(section).getAllByRole('link', { name: /explore/i });
    const pane = (href: string | null) =>
      Object.values(JSON.parse(new URL(href!, 'http://g').searchParams.get('panes')!))[0] as {
        datasource: string;
        range: { from: string; to: string };
      };
    expect(pane(links[0].getAttribute('href')).datasource).toBe('loki-uid');
    expect(pane(links[0].getAttribute('href')).range).toEqual({ from: '1699999700000', to: '1700003900000' });
  });

  it('says that Explore links need a Loki data source when there is none', async () => {
    setup();
    renderWithRouter(<AdvicePage />, ['/advice']);
    const section = await screen.findByRole('region', { name: 'Log searches' });
    expect(within(section).getByText('No Loki data source')).toBeInTheDocument();
    expect(within(section).queryByRole('link', { name: /explore/i })).not.toBeInTheDocument();
  });
});
