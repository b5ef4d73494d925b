// The control plane: one loopback HTTP endpoint answering every emulated
// service. A request is routed by its protocol: `X-Amz-Target` names a JSON
// service (CloudWatch), otherwise the form's `Version` names a Query service.
// Each call is counted, may fail by an injected fault, and is answered in the
// service's own success or error shape.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { ApiCalls } from './api-calls.ts';
import { AwsError } from './aws-error.ts';
import type { Faults } from './faults.ts';
import { requestId } from './ids.ts';
import type { Log } from './log.ts';
import { readJsonInput, writeJsonError, writeJsonOutput } from './protocol/json-codec.ts';
import type { Operation } from './protocol/operation.ts';
import { readQueryInput, writeQueryError, writeQueryOutput, type QueryDialect } from './protocol/query-codec.ts';
import type { CloudService } from './services.ts';

export interface QueryService {
  name: CloudService;
  protocol: 'query';
  /** The `Version` form field that selects this service. */
  version: string;
  dialect: QueryDialect;
  operations: ReadonlyMap<string, Operation>;
}

export interface JsonService {
  name: CloudService;
  protocol: 'json';
  /** The `X-Amz-Target` prefix, e.g. `GraniteServiceVersion20100801`. */
  target: string;
  /** Shape namespace for `__type`, e.g. `com.amazonaws.cloudwatch`. */
  namespace: string;
  operations: ReadonlyMap<string, Operation>;
}

export type ServiceEndpoint = QueryService | JsonService;

export interface ApiServer {
  endpoint: string;
  close(): Promise<void>;
}

interface Context {
  services: ServiceEndpoint[];
  calls: ApiCalls;
  faults: Faults;
  log: Log;
}

export async function startApiServer(host: string, port: number, context: Context): Promise<ApiServer> {
  const server = createServer((req, res) => {
    handle(req, res, context).catch((err: unknown) => {
      context.log('api', 'internal-error', { error: String(err) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  const body = await readBody(req);
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return handleJson(target, body, res, context);
  return handleQuery(body, res, context);
}

async function handleJson(target: string, body: string, res: ServerResponse, context: Context): Promise<void> {
  const id = requestId();
  const [prefix = '', operationName = ''] = target.split('.');
  const service = context.services.find((s): s is JsonService => s.protocol === 'json' && s.target === prefix);
  const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': id };
  if (!service) {
    res.writeHead(400, headers).end(JSON.stringify({ __type: 'UnknownOperationException', message: `Unknown target ${target}` }));
    return;
  }
  try {
    const operation = findOperation(service, operationName, context, 'UnknownOperationException');
    const output = await operation.handle(readJsonInput(operation.schema, body));
    res.writeHead(200, headers).end(writeJsonOutput(operation.schema, output));
  } catch (err) {
    const error = asAwsError(err, service.name, operationName, context);
    const answer = writeJsonError(error, service.namespace);
    res.writeHead(error.status, { ...headers, ...answer.headers }).end(answer.body);
  }
}

async function handleQuery(body: string, res: ServerResponse, context: Context): Promise<void> {
  const id = requestId();
  const form = new URLSearchParams(body);
  const version = form.get('Version') ?? '';
  const operationName = form.get('Action') ?? '';
  const service = context.services.find((s): s is QueryService => s.protocol === 'query' && s.version === version);
  const headers = { 'content-type': 'text/xml', 'x-amzn-requestid': id };
  if (!service) {
    const error = new AwsError('InvalidAction', `No service of the local cloud answers Action=${operationName} Version=${version}`);
    res.writeHead(400, headers).end(writeQueryError(error, { xmlNamespace: '', ec2: false }, id));
    return;
  }
  try {
    const operation = findOperation(service, operationName, context, 'InvalidAction');
    const output = await operation.handle(readQueryInput(operation.schema, form, service.dialect));
    res.writeHead(200, headers).end(writeQueryOutput(operation.schema, output, service.dialect, id));
  } catch (err) {
    const error = asAwsError(err, service.name, operationName, context);
    res.writeHead(error.status, headers).end(writeQueryError(error, service.dialect, id));
  }
}

/** Counts the call, draws injected faults, and finds the handler. */
function findOperation(service: ServiceEndpoint, name: string, context: Context, unknownCode: string): Operation {
  context.calls.count(service.name, name || '(none)');
  const fault = context.faults.draw(service.name, name);
  if (fault) throw fault;
  const operation = service.operations.get(name);
  if (!operation) throw new AwsError(unknownCode, `The action ${name} is not valid for this web service (the local cloud does not emulate it).`);
  return operation;
}

function asAwsError(err: unknown, service: CloudService, operation: string, context: Context): AwsError {
  if (err instanceof AwsError) return err;
  context.log('api', 'internal-error', { service, operation, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return new AwsError('InternalFailure', `The local cloud failed on ${service}:${operation}: ${err instanceof Error ? err.message : String(err)}`, 500);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}
