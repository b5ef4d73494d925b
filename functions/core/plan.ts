// The deployment plan: current state + command → the state to reach, the
// listener that expresses it, and what to create, restore, retain and remove.
// Pure: the step handlers read AWS, call `plan`, then apply the result.
import type { ServiceConfig } from './config.ts';
import {
  DeploymentInProgress,
  NothingToAbort,
  NothingToAdvance,
  NothingToPromote,
  NothingToRollBack,
  NothingToShift,
  VersionAlreadyLive,
} from './errors.ts';
import { desiredListener } from './listener.ts';
import type { Command, DeploymentState, DesiredListener, Release } from './model.ts';
import { autoScalingGroupName, targetGroupName } from './names.ts';

export interface NewRelease {
  number: number;
  version: string;
  targetGroupName: string;
  autoScalingGroupName: string;
  /** The release whose target group settings and capacity are copied; null: use the configured defaults. */
  copyFrom: Release | null;
}

export type RetentionMode = ServiceConfig['retention']['mode'];

export interface Plan {
  command: Command;
  /** The state once the plan is applied. */
  next: DeploymentState;
  /** The listener that expresses `next`. */
  listener: DesiredListener;
  /** Created before anything else (deploy). */
  create: NewRelease | null;
  /** Must serve (out of standby, scaled up, every target healthy) before the listener changes. */
  restore: Release[];
  /** Put into retention after the listener changes. */
  retain: Array<{ release: Release; mode: RetentionMode }>;
  /** Deleted after the listener changes, each as alarms → Auto Scaling group → target group. */
  remove: Release[];
}

export function plan(service: ServiceConfig, state: DeploymentState, command: Command): Plan {
  const result = (next: DeploymentState, extra: Partial<Omit<Plan, 'command' | 'next' | 'listener'>> = {}): Plan => ({
    command,
    next,
    listener: desiredListener(service.strategy, next),
    create: null,
    restore: [],
    retain: [],
    remove: [],
    ...extra,
  });
  const { live, candidate, previous } = state;

  switch (command.type) {
    case 'deploy': {
      if (candidate) {
        throw new DeploymentInProgress(`${service.name}: release ${candidate.number} (version ${candidate.version}) is already ${state.phase}; promote, roll back or abort it first`);
      }
      if (live?.version === command.version) throw new VersionAlreadyLive(`${service.name}: version ${command.version} is already live (release ${live.number})`);
      const number = Math.max(0, ...[live, previous, ...state.older].map((r) => r?.number ?? 0)) + 1;
      return result(state, {
        create: {
          number,
          version: command.version,
          targetGroupName: targetGroupName(service.name, number),
          autoScalingGroupName: autoScalingGroupName(service.name, number),
          copyFrom: live,
        },
      });
    }

    case 'attach': {
      // The candidate joins the listener at weight 0, so the load balancer health-checks it.
      if (state.phase !== 'provisioned' || !candidate) throw new NothingToShift(`${service.name}: no new release to attach (phase ${state.phase})`);
      return result(state);
    }

    case 'shift': {
      if (state.phase !== 'provisioned' || !candidate) throw new NothingToShift(`${service.name}: no new release waiting for traffic (phase ${state.phase})`);
      if (!live) return result({ ...state, phase: 'stable', live: candidate, candidate: null, canaryWeight: 0 });
      const { strategy } = service;
      if (strategy.type === 'header-canary') return result({ ...state, phase: 'canary', canaryWeight: 0 });
      if (strategy.type === 'weighted-canary' && strategy.steps[0]! < 100) return result({ ...state, phase: 'canary', canaryWeight: strategy.steps[0]! });
      return promote(state, candidate, live);
    }

    case 'advance': {
      const { strategy } = service;
      if (strategy.type !== 'weighted-canary' || state.phase !== 'canary' || !candidate || !live) {
        throw new NothingToAdvance(`${service.name}: no weighted canary in progress (phase ${state.phase}, strategy ${strategy.type})`);
      }
      const step = strategy.steps.find((w) => w > state.canaryWeight);
      if (step === undefined || step >= 100) return promote(state, candidate, live);
      return result({ ...state, canaryWeight: step });
    }

    case 'promote': {
      if (state.phase !== 'canary' || !candidate || !live) throw new NothingToPromote(`${service.name}: nothing to promote (phase ${state.phase})`);
      return promote(state, candidate, live);
    }

    case 'rollback':
    case 'abort': {
      if ((state.phase === 'provisioned' || state.phase === 'canary') && candidate) {
        if (!live && command.type === 'rollback') throw new NothingToRollBack(`${service.name}: release ${candidate.number} is the first release; there is nothing to roll back to (abort removes it)`);
        return result({ ...state, phase: previous ? 'promoted' : 'stable', candidate: null, canaryWeight: 0 }, { remove: [candidate] });
      }
      if (state.phase === 'promoted' && previous && live) {
        const [nextPrevious = null, ...older] = state.older;
        return result({ ...state, phase: nextPrevious ? 'promoted' : 'stable', live: previous, previous: nextPrevious, older, candidate: null, canaryWeight: 0 }, { restore: [previous], remove: [live] });
      }
      const Err = command.type === 'rollback' ? NothingToRollBack : NothingToAbort;
      throw new Err(`${service.name}: nothing to ${command.type === 'rollback' ? 'roll back to' : 'abort'} (phase ${state.phase}${live ? `, release ${live.number} live` : ''})`);
    }

    case 'retire': {
      const old = [previous, ...state.older].filter((r): r is Release => r !== null);
      const kept = old.slice(0, service.retention.generations);
      const [nextPrevious = null, ...older] = kept;
      const phase = state.phase === 'promoted' ? (nextPrevious ? 'promoted' : 'stable') : state.phase;
      return result({ ...state, phase, previous: nextPrevious, older }, { retain: kept.map((release) => ({ release, mode: 'zero' as const })), remove: old.slice(kept.length) });
    }
  }

  function promote(s: DeploymentState, next: Release, current: Release): Plan {
    const older = [s.previous, ...s.older].filter((r): r is Release => r !== null);
    return result({ ...s, phase: 'promoted', live: next, candidate: null, previous: current, older, canaryWeight: 0 }, { retain: [{ release: current, mode: service.retention.mode }] });
  }
}
