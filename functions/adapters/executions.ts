// Executions of the deployment state machine: start one per deployment (the
// name makes a start idempotent), resume a `.waitForTaskToken` state, read and
// stop them. Only the calls in use; SDK errors become named errors.
//
// AWS operations (states:*): StartExecution, SendTaskSuccess, SendTaskFailure,
// DescribeExecution, StopExecution, ListExecutions.
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  paginateListExecutions,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { isDeepStrictEqual } from 'node:util';
import { ResourceInUse, ResourceNotFound, TaskTokenRejected, type BlueGreenError } from '../core/errors.ts';
import { awsErrorCode, mapAwsError } from './aws-errors.ts';

/** Who or what asked for a deployment. */
export interface Trigger {
  kind: 'push' | 'cli' | 'queue';
  /** `github:<login>`, `cli:<user>`, … */
  by: string;
  /** GitHub delivery id (or the CLI's request id): names the execution. */
  deliveryId?: string;
  commit?: string;
}

/** What the state machine receives. */
export interface ExecutionInput {
  service: string;
  version: string;
  trigger: Trigger;
}

export type SignalAction = 'promote' | 'rollback' | 'abort';

/** What a waiting state receives when it is resumed (`SendTaskSuccess` output). */
export interface SignalOutput {
  action: SignalAction;
  /** `slack:<user id>`, `cli:<user>`, `alarm:<alarm name>` */
  by: string;
  reason: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionSummary {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
}

export interface ExecutionDescription extends ExecutionSummary {
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface Executions {
  /** The ARN an execution of this name has (or will have). */
  arnOf(name: string): string;
  /**
   * Starts `name`; an existing execution of that name with the same input
   * counts as started (`alreadyStarted`), and `status` says whether it still
   * runs or how it ended.
   */
  start(name: string, input: ExecutionInput): Promise<{ executionArn: string; alreadyStarted: boolean; status: ExecutionStatus }>;
  sendSuccess(token: string, output: SignalOutput): Promise<void>;
  sendFailure(token: string, error: string, cause: string): Promise<void>;
  describe(executionArn: string): Promise<ExecutionDescription>;
  stop(executionArn: string, error: string, cause: string): Promise<void>;
  /** Newest first, at most `limit` (default 100). */
  list(options?: { status?: ExecutionStatus; limit?: number }): Promise<ExecutionSummary[]>;
}

const TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export function createExecutions(client: SFNClient, stateMachineArn: string): Executions {
  const arnOf = (name: string) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

  const describe = async (executionArn: string): Promise<ExecutionDescription> => {
    const out = await sfnCall('states:DescribeExecution', () => client.send(new DescribeExecutionCommand({ executionArn })));
    return {
      executionArn,
      name: out.name ?? executionArn.slice(executionArn.lastIndexOf(':') + 1),
      status: out.status as ExecutionStatus,
      startDate: out.startDate ?? new Date(0),
      ...(out.stopDate ? { stopDate: out.stopDate } : {}),
      input: parseJson(out.input),
      ...(out.output !== undefined ? { output: parseJson(out.output) } : {}),
      ...(out.error !== undefined ? { error: out.error } : {}),
      ...(out.cause !== undefined ? { cause: out.cause } : {}),
    };
  };

  return {
    arnOf,
    describe,

    async start(name, input) {
      try {
        const out = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
        return { executionArn: out.executionArn ?? arnOf(name), alreadyStarted: false, status: 'RUNNING' };
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw mapSfnError(error, 'states:StartExecution');
        // Closed already, or running with another input: the same input is the same deployment.
        const existing = await describe(arnOf(name));
        if (isDeepStrictEqual(existing.input, input)) return { executionArn: existing.executionArn, alreadyStarted: true, status: existing.status };
        throw new ResourceInUse(`execution name ${name} is already used by an execution with another input`, { cause: error });
      }
    },

    async sendSuccess(token, output) {
      await sfnCall('states:SendTaskSuccess', () => client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })));
    },

    async sendFailure(token, error, cause) {
      await sfnCall('states:SendTaskFailure', () => client.send(new SendTaskFailureCommand({ taskToken: token, error, cause })));
    },

    async stop(executionArn, error, cause) {
      await sfnCall('states:StopExecution', () => client.send(new StopExecutionCommand({ executionArn, error, cause })));
    },

    async list(options = {}) {
      const limit = options.limit ?? 100;
      const found: ExecutionSummary[] = [];
      const pages = paginateListExecutions(
        { client, pageSize: Math.min(limit, 1000) },
        { stateMachineArn, ...(options.status ? { statusFilter: options.status } : {}) },
      );
      await sfnCall('states:ListExecutions', async () => {
        for await (const page of pages) {
          for (const e of page.executions ?? []) {
            if (found.length === limit) return;
            found.push({
              executionArn: e.executionArn ?? '',
              name: e.name ?? '',
              status: e.status as ExecutionStatus,
              startDate: e.startDate ?? new Date(0),
              ...(e.stopDate ? { stopDate: e.stopDate } : {}),
            });
          }
          if (found.length === limit) return;
        }
      });
      return found;
    },
  };
}

async function sfnCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapSfnError(error, operation);
  }
}

function mapSfnError(error: unknown, operation: string): BlueGreenError {
  const code = awsErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (TOKEN_ERRORS.has(code)) {
    return new TaskTokenRejected(`${operation} failed: ${code}: the wait has ended (timed out, answered already, or the execution stopped)`, { cause: error });
  }
  if (code === 'ExecutionDoesNotExist' || code === 'StateMachineDoesNotExist') {
    return new ResourceNotFound(`${operation} failed: ${code}: ${message}`, { cause: error });
  }
  return mapAwsError(error, operation);
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
