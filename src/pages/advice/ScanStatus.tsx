// What the overview and advice pages say about a scan besides its findings: that it runs (with a way to stop it),
// that it was stopped, that the range holds no data, and what Prometheus warned about on the way.
import React from 'react';
import { Alert, Button, LoadingPlaceholder, Stack } from '@grafana/ui';
import type { InsightScan } from './useInsightScan';

export function ScanStatus({ scan }: { scan: InsightScan }) {
  const warnings = scan.warnings ?? [];
  const infos = scan.infos ?? [];
  return (
    <>
      {scan.loading && (
        <Stack direction="row" gap={2} alignItems="center">
          <LoadingPlaceholder text="Scanning the range for insights…" />
          <Button variant="secondary" icon="times" onClick={scan.cancel}>
            Cancel
          </Button>
        </Stack>
      )}
      {scan.canceled && (
        <Alert severity="info" title="Scan canceled">
          Nothing was concluded about this range. Run it again to scan.
        </Alert>
      )}
      {scan.noData && (
        <Alert severity="warning" title="No data in this range">
          {`${scan.noData[0].toUpperCase()}${scan.noData.slice(1)}: no insight can be judged, so none is reported as clear. Check the range, or the data source's metric and selector with Save & test.`}
        </Alert>
      )}
      {warnings.length + infos.length > 0 && (
        <Alert
          severity={warnings.length > 0 ? 'warning' : 'info'}
          title={warnings.length > 0 ? 'Prometheus warned about its answers' : 'Prometheus added notes to its answers'}
        >
          <ul>
            {[...warnings, ...infos].map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        </Alert>
      )}
    </>
  );
}
