// The event history of an execution, in GetExecutionHistory's shape, and its
// state transition count.
//
// Recorded: ExecutionStarted; `<Type>StateEntered` / `<Type>StateExited` for
// every state (nested ones too) with its input / output; TaskFailed or
// TaskTimedOut when a task attempt fails; and one closing event
// (ExecutionSucceeded, ExecutionFailed, ExecutionAborted, ExecutionTimedOut).
// Not recorded: TaskScheduled / TaskStarted / TaskSubmitted / TaskSucceeded,
// Map and Parallel bookkeeping events.
//
// State transitions are counted as AWS bills them: one per state entered, plus
// one per retry.
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { StateMachine } from 'aws-local-stepfunctions';
import type { AslState } from './definition.ts';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

type EventDetails = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp' | 'type'>;

export interface History {
  readonly events: readonly HistoryEvent[];
  readonly stateTransitions: number;
  add(type: HistoryEventType, details: EventDetails, timestamp?: number): void;
  /** Records the library's state events until its log closes (when the run ends). */
  record(eventLogs: AsyncGenerator<EventLog>, states: ReadonlyMap<string, AslState>): Promise<void>;
}

export function createHistory(): History {
  const events: HistoryEvent[] = [];
  let stateTransitions = 0;

  const add: History['add'] = (type, details, timestamp = Date.now()) => {
    const id = events.length + 1;
    events.push({ id, previousEventId: id - 1, timestamp: new Date(timestamp), type, ...details });
  };

  const recordEvent = (event: EventLog, states: ReadonlyMap<string, AslState>) => {
    if (!('state' in event)) return;
    const { name } = event.state;
    const state = states.get(name);
    const type = state?.Type ?? event.state.type;
    switch (event.type) {
      case 'StateEntered':
        stateTransitions += 1;
        add(`${type}StateEntered` as HistoryEventType, { stateEnteredEventDetails: { name, input: JSON.stringify(event.state.input) } }, event.timestamp);
        break;
      case 'StateExited':
        add(`${type}StateExited` as HistoryEventType, { stateExitedEventDetails: { name, output: JSON.stringify(event.state.output ?? null) } }, event.timestamp);
        break;
      case 'StateRetried':
        stateTransitions += 1;
        break;
      case 'StateFailed':
        if (type === 'Task' && state) addTaskFailure(add, state.Resource as string, event.Error, event.Cause, event.timestamp);
        break;
    }
  };

  return {
    events,
    get stateTransitions() {
      return stateTransitions;
    },
    add,
    async record(eventLogs, states) {
      for await (const event of eventLogs) recordEvent(event, states);
    },
  };
}

function addTaskFailure(add: History['add'], resource: string, error: string, cause: unknown, timestamp: number): void {
  const details = { ...resourceOf(resource), error, cause: typeof cause === 'string' ? cause : JSON.stringify(cause) };
  if (error === 'States.Timeout') add('TaskTimedOut', { taskTimedOutEventDetails: details }, timestamp);
  else add('TaskFailed', { taskFailedEventDetails: details }, timestamp);
}

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → lambda / invoke.waitForTaskToken; a function ARN → lambda / the ARN. */
function resourceOf(resource: string): { resourceType: string; resource: string } {
  const integration = /^arn:aws[a-z-]*:states:::([^:]+):(.+)$/.exec(resource);
  if (integration) return { resourceType: integration[1]!, resource: integration[2]! };
  return { resourceType: 'lambda', resource };
}
