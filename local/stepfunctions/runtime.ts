// The Step Functions API over local executions: state machines, executions,
// task tokens. Inputs and outputs are those of @aws-sdk/client-sfn's commands,
// errors are its exception classes; the HTTP endpoint (server.ts) is a thin
// wire over these methods.
import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  DescribeExecutionInput,
  DescribeExecutionOutput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
  SendTaskFailureInput,
  SendTaskHeartbeatInput,
  SendTaskSuccessInput,
  StartExecutionInput,
  StartExecutionOutput,
  StopExecutionInput,
  StopExecutionOutput,
  SFNServiceException,
} from '@aws-sdk/client-sfn';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { apiError, type ApiErrorClass } from './api-errors.ts';
import { collectStates, parseDefinition, substitutePlaceholders, type JsonValue, type SubstitutionValue } from './definition.ts';
import { startExecutionRun, type Execution, type RunnableStateMachine } from './execution.ts';
import { toRunnableDefinition } from './runnable-definition.ts';
import type { TaskHandler } from './task-state.ts';
import { createTaskTokens } from './task-tokens.ts';
import { assertTimeScale } from './time-scale.ts';

export interface StepFunctionsRuntimeOptions {
  /** Runs every Task state (see TaskHandler). */
  taskHandler: TaskHandler;
  /**
   * Real seconds per workflow second (default 1). 0.01 makes a 60 s Wait last 0.6 s. Applies to Wait
   * states (Seconds, SecondsPath, and the time left until Timestamp / TimestampPath), task
   * TimeoutSeconds / TimeoutSecondsPath, Retry IntervalSeconds / MaxDelaySeconds and the machine's
   * TimeoutSeconds. Timestamps (startDate, history, `$$.Execution.StartTime`) stay wall-clock time.
   */
  timeScale?: number;
  /** Used in ARNs; defaults us-east-1 and 123456789012. */
  region?: string;
  accountId?: string;
}

/** CreateStateMachine, plus DefinitionSubstitutions: `${Name}` in the definition is replaced by `definitionSubstitutions[Name]`. */
export type CreateLocalStateMachineInput = Omit<CreateStateMachineInput, 'roleArn'> & {
  roleArn?: string;
  definitionSubstitutions?: Record<string, SubstitutionValue>;
};

export interface StepFunctionsRuntime {
  createStateMachine: (input: CreateLocalStateMachineInput) => CreateStateMachineOutput;
  describeStateMachine: (input: DescribeStateMachineInput) => DescribeStateMachineOutput;
  startExecution: (input: StartExecutionInput) => StartExecutionOutput;
  describeExecution: (input: DescribeExecutionInput) => DescribeExecutionOutput;
  stopExecution: (input: StopExecutionInput) => Promise<StopExecutionOutput>;
  listExecutions: (input: ListExecutionsInput) => ListExecutionsOutput;
  getExecutionHistory: (input: GetExecutionHistoryInput) => GetExecutionHistoryOutput;
  sendTaskSuccess: (input: SendTaskSuccessInput) => Record<string, never>;
  sendTaskFailure: (input: SendTaskFailureInput) => Record<string, never>;
  sendTaskHeartbeat: (input: SendTaskHeartbeatInput) => Record<string, never>;
  /** Resolves with DescribeExecution's answer once the execution is over. */
  waitForExecution: (executionArn: string) => Promise<DescribeExecutionOutput>;
  /** State transitions so far, counted as AWS bills them: each state entered, each retry. */
  countStateTransitions: (executionArn: string) => number;
  /** Stops every running execution (ABORTED) and waits until they are over. */
  shutdown: () => Promise<void>;
}

interface RegisteredStateMachine extends RunnableStateMachine {
  definition: string;
  creationDate: Date;
  executions: Map<string, Execution>;
}

/** Names of state machines and executions: 1–80 characters, none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters. */
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const PAGE_SIZE = { default: 100, max: 1000 };

export function createStepFunctionsRuntime(options: StepFunctionsRuntimeOptions): StepFunctionsRuntime {
  const timeScale = options.timeScale ?? 1;
  assertTimeScale(timeScale);
  const partition = `arn:aws:states:${options.region ?? 'us-east-1'}:${options.accountId ?? '123456789012'}`;
  const defaultRoleArn = `arn:aws:iam::${options.accountId ?? '123456789012'}:role/local-stepfunctions`;
  const tokens = createTaskTokens();
  const stateMachines = new Map<string, RegisteredStateMachine>();
  const executions = new Map<string, Execution>();

  const stateMachineOf = (arn: unknown): RegisteredStateMachine => {
    const found = stateMachines.get(requireString(arn, 'stateMachineArn'));
    if (found) return found;
    throw arnError(arn as string, StateMachineDoesNotExist, `State Machine Does Not Exist: '${String(arn)}'`);
  };
  const executionOf = (arn: unknown): Execution => {
    const found = executions.get(requireString(arn, 'executionArn'));
    if (found) return found;
    throw arnError(arn as string, ExecutionDoesNotExist, `Execution Does Not Exist: '${String(arn)}'`);
  };

  return {
    createStateMachine(input) {
      const name = requireName(input.name, 'name');
      const text = input.definitionSubstitutions
        ? substitutePlaceholders(requireString(input.definition, 'definition'), input.definitionSubstitutions)
        : requireString(input.definition, 'definition');
      const definition = parseDefinition(text);
      const roleArn = input.roleArn ?? defaultRoleArn;
      const arn = `${partition}:stateMachine:${name}`;
      const existing = stateMachines.get(arn);
      if (existing) {
        if (existing.definition === text && existing.roleArn === roleArn) return { stateMachineArn: arn, creationDate: existing.creationDate };
        throw apiError(StateMachineAlreadyExists, `State Machine Already Exists: '${arn}'`);
      }
      const registered: RegisteredStateMachine = {
        arn,
        name,
        roleArn,
        definition: text,
        creationDate: new Date(),
        machine: new StateMachine(toRunnableDefinition(definition, timeScale), { validationOptions: { noValidate: true } }),
        states: collectStates(definition),
        ...(definition.TimeoutSeconds !== undefined ? { timeoutSeconds: definition.TimeoutSeconds } : {}),
        executions: new Map(),
      };
      stateMachines.set(arn, registered);
      return { stateMachineArn: arn, creationDate: registered.creationDate };
    },

    describeStateMachine(input) {
      const machine = stateMachineOf(input.stateMachineArn);
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: machine.definition,
        roleArn: machine.roleArn,
        type: 'STANDARD',
        creationDate: machine.creationDate,
      };
    },

    startExecution(input) {
      const machine = stateMachineOf(input.stateMachineArn);
      const name = input.name === undefined ? randomUUID() : requireName(input.name, 'name');
      const inputText = input.input ?? '{}';
      const parsed = parseExecutionInput(inputText);
      const existing = machine.executions.get(name);
      if (existing) {
        // AWS: the same name and input while RUNNING is the same start; otherwise the name is taken.
        if (existing.status === 'RUNNING' && existing.inputText === inputText) return { executionArn: existing.arn, startDate: existing.startDate };
        throw apiError(ExecutionAlreadyExists, `Execution Already Exists: '${existing.arn}'`);
      }
      const arn = `${partition}:execution:${machine.name}:${name}`;
      const execution = startExecutionRun({ arn, name, input: parsed, inputText, stateMachine: machine, taskHandler: options.taskHandler, tokens, timeScale });
      machine.executions.set(name, execution);
      executions.set(arn, execution);
      return { executionArn: arn, startDate: execution.startDate };
    },

    describeExecution(input) {
      return describe(executionOf(input.executionArn));
    },

    async stopExecution(input) {
      const execution = executionOf(input.executionArn);
      await execution.stop(optionalString(input.error, 'error'), optionalString(input.cause, 'cause'));
      return { stopDate: execution.stopDate! };
    },

    listExecutions(input) {
      const machine = stateMachineOf(input.stateMachineArn);
      const newestFirst = [...machine.executions.values()]
        .filter((e) => input.statusFilter === undefined || e.status === input.statusFilter)
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
      const { page, nextToken } = paginate(newestFirst, input.maxResults, input.nextToken);
      return {
        executions: page.map((e) => ({
          executionArn: e.arn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          ...(e.stopDate ? { stopDate: e.stopDate } : {}),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    getExecutionHistory(input) {
      const { events } = executionOf(input.executionArn).history;
      const ordered = input.reverseOrder ? [...events].reverse() : [...events];
      const { page, nextToken } = paginate(ordered, input.maxResults, input.nextToken);
      return { events: page, ...(nextToken ? { nextToken } : {}) };
    },

    sendTaskSuccess(input) {
      tokens.succeed(requireString(input.taskToken, 'taskToken'), requireString(input.output, 'output'));
      return {};
    },

    sendTaskFailure(input) {
      tokens.fail(requireString(input.taskToken, 'taskToken'), optionalString(input.error, 'error'), optionalString(input.cause, 'cause'));
      return {};
    },

    sendTaskHeartbeat(input) {
      tokens.heartbeat(requireString(input.taskToken, 'taskToken'));
      return {};
    },

    async waitForExecution(executionArn) {
      const execution = executionOf(executionArn);
      await execution.done;
      return describe(execution);
    },

    countStateTransitions(executionArn) {
      return executionOf(executionArn).history.stateTransitions;
    },

    async shutdown() {
      await Promise.all([...executions.values()].map((e) => e.stop('RuntimeShutdown', 'the local Step Functions runtime shut down')));
    },
  };
}

function describe(execution: Execution): DescribeExecutionOutput {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
    input: execution.inputText,
    inputDetails: { included: true },
    ...(execution.outputText !== undefined ? { output: execution.outputText, outputDetails: { included: true } } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

function parseExecutionInput(text: unknown): JsonValue {
  try {
    return JSON.parse(requireString(text, 'input')) as JsonValue;
  } catch (error) {
    if (error instanceof ValidationException) throw error;
    throw apiError(InvalidExecutionInput, `Invalid State Machine Execution Input: input is not JSON: ${(error as Error).message}`);
  }
}

/** A page of `items` from the position `nextToken` names; the token is opaque to callers. */
function paginate<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { page: T[]; nextToken?: string } {
  const size = maxResults ? Math.min(maxResults, PAGE_SIZE.max) : PAGE_SIZE.default;
  const start = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw apiError(InvalidToken, 'Invalid Token: nextToken');
  const end = start + size;
  return { page: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

/** A malformed ARN is InvalidArn; a well-formed one that names nothing, the operation's "does not exist". */
function arnError<E extends SFNServiceException>(arn: string, NotFound: ApiErrorClass<E>, message: string): Error {
  return arn.startsWith('arn:') ? apiError(NotFound, message) : apiError(InvalidArn, `Invalid Arn: '${arn}'`);
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw apiError(ValidationException, `${field}: required, a string`);
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, field);
}

function requireName(value: unknown, field: string): string {
  const name = requireString(value, field);
  if (!NAME.test(name)) throw apiError(InvalidName, `Invalid Name: '${name}'`);
  return name;
}
