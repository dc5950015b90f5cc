import React from 'react';
import { screen } from '@testing-library/react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { renderWithRouter } from '../../test/renderWithRouter';
import AppConfig from './AppConfig';

describe('AppConfig', () => {
  it('points to the data source, where the settings live', () => {
    const props = { plugin: { meta: {} } } as unknown as PluginConfigPageProps<AppPluginMeta<{}>>;
    renderWithRouter(<AppConfig {...props} />);
    expect(screen.getByText(/settings live in the Prefect API insights data source/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /add a prefect api insights data source/i })).toHaveAttribute(
      'href',
      '/connections/datasources/prefectinsights-api-datasource'
    );
  });
});
