// What happens to a release's resources outside the listener: retention
// after a promotion (warm, standby, zero), restoring one for a rollback, and
// removal in the only safe order: rules (already) → alarms → Auto Scaling
// group → target group.
import { healthVerdict, type HealthVerdict } from '../core/health.ts';
import { ResourceInUse } from '../core/errors.ts';
import { referencedTargetGroups } from '../core/listener.ts';
import type { Capacity, ListenerView, Release } from '../core/model.ts';
import type { RetentionMode } from '../core/plan.ts';
import type { ServiceAdapters } from './deps.ts';

export async function retain(aws: ServiceAdapters, release: Release, mode: RetentionMode): Promise<void> {
  if (mode === 'warm') return;
  const fleet = await aws.fleet.describe(release.autoScalingGroupName);
  if (!fleet) return;
  const { max, desired } = fleet.capacity;
  // Standby lowers the desired capacity, which AWS refuses below the minimum: release the minimum first.
  if (mode === 'standby') {
    if (fleet.capacity.min > 0) await aws.fleet.setCapacity(release.autoScalingGroupName, { min: 0, max, desired });
    await aws.fleet.standby(release.autoScalingGroupName, true);
  }
  if (mode === 'zero' && desired > 0) await aws.fleet.setCapacity(release.autoScalingGroupName, { min: 0, max, desired: 0 });
}

/**
 * Makes a retained release serve again. Cheapest first: a warm release is one
 * health read; a standby or scaled-to-zero one is brought back to `capacity`
 * and reported not ready until every desired target is healthy.
 */
export async function restore(aws: ServiceAdapters, release: Release, capacity: Capacity): Promise<HealthVerdict> {
  const targets = await aws.targetGroups.health(release.targetGroupArn);
  const registered = targets.filter((t) => t.state !== 'draining' && t.state !== 'unused');
  const warm = healthVerdict(targets, Math.max(1, registered.length));
  if (warm.ready && registered.length >= capacity.desired) return warm;

  const fleet = await aws.fleet.describe(release.autoScalingGroupName);
  if (!fleet) throw new ResourceInUse(`release ${release.number} cannot be restored: Auto Scaling group ${release.autoScalingGroupName} no longer exists`);
  if (fleet.instances.some((i) => i.lifecycleState.startsWith('Standby'))) await aws.fleet.standby(release.autoScalingGroupName, false);
  if (fleet.capacity.desired < capacity.desired || fleet.capacity.min < capacity.min) await aws.fleet.setCapacity(release.autoScalingGroupName, capacity);
  return healthVerdict(targets, Math.max(capacity.desired, fleet.capacity.desired));
}

export async function remove(aws: ServiceAdapters, listener: ListenerView, release: Release): Promise<void> {
  if (referencedTargetGroups(listener).has(release.targetGroupArn)) {
    throw new ResourceInUse(`refusing to delete release ${release.number}: listener ${listener.listenerArn} still sends traffic to ${release.targetGroupName}`);
  }
  const alarms = await aws.alarms.list(release.service, release.number);
  if (alarms.length > 0) await aws.alarms.delete(alarms.map((a) => a.name));
  await aws.fleet.delete(release.autoScalingGroupName);
  await aws.targetGroups.delete(release.targetGroupArn);
}
