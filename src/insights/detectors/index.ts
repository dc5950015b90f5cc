// Every detector the engine runs. Each knows only its own insight; overlaps are settled by suppressExplained.
import type { Detector } from '../types';
import { apiOutage } from './api-outage';
import { apiOverloadHttp500 } from './api-overload-http-500';
import { dbPoolExhaustion } from './db-pool-exhaustion';
import { http2AgentStop } from './http2-agent-stop';
import { pendingDeadlock } from './pending-deadlock';
import { readWorkPoolHang } from './read-work-pool-hang';
import { runsPageSlow } from './runs-page-slow';
import { staleStatistics } from './stale-statistics';
import { taskRunsCountTimeout } from './task-runs-count-timeout';

export const DETECTORS: Detector[] = [
  dbPoolExhaustion,
  taskRunsCountTimeout,
  runsPageSlow,
  apiOverloadHttp500,
  http2AgentStop,
  pendingDeadlock,
  apiOutage,
  readWorkPoolHang,
  staleStatistics,
];
