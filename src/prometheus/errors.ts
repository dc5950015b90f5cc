// One error type for everything that can go wrong between us and Prometheus, with messages an operator can act on.

export type PrometheusErrorKind =
  | 'bad_data'
  | 'timeout'
  | 'execution'
  | 'unavailable'
  | 'unreachable'
  | 'http'
  | 'canceled'
  | 'invalid_response'
  | 'too_many_points';

export class PrometheusError extends Error {
  readonly kind: PrometheusErrorKind;
  readonly httpStatus?: number;
  /** Prometheus's own error text (or the underlying cause), without our wording around it. */
  readonly detail: string;

  constructor(kind: PrometheusErrorKind, message: string, opts: { httpStatus?: number; detail?: string } = {}) {
    super(message);
    this.name = 'PrometheusError';
    this.kind = kind;
    this.httpStatus = opts.httpStatus;
    this.detail = opts.detail ?? message;
  }
}

export function isPrometheusError(e: unknown): e is PrometheusError {
  return e instanceof PrometheusError;
}

const MAX_DETAIL = 300;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL ? flat.slice(0, MAX_DETAIL) + '…' : flat;
}

/**
 * Error for a `{"status":"error","errorType":…,"error":…}` body (Prometheus answers 400, 422, 503 or 500 with it).
 * The 11,000-points limit comes as bad_data; it gets its own kind because the fix is a larger step.
 */
export function errorFromPrometheusBody(errorType: string, error: string, httpStatus?: number): PrometheusError {
  const opts = { httpStatus, detail: error };
  if (/exceeded maximum resolution/i.test(error)) {
    return new PrometheusError(
      'too_many_points',
      `The query asks Prometheus for more than 11,000 points per series: use a larger step or a shorter time range (${clip(error)})`,
      opts
    );
  }
  switch (errorType) {
    case 'bad_data':
      return new PrometheusError('bad_data', `Prometheus rejected the query (bad_data): ${clip(error)}`, opts);
    case 'timeout':
      return new PrometheusError(
        'timeout',
        `Prometheus timed out evaluating the query: shorten the time range or raise the step (${clip(error)})`,
        opts
      );
    case 'canceled':
      return new PrometheusError('canceled', `Prometheus canceled the query: ${clip(error)}`, opts);
    case 'unavailable':
      return new PrometheusError(
        'unavailable',
        `Prometheus is unavailable (it may be starting or overloaded), try again shortly: ${clip(error)}`,
        opts
      );
    case 'execution':
    case 'internal':
      return new PrometheusError(
        'execution',
        `Prometheus failed to execute the query (${errorType}): ${clip(error)}`,
        opts
      );
    default:
      return new PrometheusError(
        'http',
        `Prometheus answered with an error (${errorType || 'unknown'}${httpStatus ? `, HTTP ${httpStatus}` : ''}): ${clip(error)}`,
        opts
      );
  }
}

export function unreachableError(url: string, cause: string): PrometheusError {
  return new PrometheusError(
    'unreachable',
    `Prometheus at ${url} is unreachable: ${clip(cause)}. Check the URL and that Prometheus is running and reachable from here.`,
    { detail: cause }
  );
}

export function canceledError(): PrometheusError {
  return new PrometheusError('canceled', 'The request to Prometheus was canceled');
}

export function httpError(url: string, status: number, bodyText: string): PrometheusError {
  const hint =
    status === 401 || status === 403
      ? ' Check the credentials or the auth settings of the data source.'
      : status === 404
        ? ' Check that the URL points at the Prometheus server root (without /api/v1).'
        : '';
  return new PrometheusError(
    'http',
    `Prometheus at ${url} answered HTTP ${status}: ${clip(bodyText) || '(empty)'}.${hint}`,
    {
      httpStatus: status,
      detail: bodyText,
    }
  );
}

export function invalidResponseError(url: string, what: string, httpStatus?: number): PrometheusError {
  return new PrometheusError(
    'invalid_response',
    `The answer from ${url} is not a Prometheus API response (${clip(what)}). Is this the Prometheus base URL?`,
    { httpStatus, detail: what }
  );
}

/** Our own request time limit ran out (Prometheus, or what is in front of it, accepted the request and went silent). */
export function timeLimitError(where: string, seconds: number): PrometheusError {
  return new PrometheusError(
    'timeout',
    `No answer from ${where} within the request time limit of ${seconds} s: Prometheus (or a proxy in front of it) accepted the request but did not reply. Check that it is not overloaded or hung, or allow more time.`,
    { detail: `time limit ${seconds} s` }
  );
}
