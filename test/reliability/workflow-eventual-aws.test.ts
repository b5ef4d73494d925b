// Reliability: what real AWS does that an instant emulator does not, on the
// full workflow (real ASL, real step Lambda, local cloud).
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './workflow-world.ts';

describe('reliability: AWS as it really behaves', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('DeleteTargetGroup answering ResourceInUse for a while after the listener change → retried, the old release still retired', async () => {
    // Prepare
    world = await startWorld();
    await world.release('v1');
    const fault = world.cloud.injectFault({ service: 'elasticloadbalancing', operation: 'DeleteTargetGroup', error: 'ResourceInUse', count: 3 });

    // Act
    const done = await world.finished(await world.deploy('v2'));

    // Assess
    expect(done).toMatchObject({ status: 'SUCCEEDED' });
    expect(fault.hits).toBe(3);
    expect(await world.snapshot()).toMatchObject({ listener: { default: 'bg-shop-2' }, targetGroups: ['bg-shop-2'], alarms: ['bg-shop-2-5xx'] });
    expect(await world.lastFinished()).toMatchObject({ outcome: 'succeeded', version: 'v2' });
  });
});
