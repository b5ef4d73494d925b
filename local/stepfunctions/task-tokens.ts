// Task tokens of `.waitForTaskToken` states.
//
// The token is minted when the state's Parameters read `$$.Task.Token` (a getter
// in the context object) and claimed by the state's local handler, which the
// library calls synchronously right after evaluating the Parameters: nothing can
// run in between, so the token the Parameters saw is the one the handler waits on.
// A state that runs again (a Retry, a loop) gets a fresh token.
//
// A token then waits until SendTaskSuccess / SendTaskFailure answers it, or the
// task stops waiting (timeout, execution stopped); after that it is closed and
// answering it again is `TaskTimedOut`, as in AWS.
import { randomBytes } from 'node:crypto';
import { InvalidOutput, InvalidToken, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { apiError } from './api-errors.ts';
import type { JsonValue } from './definition.ts';
import { StateFailure } from './state-errors.ts';

const TOKEN = /^[A-Za-z0-9_-]{86}$/;

interface Waiter {
  resolve(output: JsonValue): void;
  reject(error: Error): void;
}

export interface TaskTokens {
  /** The context object's `Task`: reading `Token` mints a token, or repeats the one not claimed yet. */
  readonly contextTask: { readonly Token: string };
  /** The token minted while the current state's Parameters were evaluated, or a new one. */
  claim(): string;
  /** The task's result once the token is answered; rejects with the failure, or with `signal.reason`. */
  wait(token: string, signal: AbortSignal): Promise<JsonValue>;
  /** Fails a waiting token from inside (the invocation that was handed the token failed). */
  reject(token: string, error: Error): void;
  succeed(token: string, output: string): void;
  fail(token: string, error?: string, cause?: string): void;
  heartbeat(token: string): void;
}

export function createTaskTokens(): TaskTokens {
  const waiting = new Map<string, Waiter>();
  const closed = new Set<string>();
  let unclaimed: string | undefined;

  const waiterOf = (token: string): Waiter => {
    if (typeof token !== 'string' || !TOKEN.test(token)) throw apiError(InvalidToken, 'Invalid Token: taskToken is not a token this endpoint issued');
    if (closed.has(token)) throw apiError(TaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'");
    const waiter = waiting.get(token);
    if (!waiter) throw apiError(TaskDoesNotExist, 'Task does not exist: no task is waiting for this token');
    return waiter;
  };

  return {
    contextTask: {
      get Token() {
        unclaimed ??= randomBytes(64).toString('base64url');
        return unclaimed;
      },
    },

    claim() {
      const token = unclaimed ?? randomBytes(64).toString('base64url');
      unclaimed = undefined;
      return token;
    },

    wait(token, signal) {
      return new Promise<JsonValue>((resolve, reject) => {
        const close = () => {
          waiting.delete(token);
          closed.add(token);
          signal.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          close();
          reject(signal.reason as Error);
        };
        waiting.set(token, {
          resolve: (output) => (close(), resolve(output)),
          reject: (error) => (close(), reject(error)),
        });
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
    },

    reject(token, error) {
      waiting.get(token)?.reject(error);
    },

    succeed(token, output) {
      const waiter = waiterOf(token);
      let parsed: JsonValue;
      try {
        parsed = JSON.parse(output) as JsonValue;
      } catch {
        throw apiError(InvalidOutput, 'Invalid Output: output is not JSON');
      }
      waiter.resolve(parsed);
    },

    fail(token, error, cause) {
      waiterOf(token).reject(new StateFailure(error ?? '', cause ?? ''));
    },

    heartbeat(token) {
      waiterOf(token);
    },
  };
}
