// One line saying what a scan read, for the evidence of every episode, the CLI and the JSON.
import { formatResolution } from '../../prometheus/recorded';
import type { ScanSource } from './types';

/**
 * `read from recording rules at 5-minute resolution, quantiles as recorded` / `… quantiles computed from the recorded
 * buckets (…)` / `read from the raw histogram at 15-second resolution (…)` / `… at 5-minute resolution, from Thanos's
 * 5-minute downsampled blocks where they exist (10-minute rate windows) (…)`.
 */
export function describeSource(s: ScanSource): string {
  const at = `at ${formatResolution(s.resolutionSeconds)} resolution`;
  if (s.source === 'recording-rules') {
    const every = s.recordedIntervalSeconds ?? s.resolutionSeconds;
    const rules =
      every === s.resolutionSeconds
        ? `read from recording rules ${at}`
        : `read from recording rules (a ${formatResolution(every)} rule interval) ${at}`;
    if (s.recordedQuantiles === undefined) {
      return rules;
    }
    return s.recordedQuantiles
      ? `${rules}, quantiles as recorded`
      : `${rules}, quantiles computed from the recorded buckets${s.sourceNote ? ` (${s.sourceNote})` : ''}`;
  }
  // A downsampled read is said on every episode: a short spike is flattened there, not absent (issue's rule for a
  // coarser read).
  const thanos =
    s.downsampledSeconds === undefined
      ? ''
      : `, from Thanos's ${formatResolution(s.downsampledSeconds)} downsampled blocks where they exist` +
        (s.rateWindowSeconds === undefined ? '' : ` (${formatResolution(s.rateWindowSeconds)} rate windows)`);
  return `read from the raw histogram ${at}${thanos}${s.sourceNote ? ` (${s.sourceNote})` : ''}`;
}
