// The project's copy of the seed catalog (data, item for item; tools/check-catalog.ts compares it with the seed).
import type {
  CliCommand,
  ConfigurationParameter,
  ErrorSignature,
  InsightId,
  Severity,
  TechnicalReference,
} from './types';

export const METRIC = {
  name: 'prefect.server.api.request.duration',
  title: 'API request duration',
  description: 'Duration of API requests to the Prefect server in seconds',
  unit: 'seconds',
  available_on: ['Prometheus'],
  dimensions: [],
} as const;

export const CONFIGURATION_PARAMETERS: readonly ConfigurationParameter[] = [
  {
    name: 'server.database.sqlalchemy.pool_size',
    recommended: '60',
    note: 'current, may need increase',
    description: 'Maximum connections in the pool; version 3.x may require more than 2.x',
  },
  {
    name: 'server.database.sqlalchemy.max_overflow',
    recommended: '10',
    note: 'current, may need increase',
    description: 'Additional connections beyond pool_size during bursts',
  },
  {
    name: 'server.database.sqlalchemy.pool_timeout',
    recommended: '30',
    description: 'Seconds to wait for connection from pool before timeout',
  },
  {
    name: 'PREFECT_API_REQUEST_TIMEOUT',
    recommended: '60',
    description:
      'Client-side timeout for API requests; default increased to 60s to prevent timeout during flow run submission',
  },
  {
    name: 'PREFECT_API_URL',
    recommended: null,
    description: 'Must be set to correct external Prefect server URL for client connectivity',
  },
  {
    name: 'autovacuum_analyze_scale_factor',
    recommended: '0.02',
    note: 'for high-volume tables',
    description: 'Keeps table statistics current for optimal query planning',
  },
];

export const ERROR_SIGNATURES: readonly ErrorSignature[] = [
  {
    text: 'Invalid input ConnectionInputs.SEND_HEADERS in state ConnectionState.CLOSED',
    kind: 'exception',
  },
  {
    text: 'h2.exceptions.ProtocolError',
    kind: 'exception',
  },
  {
    text: 'httpcore.LocalProtocolError',
    kind: 'exception',
  },
  {
    text: 'httpx.LocalProtocolError',
    kind: 'exception',
  },
  {
    text: 'Agent stopped!',
    kind: 'log pattern',
  },
  {
    text: 'Failed the last 3 attempts',
    kind: 'log pattern',
  },
  {
    text: 'ConnectionResetError: [Errno 104] Connection reset by peer',
    kind: 'exception',
  },
  {
    text: 'httpx.ReadError',
    kind: 'exception',
  },
  {
    text: 'anyio.BrokenResourceError',
    kind: 'exception',
  },
  {
    text: 'BrokenPipeError: [Errno 32] Broken pipe',
    kind: 'exception',
  },
  {
    text: 'Server sent an abort signal: This run is in a PENDING state and cannot transition to a PENDING state',
    kind: 'log pattern',
  },
  {
    text: 'httpx.ReadTimeout',
    kind: 'exception',
  },
  {
    text: 'ssl.SSLWantReadError: The operation did not complete (read)',
    kind: 'exception',
  },
];

export const CLI_COMMANDS: readonly CliCommand[] = [
  {
    command: 'prefect agent start --pool default-agent-pool --work-queue default',
    kind: 'diagnostic',
  },
  {
    command: 'flow.run()',
    kind: 'remediation',
  },
  {
    command: 'prefect work-pool ls',
    kind: 'diagnostic',
  },
  {
    command: 'ANALYZE;',
    kind: 'remediation',
  },
  {
    command:
      "SELECT schemaname, relname AS tablename, indexrelname AS indexname, pg_size_pretty(pg_relation_size(indexrelid)) AS index_size, idx_scan AS index_scans, idx_tup_read AS tuples_read, idx_tup_fetch AS tuples_fetched FROM pg_stat_user_indexes WHERE schemaname = 'public' ORDER BY pg_relation_size(indexrelid) DESC LIMIT 20;",
    kind: 'diagnostic',
  },
];

export const TECHNICAL_REFERENCES: readonly TechnicalReference[] = [
  {
    name: 'flow_run',
    kind: 'component',
  },
  {
    name: 'database locks',
    kind: 'concept',
  },
  {
    name: 'api/task_runs/count',
    kind: 'component',
  },
  {
    name: 'issue #16299',
    kind: 'concept',
  },
  {
    name: 'issue #19347',
    kind: 'concept',
  },
  {
    name: 'Kubernetes work pool',
    kind: 'component',
  },
  {
    name: 'worker pods',
    kind: 'component',
  },
  {
    name: 'task pods',
    kind: 'component',
  },
  {
    name: 'h2',
    kind: 'component',
  },
  {
    name: 'httpcore',
    kind: 'component',
  },
  {
    name: 'httpx',
    kind: 'component',
  },
  {
    name: 'HTTP/2',
    kind: 'protocol',
  },
  {
    name: 'critical_service_loop',
    kind: 'component',
  },
  {
    name: 'check_for_cancelled_flow_runs',
    kind: 'component',
  },
  {
    name: 'get_and_submit_flow_runs',
    kind: 'component',
  },
  {
    name: 'get_runs_in_work_queue',
    kind: 'component',
  },
  {
    name: 'prefect.agent',
    kind: 'component',
  },
  {
    name: 'orion',
    kind: 'component',
  },
  {
    name: 'PENDING state',
    kind: 'concept',
  },
  {
    name: '/set_state/',
    kind: 'component',
  },
  {
    name: 'Prefect Cloud API',
    kind: 'component',
  },
  {
    name: 'read_work_pool',
    kind: 'component',
  },
  {
    name: 'work_pool',
    kind: 'component',
  },
  {
    name: 'pg_stat_user_tables',
    kind: 'component',
  },
  {
    name: 'pg_stat_user_indexes',
    kind: 'component',
  },
];

export const RELATED_INSIGHTS: ReadonlyArray<{ id: InsightId; title: string; severity: Severity }> = [
  {
    id: 'db-pool-exhaustion',
    title: 'Database connection pool exhaustion causes severe API slowdown after Prefect 3.x upgrade',
    severity: 'critical',
  },
  {
    id: 'task-runs-count-timeout',
    title: 'task_runs/count API endpoint timeout prevents UI rendering',
    severity: 'warning',
  },
  {
    id: 'runs-page-slow',
    title: 'Runs page load time increases to 10+ seconds after Prefect 3 upgrade',
    severity: 'warning',
  },
  {
    id: 'k8s-worker-pod-overhead',
    title: 'Worker pods incur orchestration overhead in Kubernetes work pools',
    severity: 'info',
  },
  {
    id: 'api-overload-http-500',
    title: 'API server overload at high scale causes HTTP 500 errors',
    severity: 'warning',
  },
  {
    id: 'http2-agent-stop',
    title: 'HTTP/2 protocol error causes agent to stop after failed retries',
    severity: 'critical',
  },
  {
    id: 'connection-reset',
    title: 'Connection reset errors in self-hosted Prefect agent-server communication',
    severity: 'warning',
  },
  {
    id: 'pending-deadlock',
    title: 'Client timeout during flow run submission causes PENDING state deadlock',
    severity: 'critical',
  },
  {
    id: 'api-outage',
    title: 'API outage prevents task state confirmation and flow completion',
    severity: 'warning',
  },
  {
    id: 'read-work-pool-hang',
    title: 'Deployment command hangs on read_work_pool during first production deploy',
    severity: 'critical',
  },
  {
    id: 'stale-statistics',
    title: 'Query performance degrading over time due to stale statistics',
    severity: 'warning',
  },
];
