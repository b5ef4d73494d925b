// The step role's per-service grants, packed into managed policies under
// IAM's size limit, from the ARNs services.json scopes them to.
import { describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../../functions/core/errors.ts';
import type { IamScopes } from '../../scripts/iam-scopes.ts';
import { MANAGED_POLICY_CHARACTERS, servicePolicies } from '../../scripts/service-policies.ts';

function scopes(services: number): IamScopes {
  const listenerArns = Array.from({ length: services }, (_, i) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/service-${i}-alb/50dc6c495c0c${String(i).padStart(4, '0')}/f2f7dc8efc52${String(i).padStart(4, '0')}`);
  return {
    listenerArns,
    listenerRuleArns: listenerArns.map((arn) => `${arn.replace(':listener/', ':listener-rule/')}/*`),
    launchTemplateArns: Array.from({ length: services }, (_, i) => `arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0a1b2c3d${String(i).padStart(9, '0')}`),
    roleArns: [],
  };
}

type Statement = { Sid: string; Action: string | string[]; Resource: string[]; Condition?: Record<string, Record<string, unknown>> };
const statementsOf = (policies: ReturnType<typeof servicePolicies>) => Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);

describe('servicePolicies', () => {
  it('grants one service its listener, the rules under it and its launch template, in one policy attached to the step role', () => {
    const one = scopes(1);

    const policies = servicePolicies(one, 'StepRole');

    expect(Object.keys(policies)).toEqual(['StepServicePolicy1']);
    expect(policies.StepServicePolicy1!.Properties.Roles).toEqual([{ Ref: 'StepRole' }]);
    const bySid = Object.fromEntries(statementsOf(policies).map((s) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual(['RouteConfiguredListeners', 'CreateTaggedRules', 'ChangeManagedRules', 'VersionConfiguredLaunchTemplates', 'LaunchFromConfiguredTemplates']);
    expect(bySid.RouteConfiguredListeners!.Resource).toEqual(one.listenerArns);
    expect(bySid.ChangeManagedRules!.Resource).toEqual(one.listenerRuleArns);
    expect(bySid.CreateTaggedRules!.Condition).toEqual({ StringEquals: { 'aws:RequestTag/bluegreen:managed-by': 'bluegreen' } });
    expect(bySid.LaunchFromConfiguredTemplates).toMatchObject({
      Resource: ['arn:aws:ec2:us-east-1:123456789012:*', 'arn:aws:ec2:us-east-1::image/*', 'arn:aws:ec2:us-east-1::snapshot/*'],
      Condition: { ArnLike: { 'ec2:LaunchTemplate': one.launchTemplateArns } },
    });
  });

  it('packs many services into several policies, each inside 6,144 characters, every ARN exactly once', () => {
    const many = scopes(60);

    const policies = servicePolicies(many, 'StepRole');

    expect(Object.keys(policies).length).toBeGreaterThan(2);
    for (const policy of Object.values(policies)) expect(JSON.stringify(policy.Properties.PolicyDocument).length).toBeLessThanOrEqual(MANAGED_POLICY_CHARACTERS);
    const granted = (sid: string) => statementsOf(policies).filter((s) => s.Sid === sid).flatMap((s) => s.Resource);
    expect(granted('RouteConfiguredListeners')).toEqual(many.listenerArns);
    expect(granted('ChangeManagedRules')).toEqual(many.listenerRuleArns);
    expect(granted('VersionConfiguredLaunchTemplates')).toEqual(many.launchTemplateArns);
    const launchable = statementsOf(policies).filter((s) => s.Sid === 'LaunchFromConfiguredTemplates').flatMap((s) => s.Condition!.ArnLike!['ec2:LaunchTemplate'] as string[]);
    expect(launchable).toEqual(many.launchTemplateArns);
  });

  it('refuses more services than a role\'s managed policies can hold, saying what to do', () => {
    expect(() => servicePolicies(scopes(60), 'StepRole', 2)).toThrow(ConfigInvalid);
    expect(() => servicePolicies(scopes(60), 'StepRole', 2)).toThrow(/need \d+ managed policies.*more than the 2 a role may carry.*roleArn/);
  });

  it('makes no policy when every service is reached through a role', () => {
    expect(servicePolicies(scopes(0), 'StepRole')).toEqual({});
  });
});
