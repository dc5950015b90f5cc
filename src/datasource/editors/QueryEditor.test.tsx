import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSource } from '../datasource';
import type { PrefectQuery } from '../types';
import { AnnotationEditor } from './AnnotationEditor';
import { parseQuantiles, QueryEditor } from './QueryEditor';

// Combobox measures its text on a canvas; jsdom has none (the scaffold's setup returns undefined).
beforeAll(() => {
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
        query={{ refId: 'A', queryType: 'rate', routes: ['$route', '<b>x</b>'] }}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
      />
    );
    expect(screen.getByText('$route')).toBeInTheDocument();
    expect(screen.getByText('<b>x</b>')).toBeInTheDocument();
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
