// Creates asg-(n+1): a launch template version carrying the artifact version,
// the live release's capacity and subnets (or the configured defaults),
// attached to tg-(n+1). Starts the health gate's clock.
import { findService } from '../core/config.ts';
import { releaseTags } from '../core/names.ts';
import type { StepDeps } from './deps.ts';
import { required, withPhase, type WorkflowState } from './workflow-state.ts';

export async function createFleet(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const { fleet } = deps.adapters(service);
  const create = required(state.create, 'create');
  const release = required(state.release, 'release');
  const source = create.copyFrom ? await fleet.describe(create.copyFrom.autoScalingGroupName) : null;
  const capacity = source ? source.capacity : service.capacity;
  const launchTemplateVersion = await fleet.launchTemplateVersion(
    service.launchTemplate.id,
    { name: release.autoScalingGroupName, version: release.version },
    service.launchTemplate.versionVariable,
  );
  await fleet.create({
    name: release.autoScalingGroupName,
    launchTemplate: { id: service.launchTemplate.id, version: launchTemplateVersion },
    capacity,
    subnets: source?.subnets.length ? source.subnets : service.subnets,
    targetGroupArn: release.targetGroupArn,
    healthCheckGracePeriod: source?.healthCheckGracePeriod ?? 60,
    tags: releaseTags(service.name, release.number, release.version),
  });
  const now = deps.now();
  return withPhase({ ...state, health: { ready: false, detail: `0/${capacity.desired} healthy`, since: now, desired: capacity.desired } }, 'fleet-created', now);
}
