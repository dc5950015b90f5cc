// Editors are loaded on demand so the data source module that every dashboard loads stays small.
import { createElement, lazy, Suspense, type ComponentType } from 'react';
import { LoadingPlaceholder } from '@grafana/ui';

export function lazyEditor<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): ComponentType<P> {
  const Lazy = lazy(load);
  function LazyEditor(props: P) {
    return createElement(
      Suspense,
      { fallback: createElement(LoadingPlaceholder, { text: 'Loading editor…' }) },
      createElement(Lazy as unknown as ComponentType<P>, props)
    );
  }
  return LazyEditor;
}
