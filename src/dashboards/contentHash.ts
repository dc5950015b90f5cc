// What a dashboard's revision stands for: the hash of its content without the revision itself. Used by the
// dashboard test and tools/revise-dashboards.ts (Node only; the plugin bundle never imports it).
import { createHash } from 'node:crypto';

export interface RevisionEntry {
  revision: number;
  sha256: string;
}

/** The file's JSON, parsed and written back without `revision`, so reformatting alone changes nothing. */
export function dashboardContentHash(text: string): string {
  const { revision: _revision, ...content } = JSON.parse(text) as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}
