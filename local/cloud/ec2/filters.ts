// EC2 `Filters`: `tag:Key`, `tag-key`, or a field name (`vpc-id`, …); values
// of one filter are OR'ed, filters AND'ed, `*`/`?` wildcards allowed.
import type { Filter, Tag } from '@aws-sdk/client-ec2';
import { matchesWildcard } from '../wildcard.ts';

export function matchesFilters(filters: Filter[] | undefined, fields: Record<string, string | undefined>, tags: Tag[]): boolean {
  return (filters ?? []).every((filter) => {
    const values = filter.Values ?? [];
    const name = filter.Name ?? '';
    const candidates = candidatesFor(name, fields, tags);
    return candidates.some((c) => values.some((v) => matchesWildcard(v, c)));
  });
}

function candidatesFor(name: string, fields: Record<string, string | undefined>, tags: Tag[]): string[] {
  if (name.startsWith('tag:')) return tags.filter((t) => t.Key === name.slice(4)).map((t) => t.Value ?? '');
  if (name === 'tag-key') return tags.map((t) => t.Key ?? '');
  if (name === 'tag-value') return tags.map((t) => t.Value ?? '');
  const value = fields[name];
  return value === undefined ? [] : [value];
}

/** The tags of `TagSpecifications` meant for `resourceType`. */
export function tagsFor(resourceType: string, specs: { ResourceType?: string; Tags?: Tag[] }[] | undefined): Tag[] {
  return (specs ?? []).filter((s) => s.ResourceType === resourceType).flatMap((s) => s.Tags ?? []);
}
