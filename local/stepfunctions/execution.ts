// One execution: runs the runnable definition with aws-local-stepfunctions,
// every Task and Wait state mapped to a local handler by name, and keeps what
// DescribeExecution and GetExecutionHistory report. It ends by itself
// (SUCCEEDED, FAILED), by `stop` (ABORTED) or by the machine's TimeoutSeconds
// (TIMED_OUT); stopping also ends a task waiting for its token.
import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import { ExecutionError, type RunOptions, type StateMachine } from 'aws-local-stepfunctions';
import type { AslState, JsonValue } from './definition.ts';
import { createHistory, type History } from './history.ts';
import type { TaskEnvelope, WaitEnvelope } from './runnable-definition.ts';
import { runTaskState, type TaskHandler } from './task-state.ts';
import type { TaskTokens } from './task-tokens.ts';
import { delay, scaledMs } from './time-scale.ts';
import { runWaitState } from './wait-state.ts';

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** A registered state machine, ready to run. */
export interface RunnableStateMachine {
  arn: string;
  name: string;
  roleArn: string;
  machine: StateMachine;
  /** Every state of the definition as written, by name. */
  states: ReadonlyMap<string, AslState>;
  /** The machine's TimeoutSeconds, in workflow seconds. */
  timeoutSeconds?: number;
}

export interface ExecutionRequest {
  arn: string;
  name: string;
  input: JsonValue;
  inputText: string;
  stateMachine: RunnableStateMachine;
  taskHandler: TaskHandler;
  tokens: TaskTokens;
  timeScale: number;
}

export interface Execution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly inputText: string;
  readonly startDate: Date;
  readonly status: ExecutionStatus;
  readonly stopDate?: Date;
  readonly outputText?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly history: History;
  /** Settles once the execution is over and its history complete. */
  readonly done: Promise<void>;
  /** Aborts a running execution (no effect on a closed one); resolves once it is over. */
  stop(error?: string, cause?: string): Promise<void>;
}

interface Outcome {
  status: Exclude<ExecutionStatus, 'RUNNING' | 'PENDING_REDRIVE'>;
  outputText?: string;
  error?: string;
  cause?: string;
}

export function startExecutionRun(request: ExecutionRequest): Execution {
  const { stateMachine } = request;
  const controller = new AbortController();
  const history = createHistory();
  const state: { status: ExecutionStatus; stopDate?: Date } & Omit<Outcome, 'status'> = { status: 'RUNNING' };
  const startDate = new Date();
  history.add(
    'ExecutionStarted',
    { executionStartedEventDetails: { input: request.inputText, inputDetails: { truncated: false }, roleArn: stateMachine.roleArn } },
    startDate.getTime(),
  );

  const run = stateMachine.machine.run(request.input, {
    overrides: { taskResourceLocalHandlers: localHandlers(request, controller.signal) },
    context: contextObject(request),
  });
  const recorded = history.record(run.eventLogs, stateMachine.states);

  const close = (outcome: Outcome) => {
    if (state.status !== 'RUNNING') return;
    Object.assign(state, outcome, { stopDate: new Date() });
    controller.abort();
    run.abort();
  };

  if (stateMachine.timeoutSeconds !== undefined) {
    delay(scaledMs(stateMachine.timeoutSeconds, request.timeScale), controller.signal).then(
      () => close({ status: 'TIMED_OUT', error: 'States.Timeout', cause: `the execution ran longer than TimeoutSeconds (${stateMachine.timeoutSeconds})` }),
      () => {},
    );
  }

  const done = (async () => {
    const outcome = await run.result.then(
      (output): Outcome => ({ status: 'SUCCEEDED', outputText: JSON.stringify(output) }),
      failureOutcome,
    );
    await recorded;
    close(outcome);
    history.add(...closingEvent(state as Outcome));
  })();

  return {
    arn: request.arn,
    name: request.name,
    stateMachineArn: stateMachine.arn,
    inputText: request.inputText,
    startDate,
    get status() {
      return state.status;
    },
    get stopDate() {
      return state.stopDate;
    },
    get outputText() {
      return state.outputText;
    },
    get error() {
      return state.error;
    },
    get cause() {
      return state.cause;
    },
    history,
    done,
    async stop(error, cause) {
      close({ status: 'ABORTED', ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
      await done;
    },
  };
}

/** Every Task and Wait state, mapped by name to what runs it here. */
function localHandlers(request: ExecutionRequest, signal: AbortSignal): LocalHandlers {
  const scope = {
    taskHandler: request.taskHandler,
    tokens: request.tokens,
    timeScale: request.timeScale,
    executionArn: request.arn,
    executionName: request.name,
    stateMachineArn: request.stateMachine.arn,
    signal,
  };
  const handlers: LocalHandlers = {};
  for (const [name, state] of request.stateMachine.states) {
    if (state.Type === 'Task') handlers[name] = (envelope) => runTaskState(name, state, envelope as unknown as TaskEnvelope, scope);
    if (state.Type === 'Wait') handlers[name] = (envelope) => runWaitState(envelope as unknown as WaitEnvelope, request.timeScale, signal);
  }
  return handlers;
}

/** `$$`: Execution.Id / Name / RoleArn, StateMachine.Id / Name, Task.Token (Execution.Input and StartTime come from the library). */
function contextObject(request: ExecutionRequest): NonNullable<RunOptions['context']> {
  return {
    Execution: { Id: request.arn, Name: request.name, RoleArn: request.stateMachine.roleArn },
    StateMachine: { Id: request.stateMachine.arn, Name: request.stateMachine.name },
    Task: request.tokens.contextTask,
  };
}

function failureOutcome(failure: unknown): Outcome {
  const error = failure instanceof ExecutionError && failure.cause instanceof Error ? failure.cause : failure;
  if (error instanceof Error) return { status: 'FAILED', error: error.name, cause: error.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(error) };
}

function closingEvent(outcome: Outcome): Parameters<History['add']> {
  const errorDetails = { ...(outcome.error !== undefined ? { error: outcome.error } : {}), ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}) };
  switch (outcome.status) {
    case 'SUCCEEDED':
      return ['ExecutionSucceeded', { executionSucceededEventDetails: { output: outcome.outputText, outputDetails: { truncated: false } } }];
    case 'FAILED':
      return ['ExecutionFailed', { executionFailedEventDetails: errorDetails }];
    case 'ABORTED':
      return ['ExecutionAborted', { executionAbortedEventDetails: errorDetails }];
    case 'TIMED_OUT':
      return ['ExecutionTimedOut', { executionTimedOutEventDetails: errorDetails }];
  }
}
