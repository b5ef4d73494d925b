// Arms the new release's alarms before it takes any traffic.
import { alarmSpecs } from '../core/alarms.ts';
import { findService } from '../core/config.ts';
import type { StepDeps } from './deps.ts';
import { required, type WorkflowState } from './workflow-state.ts';

export async function armAlarms(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  await deps.adapters(service).alarms.put(alarmSpecs(service, required(state.release, 'release'), service.listener.loadBalancerArn));
  return state;
}
