// How an ALB listener decides what to do with a request: rules in priority
// order, the first whose every condition matches wins, else the default
// action; a weighted forward picks a target group at random by weight.
import type { IncomingHttpHeaders } from 'node:http';
import type { Action, ForwardActionConfig, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RuleRecord } from '../elbv2/state.ts';
import { wildcardPattern } from '../wildcard.ts';

export interface RequestView {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
}

export function chooseAction(rules: RuleRecord[], defaultActions: Action[], request: RequestView): Action | undefined {
  const rule = rules.find((r) => r.conditions.every((c) => matchesCondition(c, request)));
  return (rule?.actions ?? defaultActions)[0];
}

export function matchesCondition(condition: RuleCondition, request: RequestView): boolean {
  switch (condition.Field) {
    case 'http-header': {
      const name = condition.HttpHeaderConfig!.HttpHeaderName!.toLowerCase();
      const raw = request.headers[name];
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      return values.some((v) => condition.HttpHeaderConfig!.Values!.some((p) => pattern(p, true).test(v)));
    }
    case 'path-pattern':
      return condition.PathPatternConfig!.Values!.some((p) => pattern(p, false).test(request.path));
    case 'host-header': {
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      return condition.HostHeaderConfig!.Values!.some((p) => pattern(p, true).test(host));
    }
    case 'http-request-method':
      return condition.HttpRequestMethodConfig!.Values!.includes(request.method);
    default:
      return false;
  }
}

/** The target group a weighted forward sends this request to; none when every weight is 0. */
export function chooseTargetGroup(forward: ForwardActionConfig, random: () => number): string | undefined {
  const groups = (forward.TargetGroups ?? []).filter((g) => (g.Weight ?? 1) > 0);
  const total = groups.reduce((sum, g) => sum + (g.Weight ?? 1), 0);
  let point = random() * total;
  for (const g of groups) {
    point -= g.Weight ?? 1;
    if (point < 0) return g.TargetGroupArn;
  }
  return groups[groups.length - 1]?.TargetGroupArn;
}

const compiled = new Map<string, RegExp>();

function pattern(text: string, caseInsensitive: boolean): RegExp {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}:${text}`;
  let re = compiled.get(cacheKey);
  if (!re) {
    re = wildcardPattern(text, caseInsensitive);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(cacheKey, re);
  }
  return re;
}
