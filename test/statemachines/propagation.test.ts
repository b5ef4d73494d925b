// A listener write reaches the load balancer after a while ("Edit a listener
// rule for your Application Load Balancer": requests can be routed by the
// previous rules for a short time). The workflow never takes capacity from a
// release in the same step as the write that took its traffic, and nothing
// follows a write before a Wait of at least PROPAGATION_SECONDS.
import { describe, expect, it } from 'vitest';
import { AWS_REALISM } from '../../local/cloud/realism.ts';
import { buildDefinition, PROPAGATION_SECONDS } from '../../statemachines/build.ts';

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Seconds?: number;
  Parameters?: { step?: string };
  Choices?: Array<{ Next: string }>;
  Catch?: Array<{ Next: string }>;
}
const { States } = buildDefinition() as { States: Record<string, AslState> };

function successors(state: AslState): string[] {
  return [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next), ...(state.Catch ?? []).map((c) => c.Next)].filter((n): n is string => !!n);
}
const predecessors = (name: string) => Object.entries(States).filter(([, s]) => successors(s).includes(name));

describe('listener propagation in the workflow', () => {
  const cleanups = Object.entries(States).filter(([, s]) => s.Parameters?.step === 'cleanup');

  it('has a cleanup after every step that can take traffic from a release', () => {
    for (const writer of writers) {
      // Within four transitions (a Choice on the outcome, the Choice on what to remove, the Wait, the cleanup).
      let reached = [writer];
      for (let hop = 0; hop < 4; hop++) reached = [...new Set([...reached, ...reached.flatMap((n) => successors(States[n]!))])];
      expect(reached.some((n) => States[n]?.Parameters?.step === 'cleanup'), writer).toBe(true);
    }
  });

  const writers = ['ShiftTraffic', 'Advance', 'Promote', 'RollBack', 'Retire', 'Compensate'];
  /**
   * Where a writer goes once it has written the listener: RollBack first learns
   * whether it could; Advance and Promote whether they were refused (an alarm in ALARM, nothing written).
   */
  const afterWrite = (writer: string): string[] => {
    if (writer === 'RollBack') return [States.IsRolledBack!.Choices![0]!.Next];
    if (writer === 'Advance' || writer === 'Promote') return [States[`Is${writer}Refused`]!.Default!];
    return [States[writer]!.Next!];
  };

  it.each(writers)('waits out the propagation before anything follows a write of %s', (writer) => {
    const waits = afterWrite(writer);
    for (const name of waits) {
      expect(States[name]!.Type).toBe('Wait');
      expect(States[name]!.Seconds).toBeGreaterThanOrEqual(PROPAGATION_SECONDS);
    }
  });

  it.each(cleanups.map(([name]) => name))('enters %s only after a Wait longer than the propagation', (name) => {
    const before = predecessors(name);
    expect(before.length).toBeGreaterThan(0);
    for (const [choice] of before) {
      const entries = predecessors(choice);
      expect(entries.length).toBeGreaterThan(0);
      for (const [, state] of entries) {
        expect(state.Type).toBe('Wait');
        expect(state.Seconds).toBeGreaterThanOrEqual(PROPAGATION_SECONDS);
      }
    }
  });

  it('waits longer than the local cloud takes to propagate a change', () => {
    const modelled = AWS_REALISM.listenerPropagation;
    expect(modelled).not.toBe(false);
    expect(PROPAGATION_SECONDS).toBeGreaterThanOrEqual(2 * (modelled as { seconds: number }).seconds);
  });
});
