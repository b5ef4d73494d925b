// What the workflow waits for after traffic moves, and what happens when the
// wait ends without a signal. A signal (promote, rollback, abort) can end any
// wait early; an alarm sends rollback.
import type { ServiceConfig } from './config.ts';
import type { Phase } from './model.ts';

export type HoldKind = 'promotion' | 'bake' | 'retention' | 'none';
export type OnTimeout = 'promote' | 'advance' | 'rollback' | 'retire';

export interface Hold {
  kind: HoldKind;
  /** Step Functions `TimeoutSecondsPath`: at least 1. */
  seconds: number;
  onTimeout: OnTimeout;
}

export function holdAfter(service: ServiceConfig, phase: Phase): Hold {
  const { strategy, bake, retention } = service;
  if (phase === 'canary') {
    if (
      // Stryker disable next-line ConditionalExpression: only a header canary has `promotion` (the schema strips it from the other strategies)
      strategy.type === 'header-canary' &&
      strategy.promotion === 'manual'
    ) {
      return { kind: 'promotion', seconds: strategy.promotionTimeoutMinutes * 60, onTimeout: 'rollback' };
    }
    return { kind: 'bake', seconds: Math.max(1, bake.seconds), onTimeout: strategy.type === 'weighted-canary' ? 'advance' : 'promote' };
  }
  if (phase === 'promoted') {
    // The old release stays ready for a one-write rollback; alarms stay armed.
    return { kind: 'retention', seconds: Math.max(1, bake.seconds, retention.minutes * 60), onTimeout: 'retire' };
  }
  return { kind: 'none', seconds: 1, onTimeout: 'retire' };
}
