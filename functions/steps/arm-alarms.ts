// Arms the new release's alarms before it takes any traffic, and reads them
// back where the workflow must not go on while one is in ALARM: as each hold
// opens, and before it advances or promotes. CloudWatch emits one event per
// state change; one that arrives while no wait is open is read here instead.
import { alarmSpecs, firingAlarm } from '../core/alarms.ts';
import { findService, type ServiceConfig } from '../core/config.ts';
import type { AlarmView, Release } from '../core/model.ts';
import type { StepDeps } from './deps.ts';
import { required, type WorkflowState } from './workflow-state.ts';

export async function armAlarms(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  await deps.adapters(service).alarms.put(alarmSpecs(service, required(state.release, 'release'), service.listener.loadBalancerArn));
  return state;
}

/** The first alarm `armAlarms` armed on `release` that is in ALARM now, or null (no call when it armed none). */
export async function readFiringAlarm(deps: StepDeps, service: ServiceConfig, release: Release): Promise<AlarmView | null> {
  const armed = alarmSpecs(service, release, service.listener.loadBalancerArn).map((spec) => spec.name);
  if (armed.length === 0) return null;
  return firingAlarm(await deps.adapters(service).alarms.list(service.name, release.number), armed);
}
