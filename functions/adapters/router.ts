// The ALB listener as the plan sees it: read into a `ListenerView`, written
// back as an ordered list of `ListenerWrite`s. No decisions here.
//
// AWS operations (elasticloadbalancing:*): DescribeRules (the listener, default
// rule included), DescribeTags (who made each header rule), DescribeListeners
// (rule count of a load balancer), ModifyListener, CreateRule, ModifyRule,
// DeleteRule.
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeTagsCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  paginateDescribeListeners,
  paginateDescribeRules,
  type Action as ElbAction,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfigInvalid, ResourceNotFound } from '../core/errors.ts';
import { MANAGED_BY, TAG, type Action, type HeaderRule, type ListenerView, type ListenerWrite, type LiveRule } from '../core/model.ts';
import { call } from './aws-errors.ts';

/** DescribeTags takes at most 20 ARNs per call. */
const TAGS_BATCH = 20;

export interface TrafficRouter {
  readListener(listenerArn: string): Promise<ListenerView>;
  /** Executes the writes one after the other, in the given order. */
  applyWrites(listenerArn: string, writes: ListenerWrite[]): Promise<void>;
  /** Non-default rules over every listener of the load balancer (the ALB quota counts these). */
  countRules(loadBalancerArn: string): Promise<number>;
}

export function createTrafficRouter(client: ElasticLoadBalancingV2Client): TrafficRouter {
  return {
    async readListener(listenerArn) {
      // One call: DescribeRules lists the default rule too (IsDefault), so a
      // rollback's critical path reads the listener once.
      const rules = await describeRules(client, listenerArn);
      const defaultRule = rules.find((rule) => rule.IsDefault);
      if (!defaultRule) throw new ResourceNotFound(`listener ${listenerArn} has no default rule`);
      const shaped = rules.filter((rule) => !rule.IsDefault).map(toLiveRule);
      // A rule is ours only if bluegreen made it (the tag CreateRule sets), whatever
      // header it matches. Only header rules can be ours: only they are asked about,
      // so a listener without header rules is still read in one call.
      const owners = await createdByUs(client, shaped.filter((rule) => rule.managed).map((rule) => rule.ruleArn));
      return {
        listenerArn,
        defaultAction: toDefaultAction(listenerArn, defaultRule.Actions ?? []),
        rules: shaped.map((rule) => ({ ...rule, managed: rule.managed && owners.has(rule.ruleArn) })).sort((a, b) => a.priority - b.priority),
      };
    },

    async applyWrites(listenerArn, writes) {
      for (const write of writes) await applyWrite(client, listenerArn, write);
    },

    async countRules(loadBalancerArn) {
      const listenerArns = await call('elasticloadbalancing:DescribeListeners', async () => {
        const arns: string[] = [];
        for await (const page of paginateDescribeListeners({ client }, { LoadBalancerArn: loadBalancerArn })) {
          for (const listener of page.Listeners ?? []) if (listener.ListenerArn) arns.push(listener.ListenerArn);
        }
        return arns;
      });
      let count = 0;
      for (const listenerArn of listenerArns) {
        count += (await describeRules(client, listenerArn)).filter((rule) => !rule.IsDefault).length;
      }
      return count;
    },
  };
}

async function describeRules(client: ElasticLoadBalancingV2Client, listenerArn: string): Promise<Rule[]> {
  return call('elasticloadbalancing:DescribeRules', async () => {
    const rules: Rule[] = [];
    for await (const page of paginateDescribeRules({ client }, { ListenerArn: listenerArn })) rules.push(...(page.Rules ?? []));
    return rules;
  });
}

/** The rules among `ruleArns` that carry `bluegreen:managed-by=bluegreen`. */
async function createdByUs(client: ElasticLoadBalancingV2Client, ruleArns: string[]): Promise<Set<string>> {
  const owned = new Set<string>();
  for (let i = 0; i < ruleArns.length; i += TAGS_BATCH) {
    const described = await call('elasticloadbalancing:DescribeTags', () =>
      client.send(new DescribeTagsCommand({ ResourceArns: ruleArns.slice(i, i + TAGS_BATCH) })),
    );
    for (const d of described.TagDescriptions ?? []) {
      if ((d.Tags ?? []).some((t) => t.Key === TAG.managedBy && t.Value === MANAGED_BY)) owned.add(d.ResourceArn ?? '');
    }
  }
  return owned;
}

async function applyWrite(client: ElasticLoadBalancingV2Client, listenerArn: string, write: ListenerWrite): Promise<void> {
  switch (write.kind) {
    case 'modify-default':
      await call('elasticloadbalancing:ModifyListener', () =>
        client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [toElbAction(write.action)] })),
      );
      return;
    case 'create-rule':
      await call('elasticloadbalancing:CreateRule', () =>
        client.send(
          new CreateRuleCommand({
            ListenerArn: listenerArn,
            Priority: write.rule.priority,
            Conditions: toConditions(write.rule),
            Actions: [toElbAction(write.rule.action)],
            // IAM lets this system modify and delete only rules carrying this tag.
            Tags: [{ Key: TAG.managedBy, Value: MANAGED_BY }],
          }),
        ),
      );
      return;
    case 'modify-rule':
      // ModifyRule cannot move a rule: a new priority is a delete plus a create.
      await call('elasticloadbalancing:ModifyRule', () =>
        client.send(
          new ModifyRuleCommand({ RuleArn: write.ruleArn, Conditions: toConditions(write.rule), Actions: [toElbAction(write.rule.action)] }),
        ),
      );
      return;
    case 'delete-rule':
      await call('elasticloadbalancing:DeleteRule', () => client.send(new DeleteRuleCommand({ RuleArn: write.ruleArn })));
      return;
  }
}

/**
 * The listener's default action must be one forward or one fixed response:
 * anything else (a redirect, an authenticate step) would be lost on the first
 * write, so the listener is refused instead.
 */
function toDefaultAction(listenerArn: string, actions: ElbAction[]): Action {
  const action = actions.length === 1 && actions[0] ? toAction(actions[0]) : null;
  if (!action) {
    const types = actions.map((a) => a.Type).join(' + ') || 'none';
    throw new ConfigInvalid(`listener ${listenerArn}: default action is ${types}; only a single forward or fixed-response can be managed`);
  }
  return action;
}

/** Of a shape we manage: exactly one `http-header` condition and one forward or fixed-response action (ownership is read from the tags after). */
function toLiveRule(rule: Rule): LiveRule {
  const conditions = rule.Conditions ?? [];
  const actions = rule.Actions ?? [];
  const header = conditions.length === 1 ? conditions[0]?.HttpHeaderConfig : undefined;
  const action = actions.length === 1 && actions[0] ? toAction(actions[0]) : null;
  const managed = conditions[0]?.Field === 'http-header' && header !== undefined && action !== null;
  return {
    ruleArn: rule.RuleArn ?? '',
    priority: Number(rule.Priority),
    header: header?.HttpHeaderName ?? '',
    values: header?.Values ?? [],
    // The model has no shape for redirects or authenticate steps; such a
    // rule is unmanaged and read as forwarding nowhere.
    action: action ?? lastAction(actions) ?? { type: 'forward', targets: [] },
    managed,
  };
}

/** The action that ends a rule (after any authenticate steps), when the model can express it. */
function lastAction(actions: ElbAction[]): Action | null {
  const last = [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).at(-1);
  return last ? toAction(last) : null;
}

function toAction(action: ElbAction): Action | null {
  if (action.Type === 'forward') {
    // A plain `TargetGroupArn` forward is one target group with weight 1.
    const groups = action.ForwardConfig?.TargetGroups ?? (action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn }] : []);
    const sticky = action.ForwardConfig?.TargetGroupStickinessConfig;
    return {
      type: 'forward',
      targets: groups.map((group) => ({ targetGroupArn: group.TargetGroupArn ?? '', weight: group.Weight ?? 1 })),
      ...(sticky?.Enabled && sticky.DurationSeconds ? { stickiness: { durationSeconds: sticky.DurationSeconds } } : {}),
    };
  }
  if (action.Type === 'fixed-response' && action.FixedResponseConfig) {
    const fixed = action.FixedResponseConfig;
    return {
      type: 'fixed-response',
      statusCode: Number(fixed.StatusCode),
      contentType: fixed.ContentType ?? '',
      body: fixed.MessageBody ?? '',
    };
  }
  return null;
}

/**
 * Forwards are always written with ForwardConfig, so weights are explicit,
 * and with the stickiness they were read with: a ModifyListener or ModifyRule
 * replaces the whole action, and one written without
 * TargetGroupStickinessConfig turns stickiness off.
 */
function toElbAction(action: Action): ElbAction {
  if (action.type === 'forward') {
    return {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: action.targets.map((t) => ({ TargetGroupArn: t.targetGroupArn, Weight: t.weight })),
        ...(action.stickiness ? { TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: action.stickiness.durationSeconds } } : {}),
      },
    };
  }
  return {
    Type: 'fixed-response',
    FixedResponseConfig: {
      StatusCode: String(action.statusCode),
      ...(action.contentType ? { ContentType: action.contentType } : {}),
      ...(action.body ? { MessageBody: action.body } : {}),
    },
  };
}

function toConditions(rule: HeaderRule): RuleCondition[] {
  return [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: rule.header, Values: rule.values } }];
}
