// Entering a hold (waitForTaskToken): record the task token where promote,
// rollback, abort and alarms will find it. The workflow then waits for a
// signal or for the hold's timeout.
import type { StepDeps } from './deps.ts';
import { required, type WorkflowState } from './workflow-state.ts';

export async function hold(deps: StepDeps, state: WorkflowState, context: { execution: string; token?: string }): Promise<WorkflowState> {
  const hold = required(state.hold, 'hold');
  if (hold.kind === 'none') throw new Error('the workflow holds only when there is something to wait for');
  await deps.store.putWait(state.service, {
    executionArn: context.execution,
    token: required(context.token, 'token'),
    kind: hold.kind,
    releaseNumber: required(state.release, 'release').number,
    expiresAt: new Date(deps.now() + hold.seconds * 1000).toISOString(),
  });
  deps.logger.info('holding', { kind: hold.kind, seconds: hold.seconds, onTimeout: hold.onTimeout });
  return state;
}
