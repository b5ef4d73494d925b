// Tags of ELBv2 resources (load balancers, target groups, listeners, rules).
import type {
  AddTagsCommandInput,
  AddTagsCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  RemoveTagsCommandInput,
  RemoveTagsCommandOutput,
  Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AddTags$, DescribeTags$, RemoveTags$ } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError, required, validationError } from '../aws-error.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { LIMITS } from './limits.ts';
import type { Elbv2State } from './state.ts';

const MAX_RESOURCES = 20;

export function tagOperations(state: Elbv2State): Operation[] {
  return [
    operation(AddTags$, (input: AddTagsCommandInput): Answer<AddTagsCommandOutput> => {
      const arns = checkResources(state, required(input.ResourceArns, 'ResourceArns'));
      const tags = required(input.Tags, 'Tags');
      for (const arn of arns) checkTags(state, arn, tags);
      for (const arn of arns) setTags(state, arn, tags);
      return {};
    }),
    operation(RemoveTags$, (input: RemoveTagsCommandInput): Answer<RemoveTagsCommandOutput> => {
      const arns = checkResources(state, required(input.ResourceArns, 'ResourceArns'));
      const keys = new Set(required(input.TagKeys, 'TagKeys'));
      for (const arn of arns) state.tags.set(arn, (state.tags.get(arn) ?? []).filter((t) => !keys.has(t.Key!)));
      return {};
    }),
    operation(DescribeTags$, (input: DescribeTagsCommandInput): Answer<DescribeTagsCommandOutput> => {
      const arns = checkResources(state, required(input.ResourceArns, 'ResourceArns'));
      return { TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: state.tags.get(arn) ?? [] })) };
    }),
  ];
}

/** Validates tags for a resource (limits, duplicates, reserved prefix) without changing anything. */
export function checkTags(state: Elbv2State, arn: string, tags: Tag[]): void {
  const keys = tags.map((t) => t.Key ?? '');
  if (new Set(keys).size !== keys.length) throw new AwsError('DuplicateTagKeys', `Tag keys must be unique: ${keys.join(', ')}`);
  for (const t of tags) {
    if (!t.Key || t.Key.length > 128) throw validationError(`Tag key '${t.Key ?? ''}' must be 1 to 128 characters`);
    if ((t.Value ?? '').length > 256) throw validationError(`The value of tag '${t.Key}' must be at most 256 characters`);
    if (t.Key.toLowerCase().startsWith('aws:')) throw validationError(`Tag keys starting with 'aws:' are reserved: '${t.Key}'`);
  }
  const merged = new Set([...(state.tags.get(arn) ?? []).map((t) => t.Key), ...keys]);
  if (merged.size > LIMITS.tagsPerResource) throw new AwsError('TooManyTags', `The quota of ${LIMITS.tagsPerResource} tags per resource would be exceeded for '${arn}'`);
}

export function setTags(state: Elbv2State, arn: string, tags: Tag[]): void {
  const byKey = new Map((state.tags.get(arn) ?? []).map((t) => [t.Key!, t]));
  for (const t of tags) byKey.set(t.Key!, { Key: t.Key, Value: t.Value ?? '' });
  state.tags.set(arn, [...byKey.values()]);
}

function checkResources(state: Elbv2State, arns: string[]): string[] {
  if (arns.length > MAX_RESOURCES) throw validationError(`At most ${MAX_RESOURCES} resources can be tagged or described at once`);
  for (const arn of arns) {
    const kind = arn.split(':')[5]?.split('/')[0];
    if (kind === 'loadbalancer' && !state.loadBalancers.has(arn)) throw new AwsError('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
    if (kind === 'targetgroup' && !state.targetGroups.has(arn)) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
    if (kind === 'listener' && !state.listeners.has(arn)) throw new AwsError('ListenerNotFound', `Listener '${arn}' not found`);
    if (kind === 'listener-rule' && !state.rules.has(arn) && ![...state.listeners.values()].some((l) => l.defaultRuleArn === arn)) {
      throw new AwsError('RuleNotFound', `Rule '${arn}' not found`);
    }
    if (!['loadbalancer', 'targetgroup', 'listener', 'listener-rule'].includes(kind ?? '')) throw validationError(`'${arn}' is not a valid Elastic Load Balancing resource ARN`);
  }
  return arns;
}
