// The parts of a CloudFormation template the packaging tests read, with the
// few intrinsic functions serverless.yml uses evaluated the way CloudFormation
// would: conditions (Fn::If, AWS::NoValue) and, for loading bundles, Ref and
// Fn::Sub with stand-in pseudo parameters. `policiesOf` evaluates everything
// (test/packaging/intrinsics.ts), for the IAM simulation.
import { created, evaluate, type Deployment } from './intrinsics.ts';

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Condition?: string;
}

export interface Template {
  Parameters?: Record<string, { Type: string; Default?: string; Description?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown }>;
}

export interface PolicyDocument {
  Version: string;
  Statement: Record<string, unknown>[];
}

/** One policy of a role as IAM stores it: everything evaluated. */
export interface RolePolicy {
  name: string;
  kind: 'inline' | 'managed';
  document: PolicyDocument;
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[];
  /** Plain ARNs, or the text of a Fn::Sub, or `GetAtt:<logical id>.<attribute>`. */
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012' } as const;

const NO_VALUE = Symbol('AWS::NoValue');

/** `value` with every Fn::If decided and every AWS::NoValue removed. */
export function withConditions(template: Template, value: unknown): unknown {
  const resolved = decide(template, value);
  return resolved === NO_VALUE ? undefined : resolved;
}

function decide(template: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => decide(template, v)).filter((v) => v !== NO_VALUE);
  if (!isObject(value)) return value;
  if (value.Ref === 'AWS::NoValue') return NO_VALUE;
  if ('Fn::If' in value) {
    const [name, whenTrue, whenFalse] = value['Fn::If'] as [string, unknown, unknown];
    return decide(template, condition(template, name) ? whenTrue : whenFalse);
  }
  const entries = Object.entries(value)
    .map(([k, v]) => [k, decide(template, v)] as const)
    .filter(([, v]) => v !== NO_VALUE);
  return Object.fromEntries(entries);
}

export function condition(template: Template, name: string): boolean {
  const definition = template.Conditions?.[name];
  if (definition === undefined) throw new Error(`no condition ${name} in the template`);
  return holds(definition);
}

function holds(expression: unknown): boolean {
  if (!isObject(expression)) throw new Error(`unsupported condition ${JSON.stringify(expression)}`);
  if ('Fn::Equals' in expression) {
    const [a, b] = expression['Fn::Equals'] as [unknown, unknown];
    return JSON.stringify(a) === JSON.stringify(b);
  }
  if ('Fn::Not' in expression) return !holds((expression['Fn::Not'] as unknown[])[0]);
  throw new Error(`unsupported condition ${JSON.stringify(expression)}`);
}

/** Every statement of every policy of an IAM role (inline, and the managed policies attached to it), conditions decided. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const role = resource(template, roleId, 'AWS::IAM::Role');
  const policies = (withConditions(template, role.Properties.Policies) ?? []) as { PolicyDocument: { Statement: unknown[] } }[];
  const managed = managedPoliciesOf(template, roleId).map(([, p]) => withConditions(template, p.Properties) as { PolicyDocument: { Statement: unknown[] } });
  return [...policies, ...managed].flatMap((p) => p.PolicyDocument.Statement.map(normalize));
}

/** The AWS::IAM::ManagedPolicy resources attached to a role (by their `Roles`, or by the role's `ManagedPolicyArns`). */
export function managedPoliciesOf(template: Template, roleId: string): [string, Resource][] {
  const role = resource(template, roleId, 'AWS::IAM::Role');
  const referenced = [role.Properties.ManagedPolicyArns ?? []].flat().flatMap((arn) => (isObject(arn) && typeof arn.Ref === 'string' ? [arn.Ref] : []));
  return resourcesOfType(template, 'AWS::IAM::ManagedPolicy').filter(
    ([id, p]) => referenced.includes(id) || [p.Properties.Roles ?? []].flat().some((r) => isObject(r) && r.Ref === roleId),
  );
}

/** Every policy of a role as IAM would hold it in `deployment`: intrinsic functions evaluated, absent resources left out. */
export function policiesOf(template: Template, deployment: Deployment, roleId: string): RolePolicy[] {
  const role = resource(template, roleId, 'AWS::IAM::Role');
  const inline = ((evaluate(template, deployment, role.Properties.Policies) ?? []) as { PolicyName: string; PolicyDocument: PolicyDocument }[]).map(
    (p): RolePolicy => ({ name: p.PolicyName, kind: 'inline', document: p.PolicyDocument }),
  );
  const managed = managedPoliciesOf(template, roleId)
    .filter(([id]) => created(template, deployment, id))
    .map(([id, p]): RolePolicy => ({ name: id, kind: 'managed', document: evaluate(template, deployment, p.Properties.PolicyDocument) as PolicyDocument }));
  return [...inline, ...managed];
}

function normalize(raw: unknown): Statement {
  const s = raw as { Sid?: string; Effect: string; Action: unknown; Resource: unknown; Condition?: Statement['Condition'] };
  return {
    ...(s.Sid ? { Sid: s.Sid } : {}),
    Effect: s.Effect,
    Action: [s.Action].flat() as string[],
    Resource: [s.Resource].flat().map(resourceText),
    ...(s.Condition ? { Condition: s.Condition } : {}),
  };
}

export function resourceText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'];
  if (isObject(value) && Array.isArray(value['Fn::GetAtt'])) return `GetAtt:${(value['Fn::GetAtt'] as string[]).join('.')}`;
  if (isObject(value) && Array.isArray(value['Fn::Split'])) return `Split:${JSON.stringify(value['Fn::Split'])}`;
  throw new Error(`unsupported resource ${JSON.stringify(value)}`);
}

export function resource(template: Template, id: string, type: string): Resource {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id} in the template`);
  if (found.Type !== type) throw new Error(`${id} is a ${found.Type}, not a ${type}`);
  return found;
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** Whether CloudFormation creates the resource: it has no `Condition`, or its condition holds. */
export function exists(template: Template, id: string): boolean {
  const name = template.Resources[id]?.Condition;
  return name === undefined || condition(template, name);
}

/** A function's environment as Lambda would see it, with stand-ins for what CloudFormation fills in. */
export function environmentOf(template: Template, functionId: string): Record<string, string> {
  const fn = resource(template, functionId, 'AWS::Lambda::Function');
  const variables = withConditions(template, (fn.Properties.Environment as { Variables?: unknown } | undefined)?.Variables) ?? {};
  return Object.fromEntries(Object.entries(variables as Record<string, unknown>).map(([k, v]) => [k, standIn(v)]));
}

function standIn(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.Ref === 'string') return `${value.Ref}-stand-in`;
  if (isObject(value) && typeof value['Fn::Sub'] === 'string') {
    return value['Fn::Sub'].replace(/\$\{([\w:]+)\}/g, (whole, name: string) => (name in PSEUDO ? PSEUDO[name as keyof typeof PSEUDO] : whole));
  }
  throw new Error(`unsupported environment value ${JSON.stringify(value)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
