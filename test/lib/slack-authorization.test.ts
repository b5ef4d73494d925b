// Who may do what from Slack: channels restrict every command; status and help
// are open; promote, rollback and abort need the user listed or in a listed
// user group. Group members are cached per container. Pure.
import { describe, expect, it } from 'vitest';
import { parseConfig, type ServiceConfig } from '../../functions/core/config.ts';
import { authorize, cachedGroupMembers, GROUP_CACHE_MS, type Decision, type GroupMembers } from '../../functions/lib/slack-authorization.ts';
import type { CommandAction } from '../../functions/lib/slack-command.ts';

function service(slack: Record<string, string[]>): ServiceConfig {
  return parseConfig({
    services: [
      { name: 'web', github: { repository: 'acme/web' }, listener: { loadBalancerArn: 'lb', listenerArn: 'l' }, launchTemplate: { id: 'lt' }, subnets: ['s'], targetGroup: { vpcId: 'v' }, slack },
    ],
  }).services[0]!;
}

const ONCALL: Record<string, string[]> = { S0ONCALL: ['U0ONCALL'], S0LEADS: ['U0LEAD'] };
const members: GroupMembers = (group) => Promise.resolve(ONCALL[group] ?? []);
const caller = (userId: string, channelId = 'C0DEPLOYS') => ({ userId, channelId });
const REFUSED = (user: string, action: string) => `<@${user}> may not ${action} web: not in its slack.users nor in one of its slack.groups`;

describe('authorize', () => {
  const open = service({});
  const locked = service({ channels: ['C0DEPLOYS', 'C0OPS'], users: ['U0RELEASER'], groups: ['S0ONCALL', 'S0LEADS'] });

  it.each<[string, ServiceConfig, ReturnType<typeof caller>, CommandAction, GroupMembers | undefined, Decision]>([
    ['status from anyone, anywhere, when no channel is set', open, caller('U0ANY', 'C0ELSEWHERE'), 'status', undefined, { allowed: true }],
    ['help from anyone in a listed channel', locked, caller('U0ANY'), 'help', undefined, { allowed: true }],
    ['status from anyone in the second listed channel', locked, caller('U0ANY', 'C0OPS'), 'status', undefined, { allowed: true }],
    ['a promote by a listed user', locked, caller('U0RELEASER'), 'promote', undefined, { allowed: true }],
    ['an abort by a member of the first group', locked, caller('U0ONCALL'), 'abort', members, { allowed: true }],
    ['a rollback by a member of the second group', locked, caller('U0LEAD', 'C0OPS'), 'rollback', members, { allowed: true }],
    ['a promote by nobody listed, with no groups', open, caller('U0ANY'), 'promote', members, { allowed: false, reason: REFUSED('U0ANY', 'promote') }],
    ['a rollback by someone in no group', locked, caller('U0ANY'), 'rollback', members, { allowed: false, reason: REFUSED('U0ANY', 'rollback') }],
    [
      'any command from another channel',
      locked,
      caller('U0RELEASER', 'C0ELSEWHERE'),
      'status',
      members,
      { allowed: false, reason: 'commands for web are accepted only in <#C0DEPLOYS>, <#C0OPS>' },
    ],
    [
      'a group member when no Slack bot token can look groups up',
      locked,
      caller('U0ONCALL'),
      'promote',
      undefined,
      { allowed: false, reason: `${REFUSED('U0ONCALL', 'promote')} (group membership cannot be checked: no Slack bot token is configured)` },
    ],
    [
      'a group member when Slack fails to answer',
      locked,
      caller('U0ONCALL'),
      'abort',
      () => Promise.reject(new Error('ratelimited')),
      { allowed: false, reason: `${REFUSED('U0ONCALL', 'abort')} (group membership could not be checked: ratelimited)` },
    ],
  ])('%s', async (_case, config, who, action, lookup, decision) => {
    expect(await authorize(config, who, action, lookup)).toEqual(decision);
  });

  it('does not look groups up for a listed user, nor for status', async () => {
    const asked: string[] = [];
    const counting: GroupMembers = (group) => (asked.push(group), members(group));
    await authorize(locked, caller('U0RELEASER'), 'promote', counting);
    await authorize(locked, caller('U0ANY'), 'status', counting);
    expect(asked).toEqual([]);
  });

  it('stops looking at the first group that has the user', async () => {
    const asked: string[] = [];
    await authorize(locked, caller('U0ONCALL'), 'promote', (group) => (asked.push(group), members(group)));
    expect(asked).toEqual(['S0ONCALL']);
  });
});

describe('cachedGroupMembers', () => {
  it('asks Slack once per group within five minutes, again after', async () => {
    let now = 1_000_000;
    const asked: string[] = [];
    const cached = cachedGroupMembers((group) => (asked.push(group), Promise.resolve([`${group}-member-${asked.length}`])), GROUP_CACHE_MS, () => now);

    expect(await cached('S1')).toEqual(['S1-member-1']);
    now += GROUP_CACHE_MS - 1;
    expect(await cached('S1')).toEqual(['S1-member-1']);
    expect(await cached('S2')).toEqual(['S2-member-2']);
    now += 1;
    expect(await cached('S1')).toEqual(['S1-member-3']);
    expect(asked).toEqual(['S1', 'S2', 'S1']);
  });

  it('keeps members five minutes by default, on the real clock', async () => {
    expect(GROUP_CACHE_MS).toBe(300_000);
    let calls = 0;
    const cached = cachedGroupMembers(() => (calls++, Promise.resolve(['U1'])));
    await cached('S1');
    await cached('S1');
    expect(calls).toBe(1);
  });

  it('does not cache a failed lookup', async () => {
    let calls = 0;
    const cached = cachedGroupMembers(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('timeout')) : Promise.resolve(['U1']);
    });
    await expect(cached('S1')).rejects.toThrow('timeout');
    expect(await cached('S1')).toEqual(['U1']);
  });
});
