// The catalog's vocabulary. Ids are those of the seed catalog; every other module refers to insights by these ids.

export type Severity = 'info' | 'warning' | 'critical';

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export type InsightId =
  | 'db-pool-exhaustion'
  | 'task-runs-count-timeout'
  | 'runs-page-slow'
  | 'k8s-worker-pod-overhead'
  | 'api-overload-http-500'
  | 'http2-agent-stop'
  | 'connection-reset'
  | 'pending-deadlock'
  | 'api-outage'
  | 'read-work-pool-hang'
  | 'stale-statistics';

/** The nine insights a detector may emit; the other two are catalogue-only (not visible in server latency). */
export type DetectableInsightId = Exclude<InsightId, 'k8s-worker-pod-overhead' | 'connection-reset'>;

export interface ConfigurationParameter {
  name: string;
  recommended: string | null;
  note?: string;
  description: string;
}

export interface ErrorSignature {
  text: string;
  kind: 'exception' | 'log pattern';
}

export interface CliCommand {
  command: string;
  kind: 'diagnostic' | 'remediation';
}

export interface TechnicalReference {
  name: string;
  kind: 'component' | 'concept' | 'protocol';
}

export interface Insight {
  id: InsightId;
  title: string;
  severity: Severity;
  /** false for the catalogue-only insights: never emitted by a detector. */
  detectable: boolean;
  /** What it looks like in the latency metric (plain text, one or two sentences). */
  signature: string;
  /** Names of configuration parameters (ConfigurationParameter.name) worth checking. */
  parameters: string[];
  /** Texts of error signatures (ErrorSignature.text) to search logs for. */
  errorSignatures: string[];
  /** Commands (CliCommand.command) to run. */
  commands: string[];
  /** Names of technical references (TechnicalReference.name). */
  references: string[];
}
