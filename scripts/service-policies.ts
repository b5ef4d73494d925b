// The step role's grants that name each in-account service's own resources
// (its listener, the rules under it, its launch template), packed into as
// few AWS::IAM::ManagedPolicy resources as fit. They grow with every service:
// inline, a role holds at most 10,240 characters of policy in all, while each
// managed policy holds 6,144 and a role takes 10 of them ("IAM and AWS STS
// quotas", IAM user guide; IAM counts no whitespace, and JSON.stringify adds
// none). Everything else the step role may do stays inline in serverless.yml.
import type { IamScopes } from './iam-scopes.ts';
import { ConfigInvalid } from '../functions/core/errors.ts';
import { MANAGED_BY, TAG } from '../functions/core/model.ts';

export const MANAGED_POLICY_CHARACTERS = 6_144;
/** The default quota of managed policies per role. */
export const MANAGED_POLICIES_PER_ROLE = 10;
/** Room left in each policy for what CloudFormation resolves at deploy time (none today: every ARN here is literal). */
const MARGIN = 144;

type Statement = Record<string, unknown>;
export interface ManagedPolicyResource {
  Type: 'AWS::IAM::ManagedPolicy';
  Properties: {
    Description: string;
    Roles: [{ Ref: string }];
    PolicyDocument: { Version: '2012-10-17'; Statement: Statement[] };
  };
}

/** One in-account listener or launch template: what a service adds to the policies. */
interface Unit {
  listener?: { arn: string; rules: string };
  launchTemplate?: string;
}

const requestTagged = { [`aws:RequestTag/${TAG.managedBy}`]: MANAGED_BY };
const resourceTagged = { [`aws:ResourceTag/${TAG.managedBy}`]: MANAGED_BY };

/** The statements for some listeners and launch templates. */
function statements(units: Unit[]): Statement[] {
  const listeners = units.flatMap((u) => (u.listener ? [u.listener.arn] : []));
  const rules = units.flatMap((u) => (u.listener ? [u.listener.rules] : []));
  const templates = units.flatMap((u) => (u.launchTemplate ? [u.launchTemplate] : []));
  const listenerStatements: Statement[] = listeners.length === 0 ? [] : [
    // The listeners of services.json, exactly: their default action and the
    // rules bluegreen creates (tagged) under them.
    { Sid: 'RouteConfiguredListeners', Effect: 'Allow', Action: 'elasticloadbalancing:ModifyListener', Resource: listeners },
    // Tagging the rule at creation (AddTags with CreateAction=CreateRule) is
    // granted once for every rule in serverless.yml: it happens only inside
    // a CreateRule, which only these listeners allow.
    { Sid: 'CreateTaggedRules', Effect: 'Allow', Action: 'elasticloadbalancing:CreateRule', Resource: listeners, Condition: { StringEquals: requestTagged } },
    { Sid: 'ChangeManagedRules', Effect: 'Allow', Action: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule'], Resource: rules, Condition: { StringEquals: resourceTagged } },
  ];
  const templateStatements: Statement[] = templates.length === 0 ? [] : [
    // A release's launch template version is deleted with the release; EC2 authorizes
    // both calls on the launch template, not on a version (Service Authorization Reference, Amazon EC2).
    { Sid: 'VersionConfiguredLaunchTemplates', Effect: 'Allow', Action: ['ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplateVersions'], Resource: templates },
    {
      // Instances launch only from the configured launch templates: Auto Scaling
      // checks ec2:RunInstances on whoever creates a group, for every resource
      // the launch uses ("Control Amazon EC2 launch template usage in Auto
      // Scaling groups"). Images and snapshots have no account in their ARN.
      Sid: 'LaunchFromConfiguredTemplates',
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: unique(templates.flatMap((arn) => {
        const [, partition, , region, account] = arn.split(':');
        return [`arn:${partition}:ec2:${region}:${account}:*`, `arn:${partition}:ec2:${region}::image/*`, `arn:${partition}:ec2:${region}::snapshot/*`];
      })),
      Condition: { ArnLike: { 'ec2:LaunchTemplate': templates } },
    },
  ];
  return [...listenerStatements, ...templateStatements];
}

/**
 * `StepServicePolicy1`, `StepServicePolicy2`…, attached to `roleId`, holding
 * every listener and launch template of `scopes`. Throws `ConfigInvalid` when
 * they need more than `available` managed policies.
 */
export function servicePolicies(scopes: IamScopes, roleId: string, available = MANAGED_POLICIES_PER_ROLE): Record<string, ManagedPolicyResource> {
  const units: Unit[] = [
    ...scopes.listenerArns.map((arn, i) => ({ listener: { arn, rules: scopes.listenerRuleArns[i]! } })),
    ...scopes.launchTemplateArns.map((launchTemplate) => ({ launchTemplate })),
  ];
  const packs: Unit[][] = [];
  for (const unit of units) {
    const current = packs.at(-1);
    if (current && size([...current, unit]) <= MANAGED_POLICY_CHARACTERS - MARGIN) current.push(unit);
    else packs.push([unit]);
  }
  if (packs.length > available) {
    throw new ConfigInvalid(
      `services: ${scopes.listenerArns.length} listeners and ${scopes.launchTemplateArns.length} launch templates in the stack's account need ${packs.length} managed policies on the step role, ` +
        `more than the ${available} a role may carry (IAM quota "managed policies per role"): reach some services through a roleArn (service-account.yml)`,
    );
  }
  return Object.fromEntries(
    packs.map((pack, i) => [
      `StepServicePolicy${i + 1}`,
      {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Description: `bluegreen: the listeners and launch templates of services.json (${i + 1} of ${packs.length})`,
          Roles: [{ Ref: roleId }],
          PolicyDocument: document(pack),
        },
      },
    ]),
  );
}

function document(units: Unit[]): ManagedPolicyResource['Properties']['PolicyDocument'] {
  return { Version: '2012-10-17', Statement: statements(units) };
}

function size(units: Unit[]): number {
  return JSON.stringify(document(units)).length;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
