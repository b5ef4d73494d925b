// `deploy --watch` over a scripted Step Functions API (moto's executions
// never finish and its history is a fixed sample): each phase of the workflow
// state's timeline is printed once, as it appears, and the exit code says
// whether the deployment succeeded. No network.
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { watchDeployment } from '../../cli/watch.ts';
import { createExecutions } from '../../functions/adapters/executions.ts';
import type { Wait } from '../../functions/adapters/store.ts';
import type { WorkflowState } from '../../functions/steps/workflow-state.ts';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:bluegreen-deploy';
const NAME = 'web-2-0-0-abc';
const ARN = `arn:aws:states:us-east-1:123456789012:execution:bluegreen-deploy:${NAME}`;
const T0 = Date.parse('2025-05-01T10:00:00Z');

function workflowState(phases: string[], outcome?: WorkflowState['outcome']): WorkflowState {
  return {
    service: 'web',
    version: '2.0.0',
    trigger: { kind: 'cli', by: 'cli:tester' },
    timeline: phases.map((phase, i) => ({ phase, at: T0 + i * 1000 })),
    ...(outcome ? { outcome } : {}),
  };
}

/** Newest first, as `reverseOrder` asks: the state entered last, after the state the last exit left. */
function history(entered: string, state: WorkflowState): { events: HistoryEvent[] } {
  return {
    events: [
      { id: 2, timestamp: new Date(), type: 'TaskStateEntered', stateEnteredEventDetails: { name: entered } },
      { id: 1, timestamp: new Date(), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Before', output: JSON.stringify(state) } },
    ],
  };
}

function described(status: string, extra: Record<string, unknown> = {}) {
  return { executionArn: ARN, stateMachineArn: STATE_MACHINE, name: NAME, status, startDate: new Date(T0), input: '{}', ...extra } as never;
}

/** `waits`: what each look at the store's wait finds, the last one repeated. */
async function watch(script: (sfn: ReturnType<typeof mockClient>) => void, waits: Array<Wait | null> = [null]) {
  let looks = 0;
  const client = new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const sfn = mockClient(client);
  script(sfn);
  const out: string[] = [];
  const code = await watchDeployment(
    {
      store: { active: () => Promise.resolve(null), getWait: () => Promise.resolve(waits[Math.min(looks++, waits.length - 1)] ?? null) },
      executions: createExecutions(client, STATE_MACHINE),
      sfn: client,
      io: { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {} },
      intervalMs: 1,
    },
    'web',
    NAME,
  );
  return { code, lines: out.join('').split('\n') };
}

describe('watchDeployment', () => {
  it('prints each new phase once, each state entered and the open wait, then exits 0 on success', async () => {
    // Prepare
    const wait: Wait = { executionArn: ARN, token: 'secret', kind: 'promotion', releaseNumber: 2, expiresAt: '2025-05-02T10:00:00.000Z', enteredAt: '2025-05-01T10:00:04.000Z', taken: null };

    // Act
    const { code, lines } = await watch((sfn) => {
      sfn
        .on(DescribeExecutionCommand)
        .resolvesOnce(described('RUNNING'))
        .resolvesOnce(described('RUNNING'))
        .resolves(described('SUCCEEDED', { stopDate: new Date(T0 + 65_000), output: JSON.stringify(workflowState(['prepared', 'healthy', 'canary 0%', 'promoted', 'succeeded'], 'succeeded')) }));
      sfn
        .on(GetExecutionHistoryCommand)
        .resolvesOnce(history('CreateTargetGroup', workflowState(['prepared'])))
        .resolves(history('Hold', workflowState(['prepared', 'healthy', 'canary 0%'])));
    }, [null, wait]);

    // Assess
    expect(code).toBe(0);
    expect(lines.filter((l) => !/→/.test(l))).toEqual([
      `watching ${NAME} every 0.001s (Ctrl-C stops watching, not the deployment)`,
      '  10:00:00  prepared',
      '  10:00:01  healthy',
      '  10:00:02  canary 0%',
      '  10:00:04  waiting: promotion of release 2 until 2025-05-02T10:00:00Z (bluegreen promote web | rollback web)',
      '  10:00:03  promoted',
      '  10:00:04  succeeded',
      `${NAME} SUCCEEDED (outcome succeeded), after 1m 5s`,
      '',
    ]);
    expect(lines.filter((l) => /→/.test(l)).map((l) => l.replace(/^ {2}\S+ {2}/, ''))).toEqual(['→ CreateTargetGroup', '→ Hold']);
    expect(lines.join('\n')).not.toContain('secret');
  });

  it.each([
    ['a rollback (the workflow fails with RolledBack)', described('FAILED', { error: 'RolledBack', cause: 'traffic is back on the last good release' }), 'FAILED: RolledBack: traffic is back on the last good release'],
    ['an abort (the workflow fails with Aborted)', described('FAILED', { error: 'Aborted', cause: 'an operator aborted the deployment; traffic is on the last good release' }), 'FAILED: Aborted: an operator aborted the deployment; traffic is on the last good release'],
    ['a stopped execution', described('ABORTED'), 'ABORTED'],
  ])('exits 1 after %s', async (_case, end, summary) => {
    // Act
    const { code, lines } = await watch((sfn) => {
      sfn.on(DescribeExecutionCommand).resolves(end);
      sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    });

    // Assess
    expect(code).toBe(1);
    expect(lines).toContain(`${NAME} ${summary}`);
  });
});
