// The insight engine's public surface: `scan` runs every detector over one fixed set of Prometheus queries.
import { DETECTORS } from '../detectors';
import { runScan } from './scan';
import type { ScanOptions, ScanResult } from './types';

export type { ScanOptions, ScanResult } from './types';
export { runScan, LOOKBACK_SECONDS } from './scan';
export { noDataMessage } from './noData';

export function scan(opts: ScanOptions): Promise<ScanResult> {
  return runScan(opts, DETECTORS);
}
