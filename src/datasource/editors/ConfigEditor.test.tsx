import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSourceInstanceSettings, DataSourceSettings } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';
import type { PrefectDataSourceOptions } from '../types';
import { ConfigEditor } from './ConfigEditor';

// Combobox measures its text on a canvas; jsdom has none (the scaffold's setup returns undefined).
beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => ({
    measureText: (text: string) => ({ width: text.length * 8 }),
    font: '',
  })) as unknown as typeof HTMLCanvasElement.prototype.getContext;
});

const prometheus = {
  uid: 'prom-uid',
  name: 'Prometheus',
  type: 'prometheus',
  meta: { id: 'prometheus', info: { logos: { small: '' } }, metrics: true },
} as unknown as DataSourceInstanceSettings;

beforeAll(() => {
  setDataSourceSrv({
    getList: () => [prometheus],
    getInstanceSettings: (ref: unknown) =>
      ref === 'prom-uid' || (ref as { uid?: string } | null)?.uid === 'prom-uid' ? prometheus : undefined,
    get: () => Promise.reject(new Error('not needed')),
    reload: () => {},
    registerRuntimeDataSource: () => {},
  } as unknown as DataSourceSrv);
});

function options(jsonData: PrefectDataSourceOptions = {}): DataSourceSettings<PrefectDataSourceOptions> {
  return {
    id: 1,
    uid: 'ds',
    name: 'Prefect',
    type: 'prefectinsights-api-datasource',
    jsonData,
  } as DataSourceSettings<PrefectDataSourceOptions>;
}

describe('ConfigEditor', () => {
  it('shows Prefect defaults as placeholders and stores a changed setting as a number', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={options({ prometheusUid: 'prom-uid' })} onOptionsChange={onOptionsChange} />);
    const poolTimeout = screen.getByLabelText('Pool timeout');
    expect(poolTimeout).toHaveAttribute('placeholder', '30');
    expect(screen.getByLabelText('Pool size')).toHaveAttribute('placeholder', '5');
    fireEvent.change(poolTimeout, { target: { value: '45' } });
    const saved = onOptionsChange.mock.calls[0][0] as DataSourceSettings<PrefectDataSourceOptions>;
    expect(saved.jsonData.prefect?.poolTimeoutSeconds).toBe(45);
    expect(saved.jsonData.prometheusUid).toBe('prom-uid');
  });

  it('asks for a Prometheus data source when none is chosen', () => {
    render(<ConfigEditor options={options()} onOptionsChange={jest.fn()} />);
    expect(screen.getByText('Choose a Prometheus data source')).toBeInTheDocument();
  });

  it('explains an invalid selector and an invalid label name', () => {
    render(
      <ConfigEditor
        options={options({
          prometheusUid: 'prom-uid',
          overrides: { selector: 'service_name=prefect', routeLabel: '9route' },
        })}
        onOptionsChange={jest.fn()}
      />
    );
    expect(screen.getByText(/Invalid selector at character/)).toBeInTheDocument();
    expect(screen.getByText(/Not a Prometheus label name/)).toBeInTheDocument();
  });

  it('clears an override when its field is emptied, so the metric is detected again', () => {
    const onOptionsChange = jest.fn();
    render(
      <ConfigEditor
        options={options({ prometheusUid: 'prom-uid', overrides: { metric: 'my_metric' } })}
        onOptionsChange={onOptionsChange}
      />
    );
    fireEvent.change(screen.getByLabelText('Metric name'), { target: { value: '' } });
    const saved = onOptionsChange.mock.calls[0][0] as DataSourceSettings<PrefectDataSourceOptions>;
    expect(saved.jsonData.overrides?.metric).toBeUndefined();
  });

  it("turns Thanos's downsampled reads on and off, off by default", () => {
    const onOptionsChange = jest.fn();
    const { unmount } = render(
      <ConfigEditor options={options({ prometheusUid: 'prom-uid' })} onOptionsChange={onOptionsChange} />
    );
    const toggle = screen.getByLabelText('Thanos downsampling') as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    fireEvent.click(toggle);
    const on = onOptionsChange.mock.calls[0][0] as DataSourceSettings<PrefectDataSourceOptions>;
    expect(on.jsonData.thanosDownsampling).toBe(true);
    expect(on.jsonData.prometheusUid).toBe('prom-uid');
    unmount();
    const again = jest.fn();
    render(<ConfigEditor options={options({ thanosDownsampling: true })} onOptionsChange={again} />);
    const checked = screen.getByLabelText('Thanos downsampling') as HTMLInputElement;
    expect(checked.checked).toBe(true);
    fireEvent.click(checked);
    expect((again.mock.calls[0][0] as DataSourceSettings<PrefectDataSourceOptions>).jsonData.thanosDownsampling).toBe(
      undefined
    );
  });
});
