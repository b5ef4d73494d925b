// Reliability scenarios on the local data plane: real keep-alive clients
// through the local load balancer while the real workflow switches traffic,
// and the cost in Step Functions history of a long manual-promotion wait.
import { afterEach, describe, expect, it } from 'vitest';
import { startLoad, type Load } from '../../local/load.ts';
import { GREEN_HEADER, SERVICE, startLiveService, type LiveService } from './live-service.ts';

const STRATEGIES = [
  { name: 'blue-green', strategy: { type: 'blue-green' }, decides: 'retention', greenAfter: '2.0.0' },
  { name: 'header-canary', strategy: { type: 'header-canary', promotion: 'manual', promotionTimeoutMinutes: 30 }, decides: 'promotion', greenAfter: '404 no release for this client mode' },
  { name: 'weighted-canary', strategy: { type: 'weighted-canary', steps: [10, 50, 100] }, decides: 'bake', greenAfter: '2.0.0' },
] as const;

let live: LiveService | undefined;
const loads: Load[] = [];
afterEach(async () => {
  for (const load of loads.splice(0)) await load.stop();
  await live?.stop();
  live = undefined;
});

describe('18. keep-alive clients stay error-free through every switch (local data plane)', () => {
  it.each(STRATEGIES)('18. $name: a keep-alive load through deploy → promote → rollback sees failed = 0', async ({ strategy, decides, greenAfter }) => {
    // Prepare: release 1 live before the load starts
    live = await startLiveService({ strategy, timeScale: 0.05, service: { bake: { seconds: 40 } } });
    const service = live;
    expect((await service.finished(await service.deploy('1.0.0'))).status).toBe('SUCCEEDED');
    loads.push(startLoad({ url: service.url, rps: 40 }), startLoad({ url: service.url, rps: 10, headers: GREEN_HEADER }));

    // Act: 2.0.0 deployed and promoted, then 3.0.0 rolled back while it decides
    const second = await service.deploy('2.0.0');
    if (decides === 'promotion') {
      await service.waitFor('promotion', second);
      expect((await service.command(`promote ${SERVICE}`)).statusCode).toBe(200);
    }
    const secondDone = await service.finished(second);
    const third = await service.deploy('3.0.0');
    await service.waitFor(decides, third);
    await new Promise((resolve) => setTimeout(resolve, service.cloud.realMs(30))); // the load meets 3.0.0
    const rollback = await service.command(`rollback ${SERVICE}`);
    const thirdDone = await service.finished(third);
    const summaries = await Promise.all(loads.splice(0).map((load) => load.stop()));

    // Assess
    expect(secondDone.status).toBe('SUCCEEDED');
    expect(rollback.body.response_type, JSON.stringify(rollback.body)).toBe('in_channel');
    expect(thirdDone).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    for (const summary of summaries) {
      expect(summary.failed).toBe(0);
      expect(summary.appErrors).toBe(0);
    }
    const seen = new Set(summaries.flatMap((summary) => Object.keys(summary.byVersion)));
    expect(seen).toEqual(new Set(['1.0.0', '2.0.0', '3.0.0']));
    expect(new Set(await service.served(10))).toEqual(new Set(['2.0.0']));
    expect(new Set(await service.served(10, GREEN_HEADER))).toEqual(new Set([greenAfter]));
  }, 30_000);
});

it('19. a long manual-promotion wait (half an hour) adds a constant number of history events, far below the 25,000 limit', async () => {
  // Prepare: release 1 live, release 2 a header canary waiting for promotion
  live = await startLiveService({ strategy: { type: 'header-canary', promotion: 'manual', promotionTimeoutMinutes: 24 * 60 }, timeScale: 0.004 });
  const service = live;
  expect((await service.finished(await service.deploy('1.0.0'))).status).toBe('SUCCEEDED');
  const canary = await service.deploy('2.0.0');
  await service.waitFor('promotion', canary);
  const eventsOf = () => service.engine.runtime.getExecutionHistory({ executionArn: canary, maxResults: 1000 }).events ?? [];
  const waitStarted = service.engine.now();
  const atWait = eventsOf().length;

  // Act: people look at the canary for half an hour (workflow time), then promote
  const samples: number[] = [];
  while (service.engine.now() - waitStarted < 30 * 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    samples.push(eventsOf().length);
  }
  expect((await service.command(`promote ${SERVICE}`)).statusCode).toBe(200);
  const done = await service.finished(canary);

  // Assess
  expect(samples.length).toBeGreaterThan(10);
  expect(new Set(samples)).toEqual(new Set([atWait]));
  expect(done.status).toBe('SUCCEEDED');
  const total = eventsOf().length;
  expect(total).toBeLessThan(200);
  expect(new Set(await service.served(5))).toEqual(new Set(['2.0.0']));
}, 30_000);
