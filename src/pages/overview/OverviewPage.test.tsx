import React from 'react';
import { Observable } from 'rxjs';
import { fireEvent, screen, within } from '@testing-library/react';
import { FieldType, createDataFrame, type DataFrame } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { DATASOURCE_TYPE, OVERVIEW_DASHBOARD_UID, ROUTES_DASHBOARD_UID, TIMELINE_DASHBOARD_UID } from '../../constants';
import { getInsight } from '../../catalog/catalog';
import { fakeDataSource, fakeDataSourceSrv, instanceSettings } from '../../test/mockDataSourceSrv';
import { renderWithRouter } from '../../test/renderWithRouter';
import OverviewPage from './OverviewPage';

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

const NOW = 1_700_086_400_000;

function statusFrame(rows: Array<[string, string, string, number | null]>): DataFrame {
  return createDataFrame({
    refId: 'status',
    fields: [
      { name: 'id', type: FieldType.string, values: rows.map((r) => r[0]) },
      { name: 'title', type: FieldType.string, values: rows.map((r) => getInsight(r[0] as never).title) },
      { name: 'severity', type: FieldType.string, values: rows.map((r) => r[1]) },
      { name: 'status', type: FieldType.string, values: rows.map((r) => r[2]) },
      { name: 'lastSeen', type: FieldType.time, values: rows.map((r) => r[3]) },
    ],
  });
}

function setup(
  answer: DataFrame[] | Error,
  list = [instanceSettings('prefect-uid', 'Prefect', true)],
  path = '/overview'
) {
  const ds = fakeDataSource(answer);
  const srv = fakeDataSourceSrv(list, ds);
  jest.mocked(getDataSourceSrv).mockReturnValue(srv as unknown as ReturnType<typeof getDataSourceSrv>);
  renderWithRouter(<OverviewPage />, [path]);
  return { ds, srv };
}

const firingPool = [
  statusFrame([
    ['stale-statistics', 'warning', 'seen', NOW - 5 * 3600_000],
    ['db-pool-exhaustion', 'critical', 'firing', NOW],
    ['api-outage', 'critical', 'clear', null],
  ]),
];

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});
afterEach(() => jest.restoreAllMocks());

describe('OverviewPage', () => {
  it('asks for a data source of our type when none exists, and scans nothing', () => {
    const { srv, ds } = setup([], []);
    expect(srv.getList).toHaveBeenCalledWith({ type: DATASOURCE_TYPE });
    expect(screen.getByText('No Prefect API insights data source yet')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /add the data source/i })).toHaveAttribute(
      'href',
      `/connections/datasources/${DATASOURCE_TYPE}`
    );
    expect(ds.query).not.toHaveBeenCalled();
  });

  it('shows the loading state until the scan answers', async () => {
    setup(firingPool);
    expect(screen.getByText(/Scanning the range for insights/)).toBeInTheDocument();
    await screen.findByText(/1 firing now/);
    expect(screen.queryByText(/Scanning the range for insights/)).not.toBeInTheDocument();
  });

  it('scans the last 24 hours through the selected data source by default', async () => {
    const { ds, srv } = setup(firingPool);
    await screen.findByText(/1 firing now/);
    expect(srv.get).toHaveBeenCalledWith('prefect-uid');
    const request = ds.query.mock.calls[0][0];
    expect(request.range.to.valueOf()).toBe(NOW);
    expect(request.range.to.valueOf() - request.range.from.valueOf()).toBe(24 * 3600_000);
    expect(request.targets.map((t) => (t as { queryType?: string }).queryType)).toEqual(['insightStatus', 'insights']);
  });

  it('lists firing first, then seen, then clear, and links what fired to its advice and the timeline', async () => {
    setup(firingPool);
    expect(await screen.findByRole('heading', { name: '1 firing now, 1 more seen in the range' })).toBeInTheDocument();
    const items = within(screen.getByRole('list', { name: 'Insight status' })).getAllByRole('listitem');
    const pool = getInsight('db-pool-exhaustion').title;
    const stats = getInsight('stale-statistics').title;
    expect(items[0]).toHaveAccessibleName(`${pool}: Firing now`);
    expect(items[1]).toHaveAccessibleName(`${stats}: Seen in range`);
    expect(items.slice(2).every((i) => /Clear$/.test(i.getAttribute('aria-label') ?? ''))).toBe(true);
    const advice =
      within(items[0])
        .getByRole('link', { name: /advice/i })
        .getAttribute('href') ?? '';
    expect(advice).toMatch(/^\/a\/prefectinsights-api-app\/advice\?insight=db-pool-exhaustion&/);
    expect(advice).toContain('datasource=prefect-uid');
    expect(advice).toContain(`to=${NOW}`);
    expect(
      within(items[0])
        .getByRole('link', { name: /timeline/i })
        .getAttribute('href')
    ).toMatch(new RegExp(`^/d/${TIMELINE_DASHBOARD_UID}\\?from=\\d+&to=${NOW}&var-datasource=prefect-uid$`));
    expect(within(items[5]).queryByRole('link')).not.toBeInTheDocument();
  });

  it('says all clear when nothing was seen', async () => {
    setup([statusFrame([['db-pool-exhaustion', 'critical', 'clear', null]])]);
    expect(await screen.findByRole('heading', { name: 'All clear in this range' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^advice$/i })).not.toBeInTheDocument();
  });

  it('says no data, never all clear, when the range holds no sample of the metric', async () => {
    const noData = 'no data for prefect_server_api_request_duration_seconds in range';
    const frame = statusFrame([
      ['db-pool-exhaustion', 'critical', 'no data', null],
      ['api-outage', 'critical', 'no data', null],
    ]);
    frame.meta = { notices: [{ severity: 'warning', text: noData }] };
    setup([frame]);
    expect(await screen.findByRole('heading', { name: `No data: ${noData}` })).toBeInTheDocument();
    expect(screen.queryByText('All clear in this range')).not.toBeInTheDocument();
    expect(screen.getByText('No data in this range')).toBeInTheDocument();
    const items = within(screen.getByRole('list', { name: 'Insight status' })).getAllByRole('listitem');
    expect(items.filter((i) => /No data$/.test(i.getAttribute('aria-label') ?? ''))).toHaveLength(2);
    expect(items.some((i) => /Clear$/.test(i.getAttribute('aria-label') ?? ''))).toBe(true);
  });

  it("shows Prometheus's warnings and infos, even on an empty answer", async () => {
    const empty = createDataFrame({ refId: 'episodes', fields: [] });
    empty.meta = {
      notices: [
        { severity: 'warning', text: 'partial data: the metrics engine answered without some of its storage nodes' },
        { severity: 'info', text: 'input to histogram_quantile needed to be fixed for monotonicity' },
      ],
    };
    setup([statusFrame([['db-pool-exhaustion', 'critical', 'clear', null]]), empty]);
    expect(await screen.findByText('Prometheus warned about its answers')).toBeInTheDocument();
    expect(screen.getByText(/without some of its storage nodes/)).toBeInTheDocument();
    expect(screen.getByText(/needed to be fixed for monotonicity/)).toBeInTheDocument();
  });

  it('cancels a running scan: the Cancel button unsubscribes, which aborts the requests', async () => {
    let unsubscribed = 0;
    const ds = { query: jest.fn(() => new Observable(() => () => void unsubscribed++)) };
    const srv = fakeDataSourceSrv([instanceSettings('prefect-uid', 'Prefect', true)], ds as never);
    jest.mocked(getDataSourceSrv).mockReturnValue(srv as unknown as ReturnType<typeof getDataSourceSrv>);
    renderWithRouter(<OverviewPage />, ['/overview']);
    fireEvent.click(await screen.findByRole('button', { name: /cancel/i }));
    expect(await screen.findByText('Scan canceled')).toBeInTheDocument();
    expect(unsubscribed).toBe(1);
    expect(screen.queryByText(/Scanning the range for insights/)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /cancel/i })).not.toBeInTheDocument();
  });

  it('shows the error the scan failed with', async () => {
    setup(new Error('Prometheus answered 503'));
    expect(await screen.findByText('The insight scan failed')).toBeInTheDocument();
    expect(screen.getByText('Prometheus answered 503')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Insight status' })).not.toBeInTheDocument();
  });

  it('reads the range from the URL like a dashboard does, and refuses one dateMath cannot read', async () => {
    const { ds } = setup(firingPool, undefined, '/overview?from=now-6h&to=now');
    await screen.findByText(/1 firing now/);
    const request = ds.query.mock.calls[0][0];
    expect(request.range.to.valueOf() - request.range.from.valueOf()).toBe(6 * 3600_000);
  });

  it('refuses a range dateMath cannot read and scans nothing', () => {
    const { ds } = setup(firingPool, undefined, '/overview?from=yesterday-ish&to=now');
    expect(screen.getByText('This time range cannot be read')).toBeInTheDocument();
    expect(ds.query).not.toHaveBeenCalled();
  });

  it('links to the three dashboards with the range and data source, the advice page and the catalogue', async () => {
    setup(firingPool);
    await screen.findByText(/1 firing now/);
    const hrefs = screen.getAllByRole('link').map((a) => a.getAttribute('href') ?? '');
    for (const uid of [OVERVIEW_DASHBOARD_UID, ROUTES_DASHBOARD_UID, TIMELINE_DASHBOARD_UID]) {
      expect(hrefs.some((h) => h.startsWith(`/d/${uid}?`) && h.includes('var-datasource=prefect-uid'))).toBe(true);
    }
    expect(hrefs).toContain('/a/prefectinsights-api-app/advice');
    expect(hrefs).toContain('/a/prefectinsights-api-app/insights');
  });
});
