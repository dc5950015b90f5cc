// One line saying what a scan read, for the evidence of every episode, the CLI and the JSON.
import { formatResolution } from '../../prometheus/recorded';
import type { ScanSource } from './types';

/** `read from recording rules at 5-minute resolution` / `read from the raw histogram at 15-second resolution (…)`. */
export function describeSource(s: ScanSource): string {
  const at = `at ${formatResolution(s.resolutionSeconds)} resolution`;
  if (s.source === 'recording-rules') {
    const every = s.recordedIntervalSeconds ?? s.resolutionSeconds;
    return every === s.resolutionSeconds
      ? `read from recording rules ${at}`
      : `read from recording rules (a ${formatResolution(every)} rule interval) ${at}`;
  }
  return `read from the raw histogram ${at}${s.sourceNote ? ` (${s.sourceNote})` : ''}`;
}
