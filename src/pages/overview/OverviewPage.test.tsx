import React from 'react';
import { renderWithRouter } from '../../test/renderWithRouter';
import { screen } from '@testing-library/react';
import { getDataSourceSrv } from '@grafana/runtime';
import { DATASOURCE_TYPE, OVERVIEW_DASHBOARD_UID } from '../../constants';
import { fakeDataSourceSrv, instanceSettings } from '../../test/mockDataSourceSrv';
import OverviewPage from './OverviewPage';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: jest.fn(),
}));

const mockSrv = (list: Array<ReturnType<typeof instanceSettings>>) => {
  const srv = fakeDataSourceSrv(list);
  jest.mocked(getDataSourceSrv).mockReturnValue(srv as unknown as ReturnType<typeof getDataSourceSrv>);
  return srv;
};

describe('OverviewPage', () => {
  it('asks for a data source of our type when none exists', () => {
    const srv = mockSrv([]);
    renderWithRouter(<OverviewPage />);
    expect(srv.getList).toHaveBeenCalledWith({ type: DATASOURCE_TYPE });
    expect(screen.getByText('No Prefect API insights data source yet')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /add the data source/i })).toHaveAttribute(
      'href',
      `/connections/datasources/${DATASOURCE_TYPE}`
    );
  });

  it('lists existing data sources instead of the call to action', () => {
    mockSrv([instanceSettings('abc', 'Prefect prod', true)]);
    renderWithRouter(<OverviewPage />);
    expect(screen.queryByText('No Prefect API insights data source yet')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Prefect prod' })).toHaveAttribute(
      'href',
      '/connections/datasources/edit/abc'
    );
  });

  it('links to the bundled dashboard, the advice page and the catalogue', () => {
    mockSrv([]);
    renderWithRouter(<OverviewPage />);
    const hrefs = screen.getAllByRole('link').map((a) => a.getAttribute('href'));
    expect(hrefs).toContain(`/d/${OVERVIEW_DASHBOARD_UID}`);
    expect(hrefs).toContain('/a/prefectinsights-api-app/advice');
    expect(hrefs).toContain('/a/prefectinsights-api-app/insights');
  });
});
