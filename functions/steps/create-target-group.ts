// Creates tg-(n+1) with the live release's settings and attributes (or the
// configured defaults for a first release), tagged so state can be rebuilt.
import { findService, type ServiceConfig } from '../core/config.ts';
import { releaseTags } from '../core/names.ts';
import type { TargetGroupSettings } from '../adapters/target-groups.ts';
import type { StepDeps } from './deps.ts';
import { required, withPhase, type WorkflowState } from './workflow-state.ts';

export async function createTargetGroup(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const { targetGroups } = deps.adapters(service);
  const create = required(state.create, 'create');
  const settings = create.copyFrom ? await targetGroups.readSettings(create.copyFrom.targetGroupArn) : defaultSettings(service);
  const targetGroupArn = await targetGroups.create(create.targetGroupName, settings, releaseTags(service.name, create.number, create.version));
  const release = { service: service.name, number: create.number, version: create.version, targetGroupArn, targetGroupName: create.targetGroupName, autoScalingGroupName: create.autoScalingGroupName };
  return withPhase({ ...state, release }, 'target-group-created', deps.now());
}

export function defaultSettings(service: ServiceConfig): TargetGroupSettings {
  const tg = service.targetGroup;
  return {
    protocol: tg.protocol,
    port: tg.port,
    vpcId: tg.vpcId,
    targetType: 'instance',
    healthCheck: {
      path: tg.healthCheckPath,
      protocol: tg.protocol,
      port: 'traffic-port',
      intervalSeconds: tg.healthCheckIntervalSeconds,
      timeoutSeconds: Math.min(5, tg.healthCheckIntervalSeconds - 1),
      healthyThreshold: tg.healthyThreshold,
      unhealthyThreshold: tg.unhealthyThreshold,
      matcher: '200',
    },
    attributes: { 'deregistration_delay.timeout_seconds': String(tg.deregistrationDelaySeconds) },
  };
}
