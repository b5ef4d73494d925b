// The authorization table and the code agree: every AWS call in functions/
// and cli/ has a row, and every row a function makes is a call in the code.
import { describe, expect, it } from 'vitest';
import { CALLS } from './authorization.ts';
import { codeCalls } from './code-calls.ts';

/**
 * Rows for calls AWS services make, not our code: the state machine invoking the step function, the forwarding rule,
 * Lambda managing the probe function's network interfaces with its role.
 */
const MADE_BY_AWS = new Set(['state-machine', 'alarm-forwarding', 'probe']);

describe('the authorization table', () => {
  const found = codeCalls();

  it('has a row for every AWS call of functions/ and cli/', () => {
    const missing = found.filter(({ call }) => !CALLS.some((row) => row.call === call));

    expect(found.length).toBeGreaterThan(30);
    expect(missing.map(({ call, file }) => `${call} (${file})`)).toEqual([]);
  });

  it('has no row for a call the code does not make', () => {
    const stale = CALLS.filter((row) => !row.callers.every((c) => MADE_BY_AWS.has(c)) && !found.some(({ call }) => call === row.call));

    expect(stale.map((row) => row.call)).toEqual([]);
  });

  it('finds the calls the adapters make through the document client, paginators and Powertools', () => {
    const calls = new Set(found.map(({ call }) => call));

    for (const call of ['dynamodb:UpdateItem', 'dynamodb:Query', 'elasticloadbalancing:DescribeRules', 'states:GetExecutionHistory', 'ssm:GetParameter', 'sts:AssumeRole']) {
      expect(calls.has(call), call).toBe(true);
    }
  });
});
