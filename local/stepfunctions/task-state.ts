// Runs one attempt of a Task state: hands the work to the task handler the
// way the Resource says, applies TimeoutSeconds / TimeoutSecondsPath, and for
// `.waitForTaskToken` resources waits for the token to be answered.
//
// Resources:
// - `arn:aws:states:::lambda:invoke`: the handler receives `Parameters.Payload`
//   and the state's result is the Lambda Invoke answer `{ ExecutedVersion,
//   Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode }`, as AWS returns it
//   (select the function's answer with `"ResultSelector": { "x.$": "$.Payload" }`
//   or `"OutputPath": "$.Payload"`).
// - a Lambda function ARN: the handler receives the Parameters (or the input)
//   and its return value is the result.
// - anything else: like a Lambda function ARN, errors reported without Lambda's wrapping.
// - any of these ending in `.waitForTaskToken`: the result is the SendTaskSuccess
//   output; the handler's return value is ignored, a handler error fails the task.
// A handler error fails the state with the error's `name` (what Retry/Catch match);
// for Lambda resources the cause is Lambda's error payload as JSON text.
import { randomUUID } from 'node:crypto';
import type { AslState, JsonValue } from './definition.ts';
import type { TaskEnvelope } from './runnable-definition.ts';
import { lambdaFunctionError, StatesRuntimeError, StatesTimeoutError, taskError, type StateFailure } from './state-errors.ts';
import type { TaskTokens } from './task-tokens.ts';
import { delay, scaledMs } from './time-scale.ts';

export interface TaskContext {
  /** For `.waitForTaskToken` resources: the token SendTaskSuccess / SendTaskFailure must quote (what `$$.Task.Token` gave the Parameters). */
  taskToken?: string;
  /** The `FunctionName` of a `lambda:invoke` resource, or the ARN of a Lambda function resource. */
  functionName?: string;
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  /** Aborted once the task is over: answered, timed out, or the execution stopped. A result after that is ignored. */
  signal: AbortSignal;
}

/**
 * Runs a Task state locally: receives what the Lambda function (or service) would receive (a copy),
 * returns or resolves to what it would answer, which goes through JSON as Lambda's answer does.
 */
export type TaskHandler = (stateName: string, resource: string, input: JsonValue, context: TaskContext) => unknown;

/** What every task of one execution shares. */
export interface TaskScope {
  taskHandler: TaskHandler;
  tokens: TaskTokens;
  timeScale: number;
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  /** Aborted when the execution stops or times out. */
  signal: AbortSignal;
}

const CALLBACK_SUFFIX = '.waitForTaskToken';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_FUNCTION = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:/;

export async function runTaskState(stateName: string, state: AslState, envelope: TaskEnvelope, scope: TaskScope): Promise<JsonValue> {
  // First, synchronously: the token minted while the library evaluated this state's Parameters.
  const token = scope.tokens.claim();
  // The library may start a state again after the execution stopped (a retry pause ends on abort).
  scope.signal.throwIfAborted();
  const timeoutSeconds = taskTimeoutSeconds(state, envelope);
  const attempt = new AbortController();
  const stopAttempt = () => attempt.abort(scope.signal.reason);
  scope.signal.addEventListener('abort', stopAttempt, { once: true });
  if (timeoutSeconds !== undefined) {
    delay(scaledMs(timeoutSeconds, scope.timeScale), attempt.signal).then(
      () => attempt.abort(new StatesTimeoutError()),
      () => {},
    );
  }
  try {
    return await untilAborted(performTask(stateName, state.Resource as string, envelope.payload, token, scope, attempt.signal), attempt.signal);
  } finally {
    scope.signal.removeEventListener('abort', stopAttempt);
    attempt.abort();
  }
}

function performTask(stateName: string, resource: string, payload: JsonValue, token: string, scope: TaskScope, signal: AbortSignal): Promise<JsonValue> {
  const callback = resource.endsWith(CALLBACK_SUFFIX);
  const base = callback ? resource.slice(0, -CALLBACK_SUFFIX.length) : resource;
  const context: TaskContext = {
    ...(callback ? { taskToken: token } : {}),
    executionArn: scope.executionArn,
    executionName: scope.executionName,
    stateMachineArn: scope.stateMachineArn,
    signal,
  };
  const handle = async (input: JsonValue, functionName: string | undefined) =>
    asJson(await scope.taskHandler(stateName, resource, structuredClone(input), functionName ? { ...context, functionName } : context));
  let invoke: () => Promise<JsonValue>;
  let toFailure: (thrown: unknown) => StateFailure;
  if (base === LAMBDA_INVOKE) {
    const { functionName, input } = lambdaInvokeParameters(payload);
    invoke = async () => lambdaInvokeAnswer(await handle(input, functionName));
    toFailure = lambdaFunctionError;
  } else {
    const functionName = LAMBDA_FUNCTION.test(base) ? base : undefined;
    invoke = () => handle(payload, functionName);
    toFailure = functionName ? lambdaFunctionError : taskError;
  }
  if (!callback) return invoke().catch((thrown: unknown) => Promise.reject(toFailure(thrown)));
  const answer = scope.tokens.wait(token, signal);
  invoke().catch((thrown: unknown) => scope.tokens.reject(token, toFailure(thrown)));
  return answer;
}

function lambdaInvokeParameters(payload: JsonValue): { functionName: string; input: JsonValue } {
  const parameters = isObject(payload) ? payload : {};
  if (typeof parameters.FunctionName !== 'string') throw new StatesRuntimeError(`${LAMBDA_INVOKE}: Parameters.FunctionName must be a string`);
  return { functionName: parameters.FunctionName, input: parameters.Payload ?? {} };
}

/** The Lambda Invoke answer Step Functions' optimized integration returns. */
function lambdaInvokeAnswer(result: JsonValue): JsonValue {
  const requestId = randomUUID();
  return {
    ExecutedVersion: '$LATEST',
    Payload: result,
    SdkHttpMetadata: {
      HttpHeaders: { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

function taskTimeoutSeconds(state: AslState, envelope: TaskEnvelope): number | undefined {
  if ('timeoutSeconds' in envelope) {
    const seconds = envelope.timeoutSeconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1) {
      throw new StatesRuntimeError(`TimeoutSecondsPath ${String(state.TimeoutSecondsPath)}: must select a positive integer, got ${JSON.stringify(seconds)}`);
    }
    return seconds;
  }
  return typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A handler's answer as the function would send it: through JSON (no answer is `null`). */
function asJson(answer: unknown): JsonValue {
  const text = JSON.stringify(answer);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
