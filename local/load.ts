// A steady load through the local load balancer: `rps` requests per second
// over keep-alive connections, each answer classified:
// - ok: a 2xx from the service (its JSON names the version that answered);
// - appError: a 5xx the service itself returned (an injected fault);
// - failed: no answer, or an error from the load balancer itself (connection
//   reset, 502, 503, 504): the deployment's fault, the number that must be 0.
import { Agent, request } from 'node:http';

export interface Sample {
  /** ms since the load started */
  at: number;
  ms: number;
  status: number | null;
  version: string | null;
  kind: 'ok' | 'appError' | 'failed' | 'other';
  error?: string;
}

export interface LoadOptions {
  url: string;
  rps: number;
  headers?: Record<string, string>;
  /** A request not answered within this is failed. */
  timeoutMs?: number;
}

export interface LoadSummary {
  requests: number;
  failed: number;
  appErrors: number;
  byVersion: Record<string, number>;
  latencyMs: { p50: number; p99: number };
}

export interface Load {
  readonly startedAt: number;
  samples(): readonly Sample[];
  summary(from?: number, to?: number): LoadSummary;
  stop(): Promise<LoadSummary>;
}

/** Status codes an ALB answers itself: the switch's fault when they reach a client. */
const BALANCER_ERRORS = new Set([502, 503, 504]);

export function startLoad(options: LoadOptions): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const startedAt = Date.now();
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const timeoutMs = options.timeoutMs ?? 5000;
  const url = new URL(options.url);
  let sent = 0;
  let stopped = false;

  const fire = () => {
    const t0 = Date.now();
    const p = new Promise<void>((resolve) => {
      const record = (status: number | null, body: string, error?: string) => {
        samples.push({ at: t0 - startedAt, ms: Date.now() - t0, status, version: versionOf(body), kind: classify(status), ...(error ? { error } : {}) });
        resolve();
      };
      const req = request(url, { agent, headers: options.headers, timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => record(res.statusCode ?? null, body));
        res.on('error', (e) => record(null, '', e.message));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e) => record(null, '', e.message));
      req.end();
    });
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  };

  // Paced against the clock, so a slow tick never lowers the rate.
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * options.rps);
    while (!stopped && sent < due) {
      sent++;
      fire();
    }
  }, 5);

  const summary = (from = 0, to = Number.POSITIVE_INFINITY): LoadSummary => summarize(samples.filter((s) => s.at >= from && s.at < to));

  return {
    startedAt,
    samples: () => samples,
    summary,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight);
      agent.destroy();
      return summary();
    },
  };
}

export function summarize(samples: readonly Sample[]): LoadSummary {
  const byVersion: Record<string, number> = {};
  for (const s of samples) if (s.version) byVersion[s.version] = (byVersion[s.version] ?? 0) + 1;
  const latencies = samples.filter((s) => s.status !== null).map((s) => s.ms).sort((a, b) => a - b);
  return {
    requests: samples.length,
    failed: samples.filter((s) => s.kind === 'failed').length,
    appErrors: samples.filter((s) => s.kind === 'appError').length,
    byVersion,
    latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
  };
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function classify(status: number | null): Sample['kind'] {
  if (status === null || BALANCER_ERRORS.has(status)) return 'failed';
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 500) return 'appError';
  return 'other';
}

function versionOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { version?: unknown };
    return typeof parsed.version === 'string' ? parsed.version : null;
  } catch {
    return null;
  }
}
