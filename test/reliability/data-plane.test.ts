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

/**
 * The versions `count` requests get once the listener's last change reached the load balancer (a few AWS
 * seconds after the write, local/cloud/realism.ts): asks until they are `expected`, at most a real second.
 */
async function servedOnce(service: LiveService, expected: string, headers?: Record<string, string>): Promise<Set<string>> {
  const deadline = Date.now() + 1000;
  for (;;) {
    const seen = new Set(await service.served(10, headers));
    if ((seen.size === 1 && seen.has(expected)) || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A minute lasts 1.2 s: instance boots, bakes, retention and the target groups' release after it in a few seconds. */
const TIME_SCALE = 0.02;

let live: LiveService | undefined;
const loads: Load[] = [];
afterEach(async () => {
  for (const load of loads.splice(0)) await load.stop();
  await live?.stop();
  live = undefined;
});

describe('18. keep-alive clients stay error-free through every switch (local data plane)', () => {
  it.each(STRATEGIES)('18. $name: a keep-alive load through deploy → promote → rollback sees failed = 0', async ({ strategy, decides, greenAfter }) => {
    // Prepare: release 1 live before the load starts; the steps are timed for a failure's message
    const t0 = Date.now();
    const steps: string[] = [];
    live = await startLiveService({
      strategy,
      timeScale: TIME_SCALE,
      // Retention outlasts the rollback below by a minute and a half on a busy machine.
      service: { bake: { seconds: 40 }, retention: { mode: 'warm', minutes: 2, generations: 0 } },
      beforeStep: (event) => void steps.push(`${Date.now() - t0} ${event.step} ${event.state.version}`),
    });
    const service = live;
    expect((await service.finished(await service.deploy('1.0.0'))).status).toBe('SUCCEEDED');
    expect(await servedOnce(service, '1.0.0')).toEqual(new Set(['1.0.0']));
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
    await new Promise((resolve) => setTimeout(resolve, service.cloud.realMs(20))); // the load meets 3.0.0
    const rollback = await service.command(`rollback ${SERVICE}`);
    const thirdDone = await service.finished(third);
    const stopped = loads.splice(0);
    const summaries = await Promise.all(stopped.map((load) => load.stop()));
    const failures = stopped.flatMap((load) => load.samples().filter((s) => s.kind === 'failed').map((s) => `${s.at + load.startedAt - t0} ${s.status ?? s.error}`));

    // Assess
    expect(secondDone.status).toBe('SUCCEEDED');
    expect(rollback.body.response_type, JSON.stringify(rollback.body)).toBe('in_channel');
    expect(thirdDone).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    for (const summary of summaries) {
      expect(summary.failed, `failed requests (ms, answer): ${failures.join(', ')}; steps (ms): ${steps.join(', ')}`).toBe(0);
      expect(summary.appErrors).toBe(0);
    }
    const seen = new Set(summaries.flatMap((summary) => Object.keys(summary.byVersion)));
    expect(seen).toEqual(new Set(['1.0.0', '2.0.0', '3.0.0']));
    expect(await servedOnce(service, '2.0.0')).toEqual(new Set(['2.0.0']));
    expect(await servedOnce(service, greenAfter, GREEN_HEADER)).toEqual(new Set([greenAfter]));
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
  expect(await servedOnce(service, '2.0.0')).toEqual(new Set(['2.0.0']));
}, 30_000);
