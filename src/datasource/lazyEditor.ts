// Editors render on demand behind Suspense. The nested data source's entry is built with asyncChunks: false
// (webpack.config.ts), so in dist/datasource/module.js they are bundled in, not fetched as separate chunks.
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
