// Traffic back on the last good release. The critical path of an alarm
// rollback from a warm release is one listener read, one health read and one
// listener write; a standby or scaled-to-zero release is brought back first
// and the workflow polls this step until it is healthy: traffic never moves
// to an empty target group.
import { findService } from '../core/config.ts';
import { assertWithinDeadline } from '../core/health.ts';
import type { StepDeps } from './deps.ts';
import { restore } from './release-lifecycle.ts';
import { planningView } from '../core/state.ts';
import { applyListener, knownReleases, planFor } from './traffic.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export async function rollBack(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  const command = state.signal?.action === 'abort' ? 'abort' : 'rollback';
  const listener = await aws.router.readListener(service.listener.listenerArn);
  const p = planFor(service, planningView(listener, state.expected), knownReleases(state), { type: command });
  const now = deps.now();

  for (const release of p.restore) {
    const desired = state.health?.desired ?? service.capacity.desired;
    const since = state.rolledBack === false && state.health ? state.health.since : now;
    const verdict = await restore(aws, release, { min: Math.min(desired, service.capacity.min), max: Math.max(desired, service.capacity.max), desired });
    if (!verdict.ready) {
      assertWithinDeadline(verdict, since, now, service.healthGate.deadlineSeconds, `release ${release.number} (restoring for rollback)`);
      return { ...state, rolledBack: false, health: { ready: false, detail: verdict.detail, since, desired } };
    }
  }

  const { writes, changes } = await applyListener(service, aws, listener, p, state.expected);
  const by = state.signal?.by ?? 'timeout';
  deps.logger.warn('rolled back', { command, by, reason: state.signal?.reason, changes });
  await deps.store.append(service.name, {
    kind: 'step',
    step: command,
    by,
    reason: state.signal?.reason,
    version: state.version,
    releaseNumber: state.release?.number,
    listenerChanges: writes,
  });
  return withPhase(
    { ...state, rolledBack: true, expected: p.listener, phase: p.next.phase, remove: p.remove, outcome: command === 'abort' ? 'aborted' : 'rolled-back' },
    command === 'abort' ? 'aborted' : 'rolled-back',
    deps.now(),
  );
}

