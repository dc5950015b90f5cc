import React from 'react';
import { Alert, Stack, Text } from '@grafana/ui';
import { logSearches } from '../../catalog/logSearches';
import { LogSearchBlock } from '../../components/LogSearchBlock';
import { useLokiDataSources } from '../../components/useLokiDataSources';

/** The catalog's error signatures as log searches, grouped by insight, with Explore links for the chosen range. */
export function LogSearchesSection({ window }: { window: { from: number; to: number } }) {
  const loki = useLokiDataSources()[0];
  return (
    <section aria-labelledby="log-searches-title">
      <Stack direction="column" gap={2}>
        <Text element="h2" id="log-searches-title">
          Log searches
        </Text>
        {loki ? (
          <Text element="p" color="secondary">
            Explore links open Loki data source {loki.name} over the chosen range. The stream selector assumes
            Loki&apos;s service_name label; change it to where your Prefect server logs go.
          </Text>
        ) : (
          <Alert severity="info" title="No Loki data source">
            Add a Loki data source to open these searches in Explore; the queries work in any LogQL client.
          </Alert>
        )}
        {logSearches().map((s) => (
          <Stack key={s.insightId} direction="column" gap={0.5}>
            <Text element="h3" variant="h5">
              {s.title}
            </Text>
            <LogSearchBlock search={s} lokiUid={loki?.uid} window={window} />
          </Stack>
        ))}
      </Stack>
    </section>
  );
}
