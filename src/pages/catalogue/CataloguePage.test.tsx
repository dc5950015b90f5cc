import React from 'react';
import { renderWithRouter } from '../../test/renderWithRouter';
import { screen, within } from '@testing-library/react';
import { INSIGHTS } from '../../catalog/catalog';
import CataloguePage from './CataloguePage';

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
    expect(within(section).getAllByRole('button', { name: /copy/i })).toHaveLength(pool.commands.length);
    expect(within(section).getByRole('link', { name: /advice for this insight/i })).toHaveAttribute(
      'href',
      '/a/prefectinsights-api-app/advice?insight=db-pool-exhaustion'
    );
  });
});
