// A deployment played forward on paper, from the core alone: each phase the
// workflow would reach (attach → shift → [advance…] → promote), the exact
// listener writes that get there from the listener of the phase before, the
// hold that follows (the health gate after attach), and what a rollback from
// that phase would write. The ALB limits are checked at every phase, as the
// workflow checks them before writing.
import type { ServiceConfig } from '../functions/core/config.ts';
import { applyWrites, describeWrite, diffListener } from '../functions/core/diff.ts';
import { NothingToRollBack, QuotaExceeded } from '../functions/core/errors.ts';
import { holdAfter, type Hold } from '../functions/core/holds.ts';
import { headerOf } from '../functions/core/listener.ts';
import type { DeploymentState, ListenerView, ListenerWrite, Phase, Release } from '../functions/core/model.ts';
import { plan } from '../functions/core/plan.ts';
import { checkLimits } from '../functions/core/quotas.ts';

export interface RollbackPreview {
  writes: ListenerWrite[];
  changes: string[];
  /** Releases brought back to serve before the listener changes. */
  restore: number[];
  /** Releases deleted after it changes. */
  remove: number[];
}

/**
 * What follows `attach`: no hold but the health gate, polled until every
 * desired target of the new release is healthy; past the deadline the
 * deployment fails and the release is removed (the workflow compensates with
 * an abort).
 */
export interface HealthGateWait {
  kind: 'health';
  /** The health gate's deadline. */
  seconds: number;
  onTimeout: 'abort';
}

export interface PhasePreview {
  command: 'attach' | 'shift' | 'advance' | 'promote';
  /** The phase reached. */
  phase: Phase;
  canaryWeight: number;
  writes: ListenerWrite[];
  /** The writes in words, in the order they are made. */
  changes: string[];
  /** What the workflow waits for next. */
  hold: Hold | HealthGateWait;
  /** Null when there is nothing to roll back to (a first release). */
  rollback: RollbackPreview | null;
}

export interface DeploymentPreview {
  phases: PhasePreview[];
  /** The most rules the deployment has added to the load balancer at any phase. */
  maxAddedRules: number;
}

/**
 * @param current where the service stands now (no candidate)
 * @param candidate the release the deploy creates, with a stand-in target group ARN
 * @param rulesOnLoadBalancer non-default rules on every listener of the load balancer now
 */
export function previewDeployment(
  service: ServiceConfig,
  listener: ListenerView,
  current: DeploymentState,
  candidate: Release,
  rulesOnLoadBalancer: number,
): DeploymentPreview {
  const header = headerOf(service.strategy);
  const forward: PhasePreview['command'] = service.strategy.type === 'weighted-canary' ? 'advance' : 'promote';
  const phases: PhasePreview[] = [];
  let state: DeploymentState = { ...current, phase: 'provisioned', candidate };
  let view = listener;
  let added = 0;
  let maxAddedRules = 0;
  let command: PhasePreview['command'] = 'attach';

  for (;;) {
    const p = plan(service, state, { type: command });
    const writes = diffListener(view, p.listener, header);
    try {
      checkLimits(p.listener, writes, rulesOnLoadBalancer + added);
    } catch (error) {
      if (error instanceof QuotaExceeded) throw new QuotaExceeded(`${command}: ${error.message}`, { cause: error });
      throw error;
    }
    added += writes.filter((w) => w.kind === 'create-rule').length - writes.filter((w) => w.kind === 'delete-rule').length;
    maxAddedRules = Math.max(maxAddedRules, added);
    view = applyWrites(view, writes);
    phases.push({
      command,
      phase: p.next.phase,
      canaryWeight: p.next.canaryWeight,
      writes,
      changes: writes.map(describeWrite),
      hold: command === 'attach' ? { kind: 'health', seconds: service.healthGate.deadlineSeconds, onTimeout: 'abort' } : holdAfter(service, p.next.phase),
      rollback: rollbackFrom(service, p.next, view),
    });
    if (command !== 'attach' && p.next.phase !== 'canary') return { phases, maxAddedRules };
    state = p.next;
    command = command === 'attach' ? 'shift' : forward;
  }
}

function rollbackFrom(service: ServiceConfig, state: DeploymentState, view: ListenerView): RollbackPreview | null {
  let p;
  try {
    p = plan(service, state, { type: 'rollback' });
  } catch (error) {
    if (error instanceof NothingToRollBack) return null;
    throw error;
  }
  const writes = diffListener(view, p.listener, headerOf(service.strategy));
  return { writes, changes: writes.map(describeWrite), restore: p.restore.map((r) => r.number), remove: p.remove.map((r) => r.number) };
}

export { applyWrites };
