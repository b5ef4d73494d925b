// The copy of a definition that aws-local-stepfunctions runs. The library
// keeps control flow (Choice, Pass, Parallel, Map, Succeed, Fail), the paths
// (InputPath, ResultSelector, ResultPath, OutputPath), Retry and Catch; this
// runtime takes over what the library cannot do the AWS way:
//
// - Task states: the local handler receives an envelope the library evaluates
//   with the real context object: `{ payload, timeoutSeconds? }`, where
//   `payload` is the state's Parameters (or its input) and `timeoutSeconds`
//   is TimeoutSecondsPath resolved against the input. The library's own task
//   timeout (60 s by default, unlike AWS) is pushed out of reach; timeouts,
//   `.waitForTaskToken` and the time scale are handled by task-state.ts.
// - Wait states become Task states run by wait-state.ts with
//   `{ input, seconds | timestamp }`, so SecondsPath and TimestampPath waits
//   follow the time scale too.
// - Retry intervals (IntervalSeconds, MaxDelaySeconds) are scaled; BackoffRate,
//   MaxAttempts and JitterStrategy are the library's, unchanged.
// - The machine's TimeoutSeconds is removed: execution.ts enforces it, scaled.
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { nestedMachines, type AslDefinition, type AslState, type JsonValue } from './definition.ts';

/** Longest task timeout the library accepts without overflowing Node's timer; our own timeout applies first. */
const OUT_OF_REACH_SECONDS = 2_147_483;

const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local:wait';

/** What a Task state's local handler receives. */
export interface TaskEnvelope {
  payload: JsonValue;
  timeoutSeconds?: JsonValue;
}

/** What a Wait state's local handler receives: one of `seconds` or `timestamp`. */
export interface WaitEnvelope {
  input: JsonValue;
  seconds?: JsonValue;
  timestamp?: JsonValue;
}

export function toRunnableDefinition(definition: AslDefinition, timeScale: number): StateMachineDefinition {
  const { TimeoutSeconds: _enforcedByTheRuntime, ...machine } = definition;
  return toRunnableMachine(machine, timeScale) as unknown as StateMachineDefinition;
}

function toRunnableMachine<M extends Pick<AslDefinition, 'States'>>(machine: M, timeScale: number): M {
  const states = Object.fromEntries(Object.entries(machine.States).map(([name, state]) => [name, toRunnableState(state, timeScale)]));
  return { ...machine, States: states };
}

function toRunnableState(state: AslState, timeScale: number): AslState {
  switch (state.Type) {
    case 'Task':
      return toRunnableTask(state, timeScale);
    case 'Wait':
      return toRunnableWait(state);
    case 'Parallel':
      return { ...withScaledRetry(state, timeScale), Branches: nestedMachines(state).map((b) => toRunnableMachine(b, timeScale)) };
    case 'Map': {
      const processorField = state.ItemProcessor ? 'ItemProcessor' : 'Iterator';
      const [processor] = nestedMachines(state);
      return { ...withScaledRetry(state, timeScale), [processorField]: toRunnableMachine(processor!, timeScale) };
    }
    default:
      return state;
  }
}

function toRunnableTask(state: AslState, timeScale: number): AslState {
  const {
    Parameters,
    TimeoutSeconds: _staticTimeoutReadByTheRuntime,
    TimeoutSecondsPath,
    HeartbeatSeconds: _heartbeatsNotEnforced,
    HeartbeatSecondsPath: _heartbeatPathNotEnforced,
    ...rest
  } = state;
  const envelope: Record<string, unknown> = Parameters === undefined ? { 'payload.$': '$' } : { payload: Parameters };
  if (typeof TimeoutSecondsPath === 'string') envelope['timeoutSeconds.$'] = TimeoutSecondsPath;
  return { ...withScaledRetry(rest, timeScale), Parameters: envelope, TimeoutSeconds: OUT_OF_REACH_SECONDS };
}

function toRunnableWait(state: AslState): AslState {
  const { Seconds, SecondsPath, Timestamp, TimestampPath, ...rest } = state;
  const envelope: Record<string, unknown> = { 'input.$': '$' };
  if (Seconds !== undefined) envelope.seconds = Seconds;
  if (SecondsPath !== undefined) envelope['seconds.$'] = SecondsPath;
  if (Timestamp !== undefined) envelope.timestamp = Timestamp;
  if (TimestampPath !== undefined) envelope['timestamp.$'] = TimestampPath;
  return { ...rest, Type: 'Task', Resource: LOCAL_WAIT_RESOURCE, Parameters: envelope, TimeoutSeconds: OUT_OF_REACH_SECONDS };
}

function withScaledRetry(state: AslState, timeScale: number): AslState {
  if (!Array.isArray(state.Retry)) return state;
  const retry = (state.Retry as Record<string, unknown>[]).map((retrier) => ({
    ...retrier,
    IntervalSeconds: ((retrier.IntervalSeconds as number | undefined) ?? 1) * timeScale,
    ...(typeof retrier.MaxDelaySeconds === 'number' ? { MaxDelaySeconds: retrier.MaxDelaySeconds * timeScale } : {}),
  }));
  return { ...state, Retry: retry };
}
