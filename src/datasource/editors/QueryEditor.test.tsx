import React from 'react';
import { fireEvent, render, renderHook, screen, waitFor } from '@testing-library/react';
import { setTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import type { DataSource } from '../datasource';
import type { PrefectQuery } from '../types';
import { AnnotationEditor } from './AnnotationEditor';
import { useLabelValueOptions } from './LabelValuesPicker';
import { parseQuantiles, QueryEditor } from './QueryEditor';

// Combobox measures its text on a canvas, and its menu watches scrolling with an IntersectionObserver; jsdom has
// neither.
beforeAll(() => {
  window.IntersectionObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
  HTMLCanvasElement.prototype.getContext = (() => ({
    measureText: (text: string) => ({ width: text.length * 8 }),
    font: '',
  })) as unknown as typeof HTMLCanvasElement.prototype.getContext;
});

const ds = {} as DataSource;

describe('parseQuantiles', () => {
  it('reads fractions, percentiles and p-notation', () => {
    expect(parseQuantiles('0.5, 90 p99 p99.9')).toEqual({ quantiles: [0.5, 0.9, 0.99, 0.999] });
  });
  it('refuses values outside (0, 1)', () => {
    expect(parseQuantiles('0')).toHaveProperty('error');
    expect(parseQuantiles('abc')).toHaveProperty('error');
    expect(parseQuantiles('')).toHaveProperty('error');
  });
});

describe('QueryEditor element ids', () => {
  it('are unique per query, so two queries of one panel never share a label target', () => {
    const { container } = render(
      <>
        {(['A', 'B'] as const).map((refId) => (
          <QueryEditor
            key={refId}
            datasource={ds}
            query={{ refId, queryType: 'quantile', groupBy: ['route'] }}
            onChange={jest.fn()}
            onRunQuery={jest.fn()}
          />
        ))}
        <QueryEditor
          datasource={ds}
          query={{ refId: 'C', queryType: 'insights' }}
          onChange={jest.fn()}
          onRunQuery={jest.fn()}
        />
        <QueryEditor
          datasource={ds}
          query={{ refId: 'D', queryType: 'insights' }}
          onChange={jest.fn()}
          onRunQuery={jest.fn()}
        />
      </>
    );
    const ids = Array.from(container.querySelectorAll('[id]')).map((e) => e.id);
    expect(ids.filter((i) => i.startsWith('prefect-')).length).toBeGreaterThan(8);
    expect(ids.filter((i, n) => ids.indexOf(i) !== n)).toEqual([]);
    for (const label of Array.from(container.querySelectorAll('label[for]'))) {
      expect(container.querySelectorAll(`[id="${label.getAttribute('for')}"]`)).toHaveLength(1);
    }
  });
});

describe('route, method and status pickers', () => {
  beforeAll(() => {
    setTemplateSrv({ getVariables: () => [{ name: 'route' }, { name: 'status' }] } as unknown as TemplateSrv);
  });

  const VALUES: Record<string, string[]> = {
    'routes()': ['/flow_runs/filter', '/task_runs/count'],
    'methods()': ['GET', 'POST'],
    'statuses()': ['200', '500'],
  };
  const withValues = () => ({
    metricFindQuery: jest.fn(async (q: string) => VALUES[q].map((v) => ({ text: v, value: v }))),
  });

  it("ask the data source for each label's values, once per picker", () => {
    const datasource = withValues();
    const query: PrefectQuery = { refId: 'A', queryType: 'rate' };
    render(
      <QueryEditor
        datasource={datasource as unknown as DataSource}
        query={query}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
      />
    );
    expect(datasource.metricFindQuery.mock.calls.map((c) => c[0]).sort()).toEqual([
      'methods()',
      'routes()',
      'statuses()',
    ]);
  });

  it("offer the data source's label values, then the dashboard variables", async () => {
    const { result } = renderHook(() => useLabelValueOptions(withValues(), 'route'));
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.options).toEqual(['/flow_runs/filter', '/task_runs/count', '$route', '$status']);
  });

  it('still offer the variables when the values cannot be read (no Prometheus yet, metric not found)', async () => {
    const failing = { metricFindQuery: jest.fn(async () => Promise.reject(new Error('metric not found'))) };
    const { result } = renderHook(() => useLabelValueOptions(failing, 'status'));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.options).toEqual(['$route', '$status']);
  });
});

describe('QueryEditor', () => {
  it('changes the quantiles on blur and runs the query', () => {
    const onChange = jest.fn();
    const onRunQuery = jest.fn();
    const query: PrefectQuery = { refId: 'A', queryType: 'quantile', quantiles: [0.95] };
    render(<QueryEditor datasource={ds} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
    const input = screen.getByLabelText('Quantiles');
    expect(input).toHaveValue('0.95');
    fireEvent.change(input, { target: { value: '0.5, p99' } });
    fireEvent.blur(input);
    expect(onChange).toHaveBeenCalledWith({ ...query, quantiles: [0.5, 0.99] });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('shows an error for a bad quantile and does not change the query', () => {
    const onChange = jest.fn();
    render(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', queryType: 'quantile' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    const input = screen.getByLabelText('Quantiles');
    fireEvent.change(input, { target: { value: '1.5x' } });
    fireEvent.blur(input);
    expect(screen.getByText(/is not a quantile/)).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('shows the threshold for slowShare and stores it in seconds', () => {
    const onChange = jest.fn();
    render(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', queryType: 'slowShare' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    expect(screen.queryByLabelText('Quantiles')).not.toBeInTheDocument();
    const input = screen.getByLabelText('Threshold seconds');
    fireEvent.change(input, { target: { value: '2.5' } });
    fireEvent.blur(input);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'slowShare', thresholdSeconds: 2.5 });
  });

  it('shows top N for topSlowRoutes', () => {
    const onChange = jest.fn();
    render(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', queryType: 'topSlowRoutes' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    const input = screen.getByLabelText('Top N');
    fireEvent.change(input, { target: { value: '3' } });
    fireEvent.blur(input);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'topSlowRoutes', topN: 3 });
  });

  it('renders route filters as given, variables included, never as markup', () => {
    render(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', queryType: 'rate', routes: ['<b>x</b>', '$route'], statuses: ['$status'] }}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
      />
    );
    // The picker shows the first pill in jsdom (it measures what fits); the variable shows in the statuses picker.
    expect(screen.getByText('<b>x</b>')).toBeInTheDocument();
    expect(screen.getByText('$status')).toBeInTheDocument();
    expect(document.querySelector('b')).toBeNull();
  });
});

describe('AnnotationEditor', () => {
  it('edits the annotation target and keeps it an insights annotation query', () => {
    const onChange = jest.fn();
    render(<AnnotationEditor datasource={ds} query={{ refId: 'Anno' }} onChange={onChange} onRunQuery={jest.fn()} />);
    expect(screen.getByText(/becomes a shaded region/)).toBeInTheDocument();
    const max = screen.getByLabelText('Max regions');
    fireEvent.change(max, { target: { value: '25' } });
    fireEvent.blur(max);
    expect(onChange).toHaveBeenCalledWith(
      expect.objectContaining({ refId: 'Anno', queryType: 'insights', format: 'annotations', maxAnnotations: 25 })
    );
  });
});

describe('slow share at the client timeout', () => {
  it('switches the threshold to the data source setting and hides the fixed one', () => {
    const onChange = jest.fn();
    const { rerender } = render(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', queryType: 'slowShare' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    fireEvent.click(screen.getByLabelText('At client timeout'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'slowShare', thresholdFrom: 'clientTimeout' });
    rerender(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', queryType: 'slowShare', thresholdFrom: 'clientTimeout' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    expect(screen.queryByLabelText('Threshold seconds')).not.toBeInTheDocument();
  });
});
