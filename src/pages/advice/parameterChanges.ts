// The exact, copyable text that sets a catalog parameter to a value in a Prefect 3 deployment: the environment line
// (or SQL) from the catalog, plus the Helm values for the official charts. React-free, unit-tested in Node.
import { getParameter } from '../../catalog/catalog';
import type { ConfigurationParameter } from '../../catalog/types';

/** Shown where the catalog has no recommended value (PREFECT_API_URL depends on the site). */
export const API_URL_PLACEHOLDER = 'http://<prefect-server-host>:4200/api';

export type SnippetKind = 'env' | 'helm' | 'sql';

export interface ChangeSnippet {
  kind: SnippetKind;
  label: string;
  text: string;
}

export function recommendedOrPlaceholder(parameter: ConfigurationParameter): string {
  if (parameter.recommended !== null) {
    return parameter.recommended;
  }
  return parameter.name === 'PREFECT_API_URL' ? API_URL_PLACEHOLDER : '<value>';
}

function helmEnvList(root: 'server' | 'worker', listKey: string, envVar: string, value: string): string {
  return [`${root}:`, `  ${listKey}:`, `    - name: ${envVar}`, `      value: "${value}"`].join('\n');
}

function helmWorkerApiUrl(value: string): string {
  return ['worker:', '  apiConfig: selfHostedServer', '  selfHostedServerApiConfig:', `    apiUrl: ${value}`].join(
    '\n'
  );
}

/** The changes that set `parameter` to `value` (default: its recommended value), most direct first. */
export function changeSnippets(
  parameter: ConfigurationParameter,
  value = recommendedOrPlaceholder(parameter)
): ChangeSnippet[] {
  const detail = getParameter(parameter.name);
  if (!detail) {
    return [];
  }
  const direct = detail.change(value);
  if (detail.scope === 'postgresql') {
    return [{ kind: 'sql', label: 'SQL on the Prefect database', text: direct }];
  }
  const snippets: ChangeSnippet[] = [{ kind: 'env', label: 'Environment variable', text: direct }];
  if (detail.scope === 'server') {
    // The chart's `server.env` list reaches the API server container, where the pool lives.
    snippets.push({
      kind: 'helm',
      label: 'Helm values (prefect-server chart)',
      text: helmEnvList('server', 'env', detail.setting, value),
    });
  } else if (parameter.name === 'PREFECT_API_URL') {
    snippets.push({ kind: 'helm', label: 'Helm values (prefect-worker chart)', text: helmWorkerApiUrl(value) });
  } else {
    // Client settings belong to the worker, which passes its environment on to the flow runs it starts.
    snippets.push({
      kind: 'helm',
      label: 'Helm values (prefect-worker chart)',
      text: helmEnvList('worker', 'extraEnvVars', detail.setting, value),
    });
  }
  return snippets;
}
