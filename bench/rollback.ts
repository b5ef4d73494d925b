// Figure 2, rollback latency: release 2 is live, release 1 retained (warm,
// standby or scaled to zero); release 2's alarm goes to ALARM. Measured from
// the alarm's state change event to the listener write that puts the default
// action back on release 1, with every local cloud API call in between (the
// critical path: nothing else calls during the retention wait).
import { DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { alarmPrefix, targetGroupName } from '../functions/core/names.ts';
import type { ApiCallCounts, CloudLogEntry } from '../local/cloud/local-cloud.ts';
import { sleep, startStack } from './stack.ts';

export const RETENTION_MODES = ['warm', 'standby', 'zero'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

export interface RollbackRow {
  retention: RetentionMode;
  /** Alarm state change → default rule on release 1, real ms. */
  detectToRoutedMs: number;
  /** The same in AWS time (real ms ÷ time scale), for the configured waits of a standby or zero release. */
  detectToRoutedAwsSeconds: number;
  listenerWrites: number;
  reads: number;
  otherWrites: number;
  apiCalls: ApiCallCounts;
}

const SERVICE = 'shop';
const LISTENER_WRITES = new Set(['ModifyListener', 'ModifyRule', 'CreateRule', 'DeleteRule', 'SetRulePriorities']);

export async function measureRollback(retention: RetentionMode, timeScale: number): Promise<RollbackRow> {
  const switches: Array<{ at: number; entry: CloudLogEntry; calls: ApiCallCounts }> = [];
  let alarmAt: { at: number; calls: ApiCallCounts } | null = null;
  const holder: { calls?: () => ApiCallCounts } = {};
  const stack = await startStack({
    services: 1,
    strategy: 'blue-green',
    timeScale,
    instanceMode: 'process',
    bakeSeconds: 5,
    retention: { mode: retention, minutes: 30 },
    cloudLog: (entry) => {
      if (entry.event === 'listener-modified' && holder.calls) switches.push({ at: performance.now(), entry, calls: holder.calls() });
    },
    onEvent: (event) => {
      const detail = (event as { detail?: { state?: { value?: string } } }).detail;
      if (detail?.state?.value === 'ALARM' && holder.calls) alarmAt ??= { at: performance.now(), calls: holder.calls() };
    },
  });
  holder.calls = () => stack.cloud.apiCalls();
  try {
    const first = await stack.engine.runtime.waitForExecution(await stack.deploy(SERVICE, '1.0.0'));
    if (first.status !== 'SUCCEEDED') throw new Error(`release 1 failed: ${first.error} ${first.cause}`);
    const second = await stack.deploy(SERVICE, '2.0.0');
    await waitForRetention(stack.engine.store);
    await sleep(stack.cloud.realMs(20)); // the retained release settles (drained, in standby, or at zero)

    const alarms = await stack.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: alarmPrefix(SERVICE, 2) }));
    const alarmName = alarms.MetricAlarms?.[0]?.AlarmName;
    if (!alarmName) throw new Error('release 2 has no alarm during its retention window');
    const switchesBefore = switches.length;
    await stack.cloudWatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: 'bench: rollback latency' }));
    const routed = await waitForSwitchTo(switches, switchesBefore, targetGroupName(SERVICE, 1), stack.cloud.realMs(300));
    const start = alarmAt as { at: number; calls: ApiCallCounts } | null;
    if (!start) throw new Error('the alarm state change never reached EventBridge');
    const ended = await stack.engine.runtime.waitForExecution(second); // release 2 removed: nothing runs when the stack stops
    if (ended.error !== 'RolledBack') throw new Error(`release 2 ended ${ended.status} ${ended.error}, not rolled back`);
    const apiCalls = difference(routed.calls, start.calls);
    const operations = Object.values(apiCalls).flatMap((ops) => Object.entries(ops));
    const count = (keep: (op: string) => boolean) => operations.filter(([op]) => keep(op)).reduce((sum, [, n]) => sum + n, 0);
    const ms = routed.at - start.at;
    return {
      retention,
      detectToRoutedMs: Math.round(ms),
      detectToRoutedAwsSeconds: Math.round(ms / stack.cloud.realMs(1) * 10) / 10,
      listenerWrites: count((op) => LISTENER_WRITES.has(op)),
      reads: count((op) => /^(Describe|Get|List)/.test(op)),
      otherWrites: count((op) => !LISTENER_WRITES.has(op) && !/^(Describe|Get|List)/.test(op)),
      apiCalls,
    };
  } finally {
    await stack.stop();
  }
}

async function waitForRetention(store: { getWait: (service: string) => Promise<{ kind: string; taken: unknown } | null | undefined> }): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const wait = await store.getWait(SERVICE);
    if (wait?.kind === 'retention' && wait.taken === null) return;
    await sleep(25);
  }
  throw new Error('release 2 never reached its retention window');
}

async function waitForSwitchTo<T extends { entry: CloudLogEntry }>(switches: T[], from: number, targetGroup: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = switches.slice(from).find((s) => JSON.stringify(s.entry.defaultActions).includes(`/${targetGroup}/`));
    if (hit) return hit;
    await sleep(5);
  }
  throw new Error(`no listener write routed back to ${targetGroup}`);
}

function difference(after: ApiCallCounts, before: ApiCallCounts): ApiCallCounts {
  const result: ApiCallCounts = {};
  for (const [service, ops] of Object.entries(after) as Array<[keyof ApiCallCounts, Record<string, number>]>) {
    for (const [op, n] of Object.entries(ops)) {
      const delta = n - (before[service]?.[op] ?? 0);
      if (delta > 0) (result[service] ??= {})[op] = delta;
    }
  }
  return result;
}
