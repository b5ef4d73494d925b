// Listener rules: priorities unique per listener, at most 100 rules per load
// balancer (default rules not counted); the default rule is the listener's
// default action and can be described and modified, never deleted. Every
// change reaches the data plane once propagated (elbv2/propagation.ts).
import type {
  CreateRuleCommandInput,
  CreateRuleCommandOutput,
  DeleteRuleCommandInput,
  DeleteRuleCommandOutput,
  DescribeRulesCommandInput,
  DescribeRulesCommandOutput,
  ModifyRuleCommandInput,
  ModifyRuleCommandOutput,
  Rule,
  SetRulePrioritiesCommandInput,
  SetRulePrioritiesCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRule$, DeleteRule$, DescribeRules$, ModifyRule$, SetRulePriorities$ } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError, required, validationError } from '../aws-error.ts';
import type { Log } from '../log.ts';
import { paginate } from '../pagination.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { normalizeActions } from './actions.ts';
import { normalizeConditions } from './conditions.ts';
import { LIMITS } from './limits.ts';
import { checkUniqueTargetGroups, requireListener } from './listeners.ts';
import { elbId, type Elbv2State, type ListenerRecord, type RuleRecord } from './state.ts';
import { checkTags, setTags } from './tags.ts';

export interface RuleDeps {
  log: Log;
  /** Sends a changed listener's routing to its data plane. */
  propagate: (listener: ListenerRecord) => void;
}

export function ruleOperations(state: Elbv2State, { log, propagate }: RuleDeps): Operation[] {
  return [
    operation(CreateRule$, (input: CreateRuleCommandInput): Answer<CreateRuleCommandOutput> => {
      const listener = requireListener(state, required(input.ListenerArn, 'ListenerArn'));
      const priority = checkPriority(required(input.Priority, 'Priority'));
      const conditions = normalizeConditions(required(input.Conditions, 'Conditions'));
      const actions = normalizeActions(required(input.Actions, 'Actions'), 'Actions', listener.loadBalancerArn, state);
      if (listener.rules.some((r) => r.priority === priority)) throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);
      if (state.rulesOfLoadBalancer(listener.loadBalancerArn).length >= LIMITS.rulesPerLoadBalancer) {
        throw new AwsError('TooManyRules', `A load balancer can have at most ${LIMITS.rulesPerLoadBalancer} rules, not counting default rules`);
      }
      checkUniqueTargetGroups(state, listener.loadBalancerArn, actions);
      const [, , lbName, lbId, listenerId] = listener.arn.split(':').pop()!.split('/');
      const arn = state.arn(`listener-rule/app/${lbName}/${lbId}/${listenerId}/${elbId()}`);
      if (input.Tags?.length) checkTags(state, arn, input.Tags);
      const rule: RuleRecord = { arn, listenerArn: listener.arn, priority, conditions, actions };
      state.rules.set(arn, rule);
      listener.rules.push(rule);
      state.sortRules(listener);
      if (input.Tags?.length) setTags(state, arn, input.Tags);
      state.refreshTargetGroupUsage();
      propagate(listener);
      log('elbv2', 'rule-created', { listener: listener.arn, priority, conditions, actions });
      return { Rules: [ruleView(rule)] };
    }),
    operation(DescribeRules$, (input: DescribeRulesCommandInput): Answer<DescribeRulesCommandOutput> => {
      if (!input.ListenerArn && !input.RuleArns?.length) throw validationError('You must specify either listener ARN or rule ARNs');
      const rules = input.RuleArns?.length ? input.RuleArns.map((arn) => findRule(state, arn).view) : allRules(requireListener(state, input.ListenerArn!));
      const { page, next } = paginate(rules, input.Marker, input.PageSize ?? 400, 'ValidationError');
      return { Rules: page, NextMarker: next };
    }),
    operation(ModifyRule$, (input: ModifyRuleCommandInput): Answer<ModifyRuleCommandOutput> => {
      const found = findRule(state, required(input.RuleArn, 'RuleArn'));
      const listener = requireListener(state, found.listenerArn);
      if (!found.rule) {
        if (input.Conditions) throw new AwsError('OperationNotPermitted', 'The conditions of a default rule cannot be modified');
        if (input.Actions) {
          const actions = normalizeActions(input.Actions, 'Actions', listener.loadBalancerArn, state);
          checkUniqueTargetGroups(state, listener.loadBalancerArn, actions, listener.defaultActions);
          listener.defaultActions = actions;
        }
      } else {
        const conditions = input.Conditions ? normalizeConditions(input.Conditions) : found.rule.conditions;
        const actions = input.Actions ? normalizeActions(input.Actions, 'Actions', listener.loadBalancerArn, state) : found.rule.actions;
        checkUniqueTargetGroups(state, listener.loadBalancerArn, actions, found.rule.actions);
        found.rule.conditions = conditions;
        found.rule.actions = actions;
      }
      state.refreshTargetGroupUsage();
      propagate(listener);
      const view = findRule(state, found.view.RuleArn!).view;
      log('elbv2', 'rule-modified', { listener: listener.arn, priority: view.Priority, conditions: view.Conditions, actions: view.Actions });
      return { Rules: [view] };
    }),
    operation(DeleteRule$, (input: DeleteRuleCommandInput): Answer<DeleteRuleCommandOutput> => {
      const found = findRule(state, required(input.RuleArn, 'RuleArn'));
      if (!found.rule) throw new AwsError('OperationNotPermitted', 'A default rule cannot be deleted');
      const listener = requireListener(state, found.listenerArn);
      listener.rules = listener.rules.filter((r) => r !== found.rule);
      state.rules.delete(found.rule.arn);
      state.tags.delete(found.rule.arn);
      state.refreshTargetGroupUsage();
      propagate(listener);
      log('elbv2', 'rule-deleted', { listener: listener.arn, priority: found.rule.priority });
      return {};
    }),
    operation(SetRulePriorities$, (input: SetRulePrioritiesCommandInput): Answer<SetRulePrioritiesCommandOutput> => {
      const changes = required(input.RulePriorities, 'RulePriorities').map((c) => {
        const found = findRule(state, required(c.RuleArn, 'RulePriorities.member.RuleArn'));
        if (!found.rule) throw new AwsError('OperationNotPermitted', 'The priority of a default rule cannot be changed');
        return { rule: found.rule, priority: checkPriority(required(c.Priority, 'RulePriorities.member.Priority')) };
      });
      const next = new Map(changes.map((c) => [c.rule, c.priority]));
      const listeners = new Set(changes.map((c) => requireListener(state, c.rule.listenerArn)));
      for (const listener of listeners) {
        const priorities = listener.rules.map((r) => next.get(r) ?? r.priority);
        const duplicate = priorities.find((p, i) => priorities.indexOf(p) !== i);
        if (duplicate !== undefined) throw new AwsError('PriorityInUse', `Priority '${duplicate}' is currently in use`);
      }
      for (const { rule, priority } of changes) rule.priority = priority;
      for (const listener of listeners) {
        state.sortRules(listener);
        propagate(listener);
      }
      return { Rules: changes.map((c) => ruleView(c.rule)) };
    }),
  ];
}

function checkPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < 1 || priority > 50_000) throw validationError(`Priority must be between 1 and 50000, got ${priority}`);
  return priority;
}

function ruleView(rule: RuleRecord): Rule {
  return { RuleArn: rule.arn, Priority: String(rule.priority), Conditions: rule.conditions, Actions: rule.actions, IsDefault: false };
}

function defaultRuleView(listener: ListenerRecord): Rule {
  return { RuleArn: listener.defaultRuleArn, Priority: 'default', Conditions: [], Actions: listener.defaultActions, IsDefault: true };
}

function allRules(listener: ListenerRecord): Rule[] {
  return [...listener.rules.map(ruleView), defaultRuleView(listener)];
}

function findRule(state: Elbv2State, arn: string): { rule?: RuleRecord; listenerArn: string; view: Rule } {
  const rule = state.rules.get(arn);
  if (rule) return { rule, listenerArn: rule.listenerArn, view: ruleView(rule) };
  const listener = [...state.listeners.values()].find((l) => l.defaultRuleArn === arn);
  if (listener) return { listenerArn: listener.arn, view: defaultRuleView(listener) };
  throw new AwsError('RuleNotFound', `One or more rules not found`);
}
