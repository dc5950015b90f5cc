import React from 'react';
import { Stack, TextLink } from '@grafana/ui';
import { locationUtil } from '@grafana/data';
import { exploreUrl, type LogSearch } from '../catalog/logSearches';
import { CopyableSnippet } from './CopyableSnippet';

interface Props {
  search: LogSearch;
  /** uid of a Loki data source; without one only the query is shown. */
  lokiUid?: string;
  /** The window to open Explore on (unix ms). */
  window: { from: number; to: number };
}

/** One insight's LogQL query, copyable, and an Explore link for the window when Loki is there. */
export function LogSearchBlock({ search, lokiUid, window }: Props) {
  return (
    <Stack direction="column" gap={0.5}>
      <CopyableSnippet label={`LogQL: ${search.signatures.length} error signature(s)`} text={search.query} />
      {lokiUid && (
        <TextLink
          // assureBaseUrl adds Grafana's sub-path, as config.appSubUrl would, without the boot config's API.
          href={locationUtil.assureBaseUrl(
            exploreUrl({ lokiUid, query: search.query, from: window.from, to: window.to })
          )}
          icon="compass"
          inline={false}
        >
          Search the logs in Explore
        </TextLink>
      )}
    </Stack>
  );
}
