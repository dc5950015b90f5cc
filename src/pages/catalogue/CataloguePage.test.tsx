import React from 'react';
import { renderWithRouter } from '../../test/renderWithRouter';
import { screen, within } from '@testing-library/react';
import { getDataSourceSrv } from '@grafana/runtime';
import { INSIGHTS } from '../../catalog/catalog';
import { logSearchFor } from '../../catalog/logSearches';
import { fakeDataSourceSrv, instanceSettings } from '../../test/mockDataSourceSrv';
import CataloguePage from './CataloguePage';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: jest.fn(),
}));

function withDataSources(list = [instanceSettings('prefect-uid', 'Prefect', true)]) {
  jest
    .mocked(getDataSourceSrv)
    .mockReturnValue(fakeDataSourceSrv(list) as unknown as ReturnType<typeof getDataSourceSrv>);
}

beforeEach(() => withDataSources());

describe('CataloguePage', () => {
  it('shows every insight of the catalog with its severity', () => {
    renderWithRouter(<CataloguePage />);
    for (const insight of INSIGHTS) {
      const section = screen.getByRole('region', { name: insight.title });
      expect(within(section).getByText(insight.severity)).toBeInTheDocument();
      expect(within(section).getByText(insight.id)).toBeInTheDocument();
    }
  });

  it('marks which insights are detectable and which are catalogue only', () => {
    renderWithRouter(<CataloguePage />);
    const detectable = INSIGHTS.filter((i) => i.detectable).length;
    expect(screen.getAllByText('detected from the metric')).toHaveLength(detectable);
    expect(screen.getAllByText(/catalogue only/)).toHaveLength(INSIGHTS.length - detectable);
  });

  it('shows an insight’s error signatures, parameters and a copy button per command', () => {
    renderWithRouter(<CataloguePage />);
    const pool = INSIGHTS.find((i) => i.id === 'db-pool-exhaustion')!;
    const section = screen.getByRole('region', { name: pool.title });
    for (const p of pool.parameters) {
      expect(within(section).getByText(p)).toBeInTheDocument();
    }
    for (const s of pool.errorSignatures) {
      expect(within(section).getByText(s)).toBeInTheDocument();
    }
    // One per command, and one for the insight's log search.
    expect(within(section).getAllByRole('button', { name: /copy/i })).toHaveLength(pool.commands.length + 1);
    expect(within(section).getByRole('link', { name: /advice for this insight/i })).toHaveAttribute(
      'href',
      '/a/prefectinsights-api-app/advice?insight=db-pool-exhaustion'
    );
  });

  it('shows each insight its LogQL query, and an Explore link only when a Loki data source exists', () => {
    renderWithRouter(<CataloguePage />);
    const agent = INSIGHTS.find((i) => i.id === 'http2-agent-stop')!;
    const section = screen.getByRole('region', { name: agent.title });
    expect(within(section).getByText(logSearchFor('http2-agent-stop')!.query)).toBeInTheDocument();
    expect(within(section).queryByRole('link', { name: /explore/i })).not.toBeInTheDocument();
  });

  it('links the log search to Explore on the Loki data source', () => {
    withDataSources([
      instanceSettings('prefect-uid', 'Prefect', true),
      instanceSettings('loki-uid', 'Logs', false, 'loki'),
    ]);
    renderWithRouter(<CataloguePage />);
    const agent = INSIGHTS.find((i) => i.id === 'http2-agent-stop')!;
    const section = screen.getByRole('region', { name: agent.title });
    const href = within(section)
      .getByRole('link', { name: /explore/i })
      .getAttribute('href')!;
    const panes = JSON.parse(new URL(href, 'http://g').searchParams.get('panes')!);
    const pane = Object.values(panes)[0] as { datasource: string; queries: Array<{ expr: string }> };
    expect(pane.datasource).toBe('loki-uid');
    expect(pane.queries[0].expr).toBe(logSearchFor('http2-agent-stop')!.query);
  });
});
