// Listener and rule actions: validated as ALB does, then stored in the form
// Describe calls answer (a forward always carries its ForwardConfig with
// weights; a single-group forward also its TargetGroupArn).
import type { Action, ForwardActionConfig, TargetGroupStickinessConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError, validationError } from '../aws-error.ts';
import type { Elbv2State } from './state.ts';
import { LIMITS } from './limits.ts';

const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

/** Validates the actions of a listener or rule on `loadBalancerArn` and returns them normalized. */
export function normalizeActions(actions: Action[] | undefined, field: string, loadBalancerArn: string, state: Elbv2State): Action[] {
  if (!actions?.length) throw validationError(`${field}: at least one action is required`);
  if (actions.length > 1) throw new AwsError('InvalidLoadBalancerAction', `${field}: the local cloud supports one action per listener or rule (forward or fixed-response), got ${actions.length}`);
  const action = actions[0]!;
  switch (action.Type) {
    case 'forward':
      return [{ Type: 'forward', ...(action.Order !== undefined ? { Order: action.Order } : {}), ...normalizeForward(action, field, loadBalancerArn, state) }];
    case 'fixed-response':
      return [{ Type: 'fixed-response', ...(action.Order !== undefined ? { Order: action.Order } : {}), FixedResponseConfig: normalizeFixedResponse(action, field) }];
    case undefined:
      throw validationError(`${field}[0].Type is required`);
    default:
      throw new AwsError('InvalidLoadBalancerAction', `${field}[0].Type: the local cloud emulates forward and fixed-response actions, not ${action.Type}`);
  }
}

function normalizeForward(action: Action, field: string, loadBalancerArn: string, state: Elbv2State): Pick<Action, 'TargetGroupArn' | 'ForwardConfig'> {
  const tuples = action.ForwardConfig?.TargetGroups ?? [];
  if (action.TargetGroupArn && tuples.length > 0 && (tuples.length > 1 || tuples[0]!.TargetGroupArn !== action.TargetGroupArn)) {
    throw validationError(`${field}: you cannot specify both TargetGroupArn and a ForwardConfig with other target groups`);
  }
  const groups = tuples.length > 0 ? tuples.map((t) => ({ TargetGroupArn: t.TargetGroupArn, Weight: t.Weight ?? 1 })) : [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
  if (groups.length > LIMITS.targetGroupsPerAction) {
    throw validationError(`${field}: a forward action can have at most ${LIMITS.targetGroupsPerAction} target groups, got ${groups.length}`);
  }
  const seen = new Set<string>();
  for (const [i, g] of groups.entries()) {
    if (!g.TargetGroupArn) throw validationError(`${field}: a forward action needs TargetGroupArn or ForwardConfig.TargetGroups`);
    if (seen.has(g.TargetGroupArn)) throw validationError(`${field}: target group '${g.TargetGroupArn}' appears twice in one forward action`);
    seen.add(g.TargetGroupArn);
    if (!Number.isInteger(g.Weight) || g.Weight < 0 || g.Weight > 999) {
      throw validationError(`${field}: ForwardConfig.TargetGroups[${i}].Weight must be between 0 and 999, got ${g.Weight}`);
    }
    checkTargetGroup(g.TargetGroupArn, loadBalancerArn, state);
  }
  const config: ForwardActionConfig = { TargetGroups: groups, TargetGroupStickinessConfig: stickiness(action.ForwardConfig?.TargetGroupStickinessConfig, field) };
  return groups.length === 1 ? { TargetGroupArn: groups[0]!.TargetGroupArn, ForwardConfig: config } : { ForwardConfig: config };
}

/**
 * ELBv2 API reference, "TargetGroupStickinessConfig": DurationSeconds is 1 to
 * 604800 and must be given when stickiness is enabled; both are kept as given
 * and described back.
 */
function stickiness(config: TargetGroupStickinessConfig | undefined, field: string): TargetGroupStickinessConfig {
  if (!config?.Enabled) return { Enabled: false, ...(config?.DurationSeconds !== undefined ? { DurationSeconds: config.DurationSeconds } : {}) };
  const duration = config.DurationSeconds;
  if (duration === undefined || !Number.isInteger(duration) || duration < 1 || duration > 604_800) {
    throw validationError(`${field}: ForwardConfig.TargetGroupStickinessConfig.DurationSeconds must be between 1 and 604800 when stickiness is enabled`);
  }
  return { Enabled: true, DurationSeconds: duration };
}

function checkTargetGroup(arn: string, loadBalancerArn: string, state: Elbv2State): void {
  const tg = state.targetGroups.get(arn);
  if (!tg) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  const lb = state.loadBalancers.get(loadBalancerArn)!;
  if (tg.description.VpcId !== lb.description.VpcId) {
    throw new AwsError('InvalidConfigurationRequest', `The VPC of target group '${arn}' does not match the VPC of load balancer '${loadBalancerArn}'`);
  }
  const other = tg.usedBy.find((a) => a !== loadBalancerArn);
  if (other) throw new AwsError('TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${arn}`);
}

function normalizeFixedResponse(action: Action, field: string): NonNullable<Action['FixedResponseConfig']> {
  const config = action.FixedResponseConfig;
  if (!config?.StatusCode) throw validationError(`${field}: a fixed-response action needs FixedResponseConfig.StatusCode`);
  if (!/^[245]\d\d$/.test(config.StatusCode)) throw validationError(`${field}: FixedResponseConfig.StatusCode must be 2XX, 4XX or 5XX, got '${config.StatusCode}'`);
  if (config.ContentType !== undefined && !CONTENT_TYPES.includes(config.ContentType)) {
    throw validationError(`${field}: FixedResponseConfig.ContentType must be one of ${CONTENT_TYPES.join(', ')}`);
  }
  if ((config.MessageBody ?? '').length > 1024) throw validationError(`${field}: FixedResponseConfig.MessageBody is limited to 1024 characters`);
  return { StatusCode: config.StatusCode, ...(config.ContentType ? { ContentType: config.ContentType } : {}), ...(config.MessageBody !== undefined ? { MessageBody: config.MessageBody } : {}) };
}
