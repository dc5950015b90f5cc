import { useId } from 'react';

/** A suffix unique to one editor instance: two queries of a panel (or two panels) never share an element id. */
export function useEditorIdSuffix(): string {
  return useId().replace(/[^a-zA-Z0-9_-]/g, '');
}

/** The element id of one field of an editor instance. */
export function editorId(name: string, suffix: string): string {
  return `prefect-${name}-${suffix}`;
}
