import React from 'react';
import { screen } from '@testing-library/react';
import { getDataSourceSrv } from '@grafana/runtime';
import type { AppRootProps } from '@grafana/data';
import { fakeDataSourceSrv } from '../../test/mockDataSourceSrv';
import { renderWithRouter } from '../../test/renderWithRouter';
import App from './App';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: jest.fn(),
}));

const props = {} as AppRootProps;

// Pages are lazy chunks: findBy waits for them (a generous timeout for busy CI machines, no fixed sleep).
const LAZY = { timeout: 10_000 };

describe('App routes', () => {
  beforeEach(() => {
    jest
      .mocked(getDataSourceSrv)
      .mockReturnValue(fakeDataSourceSrv([]) as unknown as ReturnType<typeof getDataSourceSrv>);
  });

  it('opens the overview for an unknown path', async () => {
    renderWithRouter(<App {...props} />, ['/somewhere']);
    expect(await screen.findByText(/detectable insights/, undefined, LAZY)).toBeInTheDocument();
    expect(screen.getByText('No Prefect API insights data source yet')).toBeInTheDocument();
  });

  it('routes /insights to the catalogue', async () => {
    renderWithRouter(<App {...props} />, ['/insights']);
    expect(
      await screen.findByText(/detected from the Prefect API latency metric/, undefined, LAZY)
    ).toBeInTheDocument();
  });

  it('routes /advice to the advice page', async () => {
    renderWithRouter(<App {...props} />, ['/advice']);
    expect(await screen.findByRole('heading', { name: 'Settings' }, LAZY)).toBeInTheDocument();
  });
});
