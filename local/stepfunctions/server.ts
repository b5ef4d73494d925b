// The Step Functions wire protocol (AWS JSON 1.0) on a loopback port, so an
// ordinary SFNClient with `endpoint` pointed here works unchanged:
// `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body;
// the answer is the operation's output as JSON (dates as epoch seconds), or
// a 400 `{ "__type": "<ErrorName>", "message": … }` the SDK turns back into
// its exception class.
import { SFNServiceException } from '@aws-sdk/client-sfn';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StepFunctionsRuntime } from './runtime.ts';

export interface StepFunctionsServer {
  /** `http://127.0.0.1:<port>`: the SFNClient `endpoint`. */
  endpoint: string;
  close(): Promise<void>;
}

type Operation = (input: never) => unknown;

const TARGET_PREFIX = 'AWSStepFunctions.';

/** Serves `runtime` on `host:port` (default 127.0.0.1 and a free port). */
export async function startStepFunctionsServer(
  runtime: StepFunctionsRuntime,
  options: { host?: string; port?: number } = {},
): Promise<StepFunctionsServer> {
  const operations: Record<string, Operation> = {
    CreateStateMachine: runtime.createStateMachine,
    DescribeStateMachine: runtime.describeStateMachine,
    StartExecution: runtime.startExecution,
    DescribeExecution: runtime.describeExecution,
    StopExecution: runtime.stopExecution,
    ListExecutions: runtime.listExecutions,
    GetExecutionHistory: runtime.getExecutionHistory,
    SendTaskSuccess: runtime.sendTaskSuccess,
    SendTaskFailure: runtime.sendTaskFailure,
    SendTaskHeartbeat: runtime.sendTaskHeartbeat,
  };
  const server = createServer((request, response) => {
    void answer(request, response, operations);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, operations: Record<string, Operation>): Promise<void> {
  const target = request.headers['x-amz-target'];
  const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (request.method !== 'POST' || !operation) {
    return send(response, 400, { __type: 'UnknownOperationException', message: `unknown operation: ${String(target)}` });
  }
  let input: unknown;
  try {
    const body = await readBody(request);
    input = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    return send(response, 400, { __type: 'SerializationException', message: 'the request body is not JSON' });
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return send(response, 400, { __type: 'SerializationException', message: 'the request body must be a JSON object' });
  }
  try {
    send(response, 200, toWire(await operation(input as never)));
  } catch (error) {
    if (error instanceof SFNServiceException) return send(response, 400, { __type: error.name, message: error.message });
    console.error(JSON.stringify({ level: 'error', message: 'local Step Functions endpoint failed', operation: name, error: String(error) }));
    send(response, 500, { __type: 'InternalFailure', message: 'the local Step Functions runtime failed; see its log' });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Dates become epoch seconds, as AWS JSON 1.0 sends timestamps. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  return value;
}
