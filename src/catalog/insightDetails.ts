// Editorial links from each insight to the catalog items an operator needs during that incident.
// The seed lists the items but not which insight uses which; these links are ours, checked by catalog.test.ts
// (every link resolves, every seed item is used by at least one insight).
import type { InsightId } from './types';

interface InsightDetail {
  detectable: boolean;
  signature: string;
  parameters: string[];
  errorSignatures: string[];
  commands: string[];
  references: string[];
}

const POOL_SIZE = 'server.database.sqlalchemy.pool_size';
const MAX_OVERFLOW = 'server.database.sqlalchemy.max_overflow';
const POOL_TIMEOUT = 'server.database.sqlalchemy.pool_timeout';
const REQUEST_TIMEOUT = 'PREFECT_API_REQUEST_TIMEOUT';
const API_URL = 'PREFECT_API_URL';
const ANALYZE_SCALE = 'autovacuum_analyze_scale_factor';
const INDEX_USAGE_SQL =
  "SELECT schemaname, relname AS tablename, indexrelname AS indexname, pg_size_pretty(pg_relation_size(indexrelid)) AS index_size, idx_scan AS index_scans, idx_tup_read AS tuples_read, idx_tup_fetch AS tuples_fetched FROM pg_stat_user_indexes WHERE schemaname = 'public' ORDER BY pg_relation_size(indexrelid) DESC LIMIT 20;";

export const INSIGHT_DETAILS: Record<InsightId, InsightDetail> = {
  'db-pool-exhaustion': {
    detectable: true,
    signature:
      'Latency jumps far above baseline on at least half of the database-backed routes at once and piles up toward pool_timeout; requests that wait the full timeout fail with HTTP 500 and `sqlalchemy.exc.TimeoutError: QueuePool limit of size … reached` in the server log (not 503, so Prefect clients do not retry them).',
    parameters: [POOL_SIZE, MAX_OVERFLOW, POOL_TIMEOUT],
    errorSignatures: ['httpx.ReadTimeout'],
    commands: [INDEX_USAGE_SQL],
    references: ['database locks', 'issue #16299', 'critical_service_loop'],
  },
  'task-runs-count-timeout': {
    detectable: true,
    signature:
      'task_runs/count and the UI count routes take longer than the UI waits (p95 ≥ 10 s) while most other routes stay near baseline.',
    parameters: [ANALYZE_SCALE, POOL_TIMEOUT],
    errorSignatures: ['httpx.ReadTimeout'],
    commands: ['ANALYZE;', INDEX_USAGE_SQL],
    references: ['api/task_runs/count', 'issue #19347', 'pg_stat_user_indexes'],
  },
  'runs-page-slow': {
    detectable: true,
    signature: 'flow_runs/filter and flow_runs/paginate p95 ≥ 10 s while most other routes stay near baseline.',
    parameters: [ANALYZE_SCALE, POOL_SIZE],
    errorSignatures: ['httpx.ReadTimeout'],
    commands: ['ANALYZE;', INDEX_USAGE_SQL],
    references: ['flow_run', 'pg_stat_user_tables', 'pg_stat_user_indexes'],
  },
  'k8s-worker-pod-overhead': {
    detectable: false,
    signature: 'Not visible in API latency: pod start-up time is spent in Kubernetes, not in the Prefect API.',
    parameters: [API_URL],
    errorSignatures: [],
    commands: ['prefect work-pool ls'],
    references: ['Kubernetes work pool', 'worker pods', 'task pods'],
  },
  'api-overload-http-500': {
    detectable: true,
    signature:
      'Total request rate at least twice its baseline with ≥ 5 % 5xx responses; latency raised but not piled at pool_timeout.',
    parameters: [POOL_SIZE, MAX_OVERFLOW, REQUEST_TIMEOUT],
    errorSignatures: ['httpx.ReadTimeout', 'ConnectionResetError: [Errno 104] Connection reset by peer'],
    commands: [INDEX_USAGE_SQL],
    references: ['database locks', 'orion'],
  },
  'http2-agent-stop': {
    detectable: true,
    signature:
      'The polling routes of an agent or worker fall to zero requests for ≥ 10 min, abruptly, after errors or slow calls on them, while the rest of the API keeps serving.',
    parameters: [API_URL, REQUEST_TIMEOUT],
    errorSignatures: [
      'Invalid input ConnectionInputs.SEND_HEADERS in state ConnectionState.CLOSED',
      'h2.exceptions.ProtocolError',
      'httpcore.LocalProtocolError',
      'httpx.LocalProtocolError',
      'Agent stopped!',
      'Failed the last 3 attempts',
    ],
    commands: ['prefect agent start --pool default-agent-pool --work-queue default', 'prefect work-pool ls'],
    references: [
      'h2',
      'httpcore',
      'httpx',
      'HTTP/2',
      'critical_service_loop',
      'check_for_cancelled_flow_runs',
      'get_and_submit_flow_runs',
      'get_runs_in_work_queue',
      'prefect.agent',
    ],
  },
  'connection-reset': {
    detectable: false,
    signature: 'Not visible in server-side latency: the connection breaks on the client side.',
    parameters: [API_URL, REQUEST_TIMEOUT],
    errorSignatures: [
      'ConnectionResetError: [Errno 104] Connection reset by peer',
      'httpx.ReadError',
      'anyio.BrokenResourceError',
      'BrokenPipeError: [Errno 32] Broken pipe',
      'ssl.SSLWantReadError: The operation did not complete (read)',
    ],
    commands: ['prefect work-pool ls'],
    references: ['httpx', 'orion', 'prefect.agent'],
  },
  'pending-deadlock': {
    detectable: true,
    signature:
      'set_state requests take longer than the client timeout (PREFECT_API_REQUEST_TIMEOUT): a visible share above it, or p99/mean at it.',
    parameters: [REQUEST_TIMEOUT, POOL_SIZE],
    errorSignatures: [
      'Server sent an abort signal: This run is in a PENDING state and cannot transition to a PENDING state',
      'httpx.ReadTimeout',
    ],
    commands: ['flow.run()'],
    references: ['PENDING state', '/set_state/', 'flow_run'],
  },
  'api-outage': {
    detectable: true,
    signature: 'The server stops answering: its scrape target is down, or no route advances, for at least 2 minutes.',
    parameters: [API_URL, REQUEST_TIMEOUT],
    errorSignatures: [
      'httpx.ReadError',
      'ConnectionResetError: [Errno 104] Connection reset by peer',
      'httpx.ReadTimeout',
    ],
    commands: ['flow.run()'],
    references: ['Prefect Cloud API', 'flow_run'],
  },
  'read-work-pool-hang': {
    detectable: true,
    signature:
      'GET work_pools/{name} p95 ≥ pool_timeout or stuck at a timeout while most other routes stay near baseline.',
    parameters: [POOL_TIMEOUT, API_URL],
    errorSignatures: ['httpx.ReadTimeout'],
    commands: ['prefect work-pool ls'],
    references: ['read_work_pool', 'work_pool'],
  },
  'stale-statistics': {
    detectable: true,
    signature:
      'Over at least two days the daily p95 of the read-heavy routes climbs steadily (≥ 15 % a day); it often falls back abruptly when statistics are refreshed (ANALYZE).',
    parameters: [ANALYZE_SCALE],
    errorSignatures: [],
    commands: ['ANALYZE;', INDEX_USAGE_SQL],
    references: ['pg_stat_user_tables', 'pg_stat_user_indexes', 'database locks'],
  },
};
