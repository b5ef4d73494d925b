// The listeners the plan can produce. A listener the workflow leaves behind
// must be one of them: the desired listener of some state, never a mix of
// two (the shape a task that died between two writes leaves). Pure.
import type { StrategyConfig } from './config.ts';
import { matches } from './diff.ts';
import { desiredListener, referencedTargetGroups } from './listener.ts';
import type { DeploymentState, ListenerView, Phase, Release } from './model.ts';

// Stryker disable next-line StringLiteral: the desired listener tells only 'canary' from the other phases, so a phase renamed is still tried as one of them
const PHASES: Phase[] = ['stable', 'provisioned', 'canary', 'promoted'];

/**
 * True when the owned part of `listener` (the default action and the rules
 * bluegreen created) is exactly what the plan wants for some state: some
 * choice of live, candidate and previous release among the target groups the
 * listener references, some phase and, for a weighted canary, one of its
 * steps. The states are few (a listener references a handful of groups), so
 * every one is tried.
 */
export function isPlanShape(strategy: StrategyConfig, listener: ListenerView, header: string): boolean {
  return planShapeState(strategy, listener, header) !== null;
}

/** A state whose desired listener is exactly `listener`'s owned part, or null when there is none. */
export function planShapeState(strategy: StrategyConfig, listener: ListenerView, header: string): DeploymentState | null {
  const groups = [...referencedTargetGroups(listener)].map(standIn);
  // Stryker disable next-line MethodExpression,EqualityOperator,ConditionalExpression: a weight of 100 is the promoted state's listener (forward targets compare as a set), so trying it adds no shape
  const weights = strategy.type === 'weighted-canary' ? [0, ...strategy.steps.filter((w) => w < 100)] : [0];
  // Stryker disable next-line MethodExpression: a release chosen twice makes a forward with one group twice, which no listener has (ALB refuses it)
  const choices = (taken: Array<Release | null>) => [null, ...groups.filter((g) => !taken.includes(g))];
  // The user's stickiness on the default forward is kept by every write: it is part of every state.
  const { defaultAction } = listener;
  // Stryker disable next-line ConditionalExpression,LogicalOperator: an undefined stickiness is no stickiness to the desired listener
  const stickiness = defaultAction.type === 'forward' && defaultAction.stickiness ? { stickiness: defaultAction.stickiness } : {};
  // Stryker disable ArrayDeclaration: what is taken only keeps a release from being chosen twice (see choices)
  for (const live of choices([])) {
    for (const candidate of choices([live])) {
      for (const previous of choices([live, candidate])) {
        // Stryker restore ArrayDeclaration
        for (const phase of PHASES) {
          for (const canaryWeight of weights) {
            // Stryker disable next-line StringLiteral,ArrayDeclaration: the desired listener reads neither the service nor the older releases
            const state: DeploymentState = { service: '', phase, live, candidate, previous, canaryWeight, older: [], ...stickiness };
            if (matches(listener, desiredListener(strategy, state), header)) return state;
          }
        }
      }
    }
  }
  return null;
}

/** The plan reads only target group ARNs: any group stands for a release. */
function standIn(targetGroupArn: string, index: number): Release {
  // Stryker disable next-line StringLiteral,ArithmeticOperator: the desired listener reads only the target group ARN
  return { service: '', number: index + 1, version: '', targetGroupArn, targetGroupName: targetGroupArn, autoScalingGroupName: '' };
}
