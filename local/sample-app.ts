// The sample microservice every local instance runs: `GET /` (any path)
// answers JSON with the version it was deployed with, `GET /health` answers
// its health. Per-version fault switches make a bad release misbehave the
// way real ones do: a rate of 500s, never healthy, a slow start, added latency.
// On SIGTERM it stops accepting, finishes in-flight requests, then exits.
//
// Run alone:  PORT=8080 APP_VERSION=1.0 node local/sample-app.ts
// Environment: PORT (0 = any), HOST (127.0.0.1), VERSION_VARIABLE (name of the
// variable holding the version, default APP_VERSION), INSTANCE_ID, HEALTH_PATH
// (/health), SAMPLE_APP_FAULTS (JSON of AppFaults).
// `?delayMs=N` on a request delays that answer by N ms (at most 60 s).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppFaults {
  /** Share (0–1) of `GET /` requests answered 500. */
  errorRate?: number;
  /** The health endpoint always answers 503. */
  neverHealthy?: boolean;
  /** The health endpoint answers 503 for this long after start. */
  slowStartMs?: number;
  /** Added to every `GET /` answer. */
  latencyMs?: number;
}

export interface SampleAppOptions {
  version: string;
  instanceId: string;
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  healthPath?: string;
  faults?: AppFaults;
}

export interface SampleApp {
  readonly port: number;
  setFaults(faults: AppFaults): void;
  /** Stops accepting, lets in-flight requests finish (at most `graceMs`), then resolves. */
  close(graceMs?: number): Promise<void>;
}

const MAX_DELAY_MS = 60_000;

export async function startSampleApp(options: SampleAppOptions): Promise<SampleApp> {
  const startedAt = Date.now();
  const healthPath = options.healthPath ?? '/health';
  let faults: AppFaults = { ...options.faults };
  let closing = false;
  let served = 0;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    if (url.pathname === healthPath) return answerHealth(res);
    served++;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, Number(url.searchParams.get('delayMs')) || 0)) + (faults.latencyMs ?? 0);
    const failed = Math.random() < (faults.errorRate ?? 0);
    const answer = () => answerRequest(req, res, failed, url.pathname);
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  });
  // Longer than any load balancer idle timeout: the proxy closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  function answerHealth(res: ServerResponse): void {
    if (closing) closingAfter(res);
    const starting = Date.now() - startedAt < (faults.slowStartMs ?? 0);
    const healthy = !faults.neverHealthy && !starting && !closing;
    json(res, healthy ? 200 : 503, { status: healthy ? 'ok' : starting ? 'starting' : 'unhealthy', version: options.version, instance: options.instanceId });
  }

  function answerRequest(req: IncomingMessage, res: ServerResponse, failed: boolean, path: string): void {
    if (closing) closingAfter(res);
    const body = { version: options.version, instance: options.instanceId, path, method: req.method, pid: process.pid, served, uptimeMs: Date.now() - startedAt };
    if (failed) json(res, 500, { error: 'injected failure', ...body });
    else json(res, 200, body);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolveListen);
  });

  return {
    port: (server.address() as AddressInfo).port,
    setFaults(next) {
      faults = { ...next };
    },
    close(graceMs = 30_000) {
      closing = true;
      return new Promise((resolveClose) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolveClose();
        });
        server.closeIdleConnections();
      });
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** While shutting down, every answer closes its connection, so no kept-alive connection holds the exit. */
function closingAfter(res: ServerResponse): void {
  res.setHeader('connection', 'close');
}

/** Reads the options of a standalone run from the environment. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): SampleAppOptions {
  const versionVariable = env.VERSION_VARIABLE ?? 'APP_VERSION';
  const port = Number(env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  return {
    version: env[versionVariable] ?? 'unknown',
    instanceId: env.INSTANCE_ID ?? hostname(),
    host: env.HOST ?? '127.0.0.1',
    port,
    healthPath: env.HEALTH_PATH ?? '/health',
    faults: env.SAMPLE_APP_FAULTS ? (JSON.parse(env.SAMPLE_APP_FAULTS) as AppFaults) : {},
  };
}

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env);
  const app = await startSampleApp(options);
  const log = (event: string, fields: Record<string, unknown> = {}) =>
    console.log(JSON.stringify({ time: new Date().toISOString(), event, version: options.version, instance: options.instanceId, ...fields }));
  if (process.send) process.send({ type: 'listening', port: app.port });
  else log('listening', { port: app.port });

  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log('stopping', { reason });
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The parent (the local cloud) went away: never outlive it.
  process.on('disconnect', () => stop('parent disconnected'));
  process.on('message', (message: { type?: string; faults?: AppFaults }) => {
    if (message.type === 'faults' && message.faults) app.setFaults(message.faults);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(JSON.stringify({ event: 'failed', error: String(err) }));
    process.exit(1);
  });
}
