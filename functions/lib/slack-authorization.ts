// Who may do what from Slack, per service:
// - `slack.channels`, when not empty: every command must come from one of them;
// - `status` and `help` are then open to anyone;
// - promote / roll back / abort need the user in `slack.users`, or in one of
//   the `slack.groups` user groups (looked up through Slack, cached).
import type { ServiceConfig } from '../core/config.ts';
import type { Caller, CommandAction } from './slack-command.ts';

/** The members of one Slack user group (`usergroups.users.list`). */
export type GroupMembers = (groupId: string) => Promise<string[]>;

export type Decision = { allowed: true } | { allowed: false; reason: string };

export const GROUP_CACHE_MS = 5 * 60_000;

export async function authorize(service: ServiceConfig, caller: Caller, action: CommandAction, groupMembers?: GroupMembers): Promise<Decision> {
  const { channels, users, groups } = service.slack;
  if (channels.length > 0 && !channels.includes(caller.channelId)) {
    return { allowed: false, reason: `commands for ${service.name} are accepted only in ${channels.map((c) => `<#${c}>`).join(', ')}` };
  }
  if (action === 'status' || action === 'help') return { allowed: true };
  if (users.includes(caller.userId)) return { allowed: true };
  const refused = `<@${caller.userId}> may not ${action} ${service.name}: not in its slack.users nor in one of its slack.groups`;
  if (groups.length === 0) return { allowed: false, reason: refused };
  if (!groupMembers) return { allowed: false, reason: `${refused} (group membership cannot be checked: no Slack bot token is configured)` };
  try {
    for (const group of groups) {
      if ((await groupMembers(group)).includes(caller.userId)) return { allowed: true };
    }
  } catch (error) {
    return { allowed: false, reason: `${refused} (group membership could not be checked: ${(error as Error).message})` };
  }
  return { allowed: false, reason: refused };
}

/** Remembers each group's members for `ttlMs` (per container). */
export function cachedGroupMembers(lookup: GroupMembers, ttlMs = GROUP_CACHE_MS, now: () => number = Date.now): GroupMembers {
  const cache = new Map<string, { members: string[]; until: number }>();
  return async (groupId) => {
    const hit = cache.get(groupId);
    if (hit && hit.until > now()) return hit.members;
    const members = await lookup(groupId);
    cache.set(groupId, { members, until: now() + ttlMs });
    return members;
  };
}
