// The real ASL run by the local Step Functions runtime, every task by the
// real step runner, AWS calls to moto, the store on dynalite. After each
// phase the listener is read back; after a failure the account must look as
// it did before the deployment.
import { DeregisterTargetsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createHandler as createAlarmHandler } from '../../functions/alarm.ts';
import { backends, useBackend } from '../support/backends.ts';
import { alarmEvent } from '../support/events.ts';
import { startDynalite, type RunningServer } from '../support/servers.ts';
import type { SlackApi } from '../../functions/lib/slack-api.ts';
import type { SlackMessage } from '../../functions/lib/slack-message.ts';
import { startDeployment, until, type Deployment } from './harness.ts';

const moto = backends.find((b) => b.name === 'moto')!;
const silent = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const lambdaContext = { functionName: 'alarm', awsRequestId: 'test' } as Context;

describe.skipIf(!moto.available)('deployment workflow on moto', () => {
  const clients = useBackend(moto);
  let dynalite: RunningServer;
  let awsEndpoint: string;
  const running: Deployment[] = [];

  beforeAll(async () => {
    dynalite = await startDynalite();
    awsEndpoint = await clients().elbv2.config.endpoint!().then((e) => `${e.protocol}//${e.hostname}:${e.port}`);
  });
  afterAll(async () => {
    await Promise.all(running.map((d) => d.stop()));
    await dynalite?.stop();
  });

  async function deployment(strategy: unknown, options: Parameters<typeof startDeployment>[3] = {}) {
    const d = await startDeployment(clients(), { aws: awsEndpoint, dynamodb: dynalite.endpoint }, strategy, options);
    running.push(d);
    return d;
  }

  /** Deploys v1 as the first release and waits until it is live. */
  async function withLiveV1(d: Deployment) {
    const first = await d.deploy('v1');
    const result = await d.finished(first);
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'SUCCEEDED' });
  }

  describe('header canary (the seed tables)', () => {
    const strategy = { type: 'header-canary', promotion: 'manual' };

    it('deploy → green only by header → promote → retire the old release', async () => {
      const d = await deployment(strategy);
      await withLiveV1(d);
      expect(await d.listener()).toEqual({ default: `bg-${d.service}-1`, blue: `bg-${d.service}-1`, green: 'fixed 404' });

      const execution = await d.deploy('v2');
      await d.waitFor('promotion');
      expect(await d.listener()).toEqual({ default: `bg-${d.service}-1`, blue: `bg-${d.service}-1`, green: `bg-${d.service}-2` });

      await d.signal('promote', 'slack:U1');
      await d.waitFor('retention');
      expect(await d.listener()).toEqual({ default: `bg-${d.service}-2`, blue: `bg-${d.service}-2`, green: 'fixed 404' });

      expect(await d.finished(execution)).toMatchObject({ status: 'SUCCEEDED' });
      const after = await d.snapshot();
      expect(after.targetGroups).toEqual([`bg-${d.service}-2`]);
      expect(after.autoScalingGroups).toEqual([{ name: `bg-${d.service}-2`, desired: 2 }]);
      expect(after.alarms.every((a) => a.startsWith(`bg-${d.service}-2-`))).toBe(true);
    });

    it('deploy → roll back: the account looks as before the deployment', async () => {
      const d = await deployment(strategy);
      await withLiveV1(d);
      const before = await d.snapshot();

      const execution = await d.deploy('v2');
      await d.waitFor('promotion');
      await d.signal('rollback', 'slack:U1');
      expect(await d.finished(execution)).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
      expect(await d.snapshot()).toEqual(before);
    });
  });

  it('keeps one Slack message per deployment, with Promote / Roll back buttons while it waits', async () => {
    const calls: Array<{ op: 'post' | 'update'; channel: string; ts?: string; text: string; buttons: string[] }> = [];
    const buttonsOf = (m: SlackMessage) => m.blocks?.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : [])) ?? [];
    const slack: SlackApi = {
      usergroupMembers: () => Promise.resolve([]),
      respond: () => Promise.resolve(),
      postMessage: (channel, m) => {
        calls.push({ op: 'post', channel, text: m.text, buttons: buttonsOf(m) });
        return Promise.resolve({ ts: `ts-${calls.length}` });
      },
      updateMessage: (channel, ts, m) => {
        calls.push({ op: 'update', channel, ts, text: m.text, buttons: buttonsOf(m) });
        return Promise.resolve();
      },
    };
    const d = await deployment({ type: 'header-canary', promotion: 'manual' }, { slack, service: { slack: { channels: ['C0DEPLOYS'], users: ['U1'] } } });
    await withLiveV1(d);
    calls.length = 0;

    const execution = await d.deploy('v2');
    await d.waitFor('promotion');
    await until(() => Promise.resolve(calls.some((c) => c.buttons.length > 0)), 'the waiting message');
    expect(calls.filter((c) => c.buttons.length > 0).at(-1)!.buttons).toEqual(['promote', 'rollback']);
    await d.signal('promote', 'slack:U1');
    expect(await d.finished(execution)).toMatchObject({ status: 'SUCCEEDED' });

    expect(calls.filter((c) => c.op === 'post')).toHaveLength(1);
    expect(calls.every((c) => c.channel === 'C0DEPLOYS')).toBe(true);
    expect(new Set(calls.filter((c) => c.op === 'update').map((c) => c.ts))).toEqual(new Set(['ts-1']));
    expect(calls.at(-1)).toMatchObject({ op: 'update', buttons: [] });
    expect(calls.at(-1)!.text).toContain('no deployment running');
  });

  describe.each([
    ['blue-green', { type: 'blue-green' }, 'retention'],
    ['weighted-canary', { type: 'weighted-canary', steps: [10, 50, 100] }, 'bake'],
    ['header-canary', { type: 'header-canary', promotion: 'automatic' }, 'bake'],
  ] as const)('%s', (_name, strategy, firstWait) => {
    it('deploy → promoted without a signal once every hold elapses', async () => {
      const d = await deployment(strategy);
      await withLiveV1(d);
      const execution = await d.deploy('v2');
      expect(await d.finished(execution)).toMatchObject({ status: 'SUCCEEDED' });
      expect((await d.listener()).default).toBe(`bg-${d.service}-2`);
      expect((await d.snapshot()).targetGroups).toEqual([`bg-${d.service}-2`]);
    });

    it(`an alarm during the ${firstWait} rolls back automatically and removes the new release`, async () => {
      const d = await deployment(strategy, { service: { bake: { seconds: 600 }, retention: { mode: 'warm', minutes: 10, generations: 0 } } });
      await withLiveV1(d);
      const before = await d.snapshot();
      const execution = await d.deploy('v2');
      await d.waitFor(firstWait);
      const alarmName = `bg-${d.service}-2-5xx`;
      await clients().cloudWatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: 'test: 5xx' }));
      // EventBridge delivers the state change to the alarm function, twice (at-least-once): one rollback.
      const alarm = createAlarmHandler({ config: d.config, store: d.engine.store, executions: d.engine.executions, logger: silent });
      const event = alarmEvent('alarm-state-alarm', { alarmName, id: `evt-${d.service}` });
      expect(await alarm(event, lambdaContext)).toMatchObject({ outcome: 'rollback-signalled' });
      expect(await alarm(event, lambdaContext)).toMatchObject({ outcome: 'ignored' });
      expect(await d.finished(execution)).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
      expect(await d.snapshot()).toEqual(before);
    });

    it('a new release that never becomes healthy moves no traffic and is removed', async () => {
      const d = await deployment(strategy, {
        beforeStep: async (event) => {
          // moto reports targets healthy at once: take v2's away before each poll, as failing health checks would.
          if (event.step !== 'checkHealth' || event.state.version !== 'v2' || !event.state.release) return;
          const arn = event.state.release.targetGroupArn;
          const health = await clients().elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
          const targets = (health.TargetHealthDescriptions ?? []).map((t) => ({ Id: t.Target!.Id!, Port: t.Target!.Port }));
          if (targets.length) await clients().elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: targets }));
        },
      });
      await withLiveV1(d);
      const before = await d.snapshot();
      const execution = await d.deploy('v2');
      expect(await d.finished(execution)).toMatchObject({ status: 'FAILED', error: 'HealthDeadlineExceeded' });
      expect(await d.snapshot()).toEqual(before);
    });
  });
});
