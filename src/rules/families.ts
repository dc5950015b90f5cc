// The detection contract's route families as RE2 regexes over the raw route label, for rules that cannot call
// the predicates of src/insights/toolkit/families.ts. families.test.ts checks both agree on every route the
// simulator serves and on their variants (/api prefix, method in front, trailing slash, template variable names).

/** Optional `POST ` in front, leading slashes, an optional `/api` mount. */
const PREFIX = String.raw`\s*(?:[A-Za-z]+\s+)?/*(?:api/+)?`;
const SUFFIX = String.raw`/*\s*`;
/** One path segment: a template variable of any name or a raw id. */
const SEGMENT = '[^/]+';

function whole(body: string): string {
  return `${PREFIX}(?:${body})${SUFFIX}`;
}

/** Routes that are NOT database-backed (health, ready, version, hello, metrics, or only the mount point). */
export const NOT_DATABASE_REGEX = `${whole('health|ready|version|hello|metrics')}|${String.raw`\s*(?:[A-Za-z]+\s+)?/*(?:api)?/*\s*`}`;

export const TASK_COUNT_REGEX = whole('task_runs/count|ui/task_runs/count|ui/task_runs/dashboard/counts');

export const RUNS_PAGE_REGEX = whole('flow_runs/filter|flow_runs/paginate');

export const SET_STATE_REGEX = whole(`(?:flow_runs|task_runs)/${SEGMENT}/set_state|(?:.*/)?bulk_set_state`);

export const POLLING_REGEX = whole('.*/get_runs|.*/get_scheduled_flow_runs');

export const READ_HEAVY_REGEX = whole('.*/(?:filter|paginate|count|counts)');

/** `GET work_pools/{name}`: a single segment after work_pools/, with GET or no method in front… */
export const READ_WORK_POOL_REGEX = String.raw`\s*(?:[Gg][Ee][Tt]\s+)?/*(?:api/+)?` + `work_pools/${SEGMENT}${SUFFIX}`;
/** …that is not one of the collection's own actions (RE2 has no lookahead, so this is a second, negative matcher). */
export const WORK_POOL_ACTION_REGEX = whole('work_pools/(?:filter|paginate|count|counts|schema|bulk_[^/]*)');
