// AWS takes its time, and the local cloud with it: instances boot for 30 s
// and start their app 20 s later ("Amazon EC2 Auto Scaling instance
// lifecycle"), a deleted Auto Scaling group stays listed "Delete in progress"
// for minutes ("Delete your Auto Scaling infrastructure"). Tests that need a
// healthy release give the gate room for the boot, and assertions on what is
// left wait for deletions to end.
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { startWorld, until, type AccountSnapshot, type World, type WorldOptions } from './workflow-world.ts';

/** A health gate of three minutes: boot, app start and two passing checks fit with room for a busy machine. */
export const BOOTING_GATE = { deadlineSeconds: 180, pollSeconds: 2 };

/** `startWorld` with the booting gate, unless the test sets its own. */
export function startBootingWorld(options: WorldOptions = {}): Promise<World> {
  return startWorld({ ...options, service: { healthGate: BOOTING_GATE, ...options.service } });
}

export async function settledSnapshot(world: World, timeoutMs = 30_000): Promise<AccountSnapshot> {
  await until(async () => {
    const { AutoScalingGroups } = await world.autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
    return !(AutoScalingGroups ?? []).some((g) => g.Status === 'Delete in progress');
  }, 'every Auto Scaling group deletion to finish', timeoutMs);
  return world.snapshot();
}
