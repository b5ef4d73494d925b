// One ALB health check: `GET <path>` on a fresh connection, closed after,
// judged by the matcher's HTTP codes; a failure carries ELB's reason code.
import { request } from 'node:http';
import { AwsError } from '../aws-error.ts';

export type ProbeResult = { ok: true } | { ok: false; reason: 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks'; description: string };

export function probe(address: { host: string; port: number } | undefined, path: string, timeoutMs: number, matcher: (code: number) => boolean): Promise<ProbeResult> {
  if (!address) return Promise.resolve({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' });
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const req = request(
      { host: address.host, port: address.port, path, method: 'GET', agent: false, headers: { 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' } },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        res.on('end', () =>
          done(matcher(code) ? { ok: true } : { ok: false, reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${code}]` }),
        );
        res.on('error', () => done({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }));
      },
    );
    req.setTimeout(timeoutMs, () => {
      done({ ok: false, reason: 'Target.Timeout', description: 'Request timed out' });
      req.destroy();
    });
    req.on('error', () => done({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }));
    req.end();
  });
}

/** Parses a matcher (`200`, `200,202`, `200-299`) into a test; ValidationError when malformed. */
export function parseMatcher(httpCode: string): (code: number) => boolean {
  const parts = httpCode.split(',').map((p) => p.trim());
  const tests = parts.map((part) => {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
    const low = m ? Number(m[1]) : NaN;
    const high = m?.[2] ? Number(m[2]) : low;
    if (!m || low < 200 || high > 499 || low > high) {
      throw new AwsError('ValidationError', `Health check matcher HTTP code '${httpCode}' must be within '200-499', a comma-separated list or a range`);
    }
    return (code: number) => code >= low && code <= high;
  });
  return (code) => tests.some((t) => t(code));
}
