// The driver's side of the comparison: every request the recorded Prefect clients made, mapped to the route
// template the server declares in its own OpenAPI document (fetched from the live server, not from the plugin), so
// that counts and latencies per route come from a source independent of the code under test.
import { readFileSync } from 'node:fs';

export interface RecordedRequest {
  /** unix seconds, client clock, when the response (or the error) came */
  end: number;
  method: string;
  /** raw URL path, e.g. `/api/flow_runs/0b6…/set_state` */
  path: string;
  /** 0 when no response came (connection refused, timeout) */
  status: number;
  seconds: number;
  pid: number;
}

export function readRequests(file: string): RecordedRequest[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RecordedRequest);
}

export interface Template {
  template: string;
  methods: Set<string>;
  pattern: RegExp;
  literals: number;
}

/** Route templates of the server's API app, from `GET /api/openapi.json` (paths without the `/api` mount). */
export async function fetchTemplates(apiUrl: string): Promise<Template[]> {
  const res = await fetch(`${apiUrl}/openapi.json`);
  if (!res.ok) {
    throw new Error(`GET ${apiUrl}/openapi.json answered ${res.status}`);
  }
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).map(([template, ops]) =>
    templateFrom(
      template,
      Object.keys(ops).map((m) => m.toUpperCase())
    )
  );
}

/** One route template as a matcher: `{param}` segments match any one segment, the rest literally. */
export function templateFrom(template: string, methods: Iterable<string>): Template {
  const segments = template.split('/');
  const pattern = new RegExp(
    '^' + segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$'
  );
  return {
    template,
    methods: new Set(methods),
    pattern,
    literals: segments.filter((s) => s !== '' && !s.startsWith('{')).length,
  };
}

/** The template a raw API path was routed to; literal segments win over parameters, as in FastAPI's route order. */
export function templateOf(templates: Template[], method: string, path: string): string | undefined {
  const inner = path.replace(/^\/api(?=\/)/, '');
  const hits = templates.filter((t) => t.methods.has(method) && t.pattern.test(inner));
  hits.sort((a, b) => b.literals - a.literals);
  return hits[0]?.template;
}

export interface RouteTruth {
  method: string;
  route: string;
  count: number;
  seconds: number[];
}

/** Requests per `METHOD template`, only those that got a response (a refused connection never reached the server). */
export function byRoute(templates: Template[], requests: RecordedRequest[]): Map<string, RouteTruth> {
  const out = new Map<string, RouteTruth>();
  for (const r of requests) {
    if (r.status === 0) {
      continue;
    }
    const route = templateOf(templates, r.method, r.path) ?? `unmatched:${r.path}`;
    const key = `${r.method} ${route}`;
    const entry = out.get(key) ?? { method: r.method, route, count: 0, seconds: [] };
    entry.count++;
    entry.seconds.push(r.seconds);
    out.set(key, entry);
  }
  return out;
}

/** Nearest-rank quantile. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
