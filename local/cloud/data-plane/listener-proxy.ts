// The data plane of one listener: a real HTTP server on a loopback port that
// routes every request by the rules its load balancer has received (read per
// request, so a ModifyListener takes effect once propagated, with no
// connection dropped) and proxies it to a target over the group's keep-alive
// agent.
// Failures answer like ALB: no target 503, target unreachable 502, target
// too slow (idle timeout) 504.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ListenerRecord } from '../elbv2/state.ts';
import type { Target, TargetGroupRuntime } from '../elbv2/target-group.ts';
import { chooseAction, chooseTargetGroup } from './rule-evaluation.ts';

/** What happened to one request, for the load balancer's CloudWatch metrics. */
export interface RequestOutcome {
  /** `app/<name>/<id>` */
  loadBalancer: string;
  /** `targetgroup/<name>/<id>` when a target group was chosen. */
  targetGroup?: string;
  /** Status the load balancer generated itself (fixed response, 502/503/504). */
  elbStatus?: number;
  /** Status the target answered. */
  targetStatus?: number;
  /** Seconds from forwarding to the target's response headers. */
  targetResponseSeconds?: number;
  targetConnectionError?: boolean;
}

export interface ListenerProxyContext {
  listener(): ListenerRecord | undefined;
  targetGroup(arn: string): TargetGroupRuntime | undefined;
  /** The load balancer's idle timeout, in real milliseconds (504 after). */
  idleTimeoutMs(): number;
  loadBalancerDimension: string;
  record(outcome: RequestOutcome): void;
  random: () => number;
}

/** Client connections idle out after ALB's default 60 s (real time, unscaled: keep-alive clients are not churned). */
const CLIENT_KEEP_ALIVE_MS = 60_000;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

export class ListenerProxy {
  private readonly server: Server;
  private readonly context: ListenerProxyContext;
  private readonly sockets = new Set<Socket>();

  private constructor(server: Server, context: ListenerProxyContext) {
    this.server = server;
    this.context = context;
  }

  static async start(host: string, context: ListenerProxyContext): Promise<ListenerProxy> {
    const server = createServer();
    const proxy = new ListenerProxy(server, context);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => proxy.route(req, res));
    server.on('connection', (socket: Socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;
    server.headersTimeout = CLIENT_KEEP_ALIVE_MS + 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
    return proxy;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const listener = this.context.listener();
    const loadBalancer = this.context.loadBalancerDimension;
    if (!listener) return this.answerElb(res, 503, { loadBalancer });
    const url = new URL(req.url ?? '/', 'http://listener');
    const { rules, defaultActions } = listener.dataPlane;
    const action = chooseAction(rules, defaultActions, { method: req.method ?? 'GET', path: url.pathname, headers: req.headers });
    if (action?.Type === 'fixed-response') return this.answerFixed(res, action);
    const arn = action?.ForwardConfig ? chooseTargetGroup(action.ForwardConfig, this.context.random) : undefined;
    const tg = arn ? this.context.targetGroup(arn) : undefined;
    if (!tg) return this.answerElb(res, 503, { loadBalancer });
    const target = tg.pick();
    if (!target) return this.answerElb(res, 503, { loadBalancer, targetGroup: tg.dimension });
    this.forward(req, res, listener, tg, target, 1);
  }

  private forward(req: IncomingMessage, res: ServerResponse, listener: ListenerRecord, tg: TargetGroupRuntime, target: Target, attempt: number): void {
    const outcome: RequestOutcome = { loadBalancer: this.context.loadBalancerDimension, targetGroup: tg.dimension };
    const address = tg.address(target);
    if (!address) return this.answerElb(res, 502, { ...outcome, targetConnectionError: true });
    const bodyless = !req.headers['content-length'] && !req.headers['transfer-encoding'];
    const started = performance.now();
    const upstream = httpRequest({
      host: address.host,
      port: address.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, listener.port),
      agent: tg.agent,
    });
    target.inFlight.add(upstream);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      target.inFlight.delete(upstream);
      this.context.record(outcome);
    };
    upstream.setTimeout(this.context.idleTimeoutMs(), () => upstream.destroy(Object.assign(new Error('target timed out'), { code: 'ETARGETTIMEOUT' })));
    upstream.on('response', (answer) => {
      outcome.targetStatus = answer.statusCode ?? 502;
      outcome.targetResponseSeconds = (performance.now() - started) / 1000;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.headers));
      answer.pipe(res);
      answer.on('end', settle);
      answer.on('error', () => {
        settle();
        res.destroy();
      });
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      if (res.destroyed) {
        // The client went away first: nothing to answer, nothing ALB would count as a target error.
        settled = true;
        target.inFlight.delete(upstream);
        return;
      }
      const retryable = attempt === 1 && bodyless && upstream.reusedSocket && err.code === 'ECONNRESET' && outcome.targetStatus === undefined;
      if (retryable) {
        // A kept-alive connection the target closed just as it was reused: nothing reached the target, resend once.
        target.inFlight.delete(upstream);
        return this.forward(req, res, listener, tg, target, 2);
      }
      if (outcome.targetStatus !== undefined) {
        settle();
        res.destroy();
        return;
      }
      settled = true;
      target.inFlight.delete(upstream);
      this.answerElb(res, err.code === 'ETARGETTIMEOUT' ? 504 : 502, { ...outcome, targetConnectionError: err.code !== 'ETARGETTIMEOUT' });
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (bodyless) upstream.end();
    else req.pipe(upstream);
  }

  private answerFixed(res: ServerResponse, action: Action): void {
    const config = action.FixedResponseConfig!;
    const status = Number(config.StatusCode);
    const body = config.MessageBody ?? '';
    res.writeHead(status, { 'content-type': config.ContentType ?? 'text/plain', 'content-length': Buffer.byteLength(body), server: 'awselb/2.0' });
    res.end(body);
    this.context.record({ loadBalancer: this.context.loadBalancerDimension, elbStatus: status });
  }

  private answerElb(res: ServerResponse, status: 502 | 503 | 504, outcome: RequestOutcome): void {
    const title = `${status} ${status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Temporarily Unavailable' : 'Gateway Time-out'}`;
    const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
    if (!res.headersSent) {
      res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body), server: 'awselb/2.0' });
      res.end(body);
    } else {
      res.destroy();
    }
    this.context.record({ ...outcome, elbStatus: status });
  }
}

function forwardedHeaders(req: IncomingMessage, listenerPort: number): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = { ...req.headers };
  for (const name of HOP_BY_HOP) delete headers[name];
  const client = req.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${String(headers['x-forwarded-for'])}, ${client}` : client;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(listenerPort);
  headers['x-amzn-trace-id'] = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return headers;
}

function responseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}
