// Entering a hold (waitForTaskToken): record the task token where promote,
// rollback, abort and alarms will find it, then read the release's alarms.
// The workflow then waits for a signal or for the hold's timeout.
//
// The reads come after the wait is recorded: an alarm that changes state
// after the read finds the open wait (the alarm function answers it), one
// that changed before is seen by the read, and the hold answers its own wait
// with the alarm's rollback, as the alarm function would. So with an abort:
// one asked for while no wait was open (this hold being entered) was
// written on the lock, and the hold answers its own wait with it.
import { findService } from '../core/config.ts';
import { ConcurrentUpdate, NothingToRollBack, TaskTokenRejected } from '../core/errors.ts';
import { signal, signalAlarm, type SignalResult } from '../lib/dispatch.ts';
import { readFiringAlarm } from './arm-alarms.ts';
import type { StepDeps } from './deps.ts';
import { executionNameOf, required, type WorkflowState } from './workflow-state.ts';

export async function hold(deps: StepDeps, state: WorkflowState, context: { execution: string; token?: string }): Promise<WorkflowState> {
  const hold = required(state.hold, 'hold');
  if (hold.kind === 'none') throw new Error('the workflow holds only when there is something to wait for');
  const release = required(state.release, 'release');
  await deps.store.putWait(state.service, {
    executionArn: context.execution,
    token: required(context.token, 'token'),
    kind: hold.kind,
    releaseNumber: release.number,
    expiresAt: new Date(deps.now() + hold.seconds * 1000).toISOString(),
  });
  deps.logger.info('holding', { kind: hold.kind, seconds: hold.seconds, onTimeout: hold.onTimeout });

  const dispatch = { store: deps.store, executions: deps.executions };
  const abort = await deps.store.abortRequested(state.service, executionNameOf(context.execution));
  if (abort) {
    deps.logger.warn('an abort was asked for as the hold began', { by: abort.by, kind: hold.kind });
    await answerOwnWait(deps, () => signal(dispatch, state.service, { action: 'abort', by: abort.by, reason: abort.reason }));
    return state;
  }
  const alarm = await readFiringAlarm(deps, findService(deps.config, state.service), release);
  if (!alarm) return state;
  deps.logger.warn('an alarm of the release is in ALARM as the hold begins', { alarm: alarm.name, kind: hold.kind });
  await answerOwnWait(deps, () => signalAlarm(dispatch, state.service, release.number, alarm, `as the ${hold.kind} wait opened`));
  return state;
}

async function answerOwnWait(deps: StepDeps, answer: () => Promise<SignalResult>): Promise<void> {
  try {
    await answer();
  } catch (error) {
    // Answered meanwhile (the alarm's own event, an operator) or timed out: the workflow goes on from that.
    if (!(error instanceof ConcurrentUpdate || error instanceof NothingToRollBack || error instanceof TaskTokenRejected)) throw error;
    deps.logger.info('the wait was answered before the hold could answer it', { reason: error.message });
  }
}
