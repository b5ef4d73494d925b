// The bake alarms against a real CloudWatch API. Emulators do not evaluate
// metrics, so a firing alarm is forced with SetAlarmState, as an operator
// testing a rollback would.
import { DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { createAlarms } from '../../functions/adapters/alarms.ts';
import type { AlarmSpec } from '../../functions/core/model.ts';
import { backends, useBackend } from '../support/backends.ts';

function spec(name: string, overrides: Partial<AlarmSpec> = {}): AlarmSpec {
  return {
    name,
    metricName: 'HTTPCode_Target_5XX_Count',
    namespace: 'AWS/ApplicationELB',
    statistic: 'Sum',
    threshold: 5,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    periodSeconds: 60,
    dimensions: { LoadBalancer: 'app/shop/50dc6c495c0c9188', TargetGroup: 'targetgroup/bg-shop-2/73e2d6bc24d8a067' },
    treatMissingData: 'notBreaching',
    tags: { 'bluegreen:service': 'shop' },
    ...overrides,
  };
}

describe.each(backends)('Alarms against $name', (backend) => {
  const clients = useBackend(backend);

  it('puts alarms with plain and extended statistics, and lists those of one release', async () => {
    // Prepare
    const { cloudWatch } = clients();
    const alarms = createAlarms(cloudWatch);
    const latency = spec('bg-put-2-latency', { metricName: 'TargetResponseTime', statistic: 'p99', threshold: 1, evaluationPeriods: 3 });

    // Act
    await alarms.put([spec('bg-put-2-5xx'), latency, spec('bg-put-3-5xx')]);

    // Assess
    const listed = await alarms.list('put', 2);
    expect(listed.map((a) => a.name).sort()).toEqual(['bg-put-2-5xx', 'bg-put-2-latency']);
    expect(listed.every((a) => ['OK', 'INSUFFICIENT_DATA'].includes(a.state))).toBe(true);
    const raw = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['bg-put-2-5xx', 'bg-put-2-latency'] }));
    const alarm = (name: string) => (raw.MetricAlarms ?? []).find((a) => a.AlarmName === name);
    expect(alarm('bg-put-2-5xx')).toMatchObject({ Statistic: 'Sum', Threshold: 5, Period: 60, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(alarm('bg-put-2-5xx')?.ExtendedStatistic).toBeUndefined();
    expect(alarm('bg-put-2-latency')).toMatchObject({
      MetricName: 'TargetResponseTime',
      Namespace: 'AWS/ApplicationELB',
      ExtendedStatistic: 'p99',
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      Dimensions: [
        { Name: 'LoadBalancer', Value: 'app/shop/50dc6c495c0c9188' },
        { Name: 'TargetGroup', Value: 'targetgroup/bg-shop-2/73e2d6bc24d8a067' },
      ],
    });
    expect(alarm('bg-put-2-latency')?.Statistic).toBeUndefined();
  });

  it('lists an alarm that fired in state ALARM, with its reason', async () => {
    // Prepare
    const { cloudWatch } = clients();
    const alarms = createAlarms(cloudWatch);
    await alarms.put([spec('bg-fire-2-5xx'), spec('bg-fire-2-unhealthy', { metricName: 'UnHealthyHostCount', statistic: 'Maximum', threshold: 0 })]);
    await cloudWatch.send(new SetAlarmStateCommand({ AlarmName: 'bg-fire-2-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed: 7 > 5' }));

    // Act
    const listed = await alarms.list('fire', 2);

    // Assess
    expect(listed.find((a) => a.name === 'bg-fire-2-5xx')).toEqual({ name: 'bg-fire-2-5xx', state: 'ALARM', reason: 'Threshold Crossed: 7 > 5' });
    expect(listed.find((a) => a.name === 'bg-fire-2-unhealthy')?.state).not.toBe('ALARM');
  });

  it('lists the alarms of a release and none of a service whose name continues the service\'s', async () => {
    // Prepare: release 2 of `shop`, and releases 1 and 12 of `shop-2` (their names start with `bg-shop-2-` too)
    const { cloudWatch } = clients();
    const alarms = createAlarms(cloudWatch);
    await alarms.put([spec('bg-shop-2-5xx'), spec('bg-shop-2-latency'), spec('bg-shop-2-1-5xx'), spec('bg-shop-2-12-latency'), spec('bg-shop-2-unrelated-by-hand')]);

    // Act
    const shop = await alarms.list('shop', 2);
    const other = await alarms.list('shop-2', 1);

    // Assess
    expect(shop.map((a) => a.name).sort()).toEqual(['bg-shop-2-5xx', 'bg-shop-2-latency']);
    expect(other.map((a) => a.name)).toEqual(['bg-shop-2-1-5xx']);
  });

  it('deletes alarms by name; names already gone are fine', async () => {
    // Prepare
    const { cloudWatch } = clients();
    const alarms = createAlarms(cloudWatch);
    await alarms.put([spec('bg-gone-2-5xx'), spec('bg-gone-2-latency'), spec('bg-kept-2-5xx')]);

    // Act
    await alarms.delete(['bg-gone-2-5xx', 'bg-gone-2-latency']);
    const again = await alarms.delete(['bg-gone-2-5xx']).catch((error: unknown) => error);

    // Assess
    expect(again).toBeUndefined();
    expect(await alarms.list('gone', 2)).toEqual([]);
    expect((await alarms.list('kept', 2)).map((a) => a.name)).toEqual(['bg-kept-2-5xx']);
  });
});
