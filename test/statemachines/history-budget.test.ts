// One execution must stay far inside Step Functions' 25,000-event history
// quota. The loops are what can grow: a health gate poll, and a rollback's
// restore poll. This counts the events one turn of each loop costs in the
// generated ASL and checks the configuration's bound against the quota.
import { describe, expect, it } from 'vitest';
import { HEALTH_POLL_HISTORY_EVENTS, MAX_HEALTH_POLLS } from '../../functions/core/config.ts';
import { buildDefinition } from '../../statemachines/build.ts';

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
}
const { States } = buildDefinition() as { States: Record<string, AslState> };

/**
 * History events of one state without retries (Step Functions API reference,
 * "HistoryEvent"): a Task on a Lambda function records TaskStateEntered,
 * LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded and
 * TaskStateExited; a Wait or a Choice its Entered and Exited events.
 */
const EVENTS: Record<string, number> = { Task: 5, Wait: 2, Choice: 2 };

/** Events of one turn of the loop starting at `start`, following the not-ready branch (a Choice's Default). */
function eventsPerTurn(start: string): number {
  let events = 0;
  let at = start;
  for (let steps = 0; steps < 10; steps++) {
    const state = States[at];
    if (!state) throw new Error(`no state ${at}`);
    events += EVENTS[state.Type] ?? Number.NaN;
    at = (state.Type === 'Choice' ? state.Default : state.Next) ?? '';
    if (at === start) return events;
  }
  throw new Error(`${start} is not a loop`);
}

describe('the history budget of one execution', () => {
  it.each(['WaitForHealthy', 'WaitForRestore'])('costs the configured number of events per poll in the %s loop', (loop) => {
    expect(eventsPerTurn(loop)).toBe(HEALTH_POLL_HISTORY_EVENTS);
  });

  it('keeps both polling loops at their bound under a quarter of the 25,000-event quota', () => {
    // The deploy's health gate and a rollback's restore gate share the bound.
    expect(2 * MAX_HEALTH_POLLS * HEALTH_POLL_HISTORY_EVENTS).toBeLessThan(25_000 / 4);
  });
});
