// The typed catalog: seed data joined with our per-insight links. Everything else reads the domain from here.
import { INSIGHT_DETAILS } from './insightDetails';
import { PARAMETER_DETAILS, type ParameterDetail } from './parameterDetails';
import {
  CLI_COMMANDS,
  CONFIGURATION_PARAMETERS,
  ERROR_SIGNATURES,
  METRIC,
  RELATED_INSIGHTS,
  TECHNICAL_REFERENCES,
} from './seedData';
import type {
  CliCommand,
  ConfigurationParameter,
  DetectableInsightId,
  ErrorSignature,
  Insight,
  InsightId,
  TechnicalReference,
} from './types';

export const INSIGHTS: readonly Insight[] = RELATED_INSIGHTS.map((seed) => ({ ...seed, ...INSIGHT_DETAILS[seed.id] }));

export const DETECTABLE_INSIGHT_IDS: readonly DetectableInsightId[] = INSIGHTS.filter((i) => i.detectable).map(
  (i) => i.id as DetectableInsightId
);

export const CATALOG = {
  metric: METRIC,
  parameters: CONFIGURATION_PARAMETERS,
  errorSignatures: ERROR_SIGNATURES,
  commands: CLI_COMMANDS,
  references: TECHNICAL_REFERENCES,
  insights: INSIGHTS,
} as const;

const byId = new Map<InsightId, Insight>(INSIGHTS.map((i) => [i.id, i]));

export function isInsightId(value: string): value is InsightId {
  return byId.has(value as InsightId);
}

export function getInsight(id: InsightId): Insight {
  const insight = byId.get(id);
  if (!insight) {
    throw new Error(`Unknown insight id "${id}"`);
  }
  return insight;
}

export function getParameter(name: string): (ConfigurationParameter & ParameterDetail) | undefined {
  const parameter = CONFIGURATION_PARAMETERS.find((p) => p.name === name);
  const detail = PARAMETER_DETAILS[name];
  return parameter && detail ? { ...parameter, ...detail } : undefined;
}

export function getErrorSignature(text: string): ErrorSignature | undefined {
  return ERROR_SIGNATURES.find((s) => s.text === text);
}

export function getCommand(command: string): CliCommand | undefined {
  return CLI_COMMANDS.find((c) => c.command === command);
}

export function getReference(name: string): TechnicalReference | undefined {
  return TECHNICAL_REFERENCES.find((r) => r.name === name);
}
