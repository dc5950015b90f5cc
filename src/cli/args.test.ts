/** @jest-environment node */
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../prometheus/timeLimit';
import { DEFAULT_PREFECT_SETTINGS } from '../catalog/prefectSettings';
import { parseCommand, USAGE, UsageError } from './args';

const NOW = Date.UTC(2024, 4, 1, 12);
const BASE = ['scan', '--prometheus', 'http://127.0.0.1:9090', '--from', '-24h', '--to', 'now'];

function scanArgs(argv: string[]) {
  const cmd = parseCommand(argv, NOW);
  if (cmd.kind !== 'scan') {
    throw new Error('expected scan');
  }
  return cmd.args;
}

describe('parseCommand', () => {
  it('parses the nightly-job form, relative times included', () => {
    const a = scanArgs([...BASE, '--fail-on', 'critical']);
    expect(a).toEqual({
      prometheus: 'http://127.0.0.1:9090',
      from: NOW - 86_400_000,
      to: NOW,
      selector: undefined,
      metric: undefined,
      poolTimeoutSeconds: undefined,
      requestTimeoutSeconds: undefined,
      timeoutSeconds: DEFAULT_REQUEST_TIMEOUT_SECONDS,
      format: 'table',
      wide: false,
      compress: false,
      thanosDownsampling: false,
      failOn: 'critical',
    });
  });

  it('parses every option', () => {
    const a = scanArgs([
      'scan',
      '--prometheus=http://p:9090/',
      '--from',
      '2024-05-01T00:00:00Z',
      '--to',
      '1714557600',
      '--selector',
      '{job="prefect-server"}',
      '--metric',
      'http_server_duration_milliseconds',
      '--pool-timeout',
      '45',
      '--request-timeout',
      '120',
      '--format',
      'json',
      '--compress',
      '--thanos-downsampling',
    ]);
    expect(a.compress).toBe(true);
    expect(a.thanosDownsampling).toBe(true);
    expect(a.from).toBe(Date.UTC(2024, 4, 1));
    expect(a.to).toBe(1714557600_000);
    expect(a.selector).toBe('job="prefect-server"');
    expect(a.metric).toBe('http_server_duration_milliseconds');
    expect(a.poolTimeoutSeconds).toBe(45);
    expect(a.requestTimeoutSeconds).toBe(120);
    expect(a.format).toBe('json');
  });

  it('takes the pool and statement settings the evidence compares with, max_overflow 0 included', () => {
    const a = scanArgs([...BASE, '--pool-size', '40', '--max-overflow', '0', '--statement-timeout', '20']);
    expect(a.poolSize).toBe(40);
    expect(a.maxOverflow).toBe(0);
    expect(a.statementTimeoutSeconds).toBe(20);
  });

  it('prints the defaults from the one definition of them', () => {
    expect(USAGE).toContain(`(default ${DEFAULT_PREFECT_SETTINGS.poolSize})`);
    expect(USAGE).toContain(`--statement-timeout <s>  PREFECT_SERVER_DATABASE_TIMEOUT in seconds (default 10)`);
  });

  it('recognises help', () => {
    expect(parseCommand(['scan', '--help'], NOW)).toEqual({ kind: 'help' });
    expect(parseCommand(['-h'], NOW)).toEqual({ kind: 'help' });
  });

  it.each([
    [[], /expected the command scan/],
    [['scan', 'extra', '--prometheus', 'http://x'], /unexpected argument "extra"/],
    [['scan', '--from', '-1h', '--to', 'now'], /--prometheus is required/],
    [['scan', '--prometheus', 'ftp://x', '--from', '-1h', '--to', 'now'], /http\(s\)/],
    [['scan', '--prometheus', 'not a url', '--from', '-1h', '--to', 'now'], /not a URL/],
    [[...BASE.slice(0, 3), '--to', 'now'], /--from is required/],
    [[...BASE.slice(0, 5), '--to', 'tomorrow'], /--to "tomorrow"/],
    [
      ['scan', '--prometheus', 'http://x', '--from', 'now', '--to', '-1h'],
      /--from 2024-05-01T12:00:00Z is not before --to 2024-05-01T11:00:00Z/,
    ],
    [[...BASE, '--format', 'xml'], /--format/],
    [[...BASE, '--fail-on', 'error'], /--fail-on/],
    [[...BASE, '--pool-timeout', '-3'], /--pool-timeout/],
    [[...BASE, '--pool-timeout', 'abc'], /--pool-timeout/],
    [[...BASE, '--pool-size', '0'], /--pool-size must be a positive number/],
    [[...BASE, '--max-overflow', '-1'], /--max-overflow must be a number ≥ 0/],
    [[...BASE, '--statement-timeout', ''], /--statement-timeout/],
    [[...BASE, '--bogus'], /bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCommand(argv as string[], NOW)).toThrow(UsageError);
    expect(() => parseCommand(argv as string[], NOW)).toThrow(message as RegExp);
  });
});
