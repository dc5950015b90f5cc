// Real Prometheus with simulated Prefect traffic, via the shared test harness and simulator (other owners).
import type { SetupState } from './state';

export interface SimulatedPrometheus {
  url: string;
  data: NonNullable<SetupState['data']>;
  stop(): Promise<void>;
}

export async function startSimulatedPrometheus(_dir: string): Promise<SimulatedPrometheus> {
  throw new Error(
    'waiting on tests/harness/prometheus.ts (startPrometheus) and tools/simulator (toOpenMetrics, buildTimeline)'
  );
}
