// CloudFormation's intrinsic functions, evaluated the way CloudFormation
// would at deploy time ("Intrinsic function reference", "Conditions",
// "Pseudo parameters reference" in the CloudFormation user guide), with
// stand-in physical names for what only a deploy knows (a table's name, a
// role's generated name). What the packaged templates use is supported;
// anything else throws, so a new construct cannot slip past unevaluated.
import type { Template } from './cloudformation.ts';

export interface Deployment {
  partition: string;
  region: string;
  account: string;
  stackName: string;
  /** Values of the template's Parameters (a CommaDelimitedList as a comma-separated string or a list). */
  parameters?: Record<string, string | string[]>;
}

export const NO_VALUE = Symbol('AWS::NoValue');

/** `value` with every intrinsic function evaluated and every AWS::NoValue removed. */
export function evaluate(template: Template, deployment: Deployment, value: unknown): unknown {
  const result = new Evaluator(template, deployment).value(value);
  return result === NO_VALUE ? undefined : result;
}

/** Whether the resource exists in this deployment (its `Condition`, when it has one). */
export function created(template: Template, deployment: Deployment, logicalId: string): boolean {
  const name = template.Resources[logicalId]?.Condition;
  return name === undefined || new Evaluator(template, deployment).condition(name);
}

class Evaluator {
  private readonly template: Template;
  private readonly deployment: Deployment;

  constructor(template: Template, deployment: Deployment) {
    this.template = template;
    this.deployment = deployment;
  }

  value(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.value(v)).filter((v) => v !== NO_VALUE);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const argument = value[key];
      switch (key) {
        case 'Ref':
          return this.ref(argument as string);
        case 'Fn::If': {
          const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
          return this.value(this.condition(name) ? whenTrue : whenFalse);
        }
        case 'Fn::Sub':
          return this.sub(argument);
        case 'Fn::GetAtt':
          return this.getAtt(typeof argument === 'string' ? (argument.split('.') as [string, string]) : (argument as [string, string]));
        case 'Fn::Join': {
          const [separator, list] = argument as [string, unknown];
          return (this.value(list) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Split': {
          const [separator, text] = argument as [string, unknown];
          return String(this.value(text)).split(separator);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [unknown, unknown];
          const items = this.value(list) as unknown[];
          const at = Number(this.value(index));
          if (!(at in items)) throw new Error(`Fn::Select: no item ${at} in ${JSON.stringify(items)}`);
          return items[at];
        }
        case 'Condition':
          return this.condition(argument as string);
        default:
          if (key.startsWith('Fn::')) throw new Error(`unsupported intrinsic function ${key}`);
      }
    }
    const entries = Object.entries(value)
      .map(([k, v]) => [k, this.value(v)] as const)
      .filter(([, v]) => v !== NO_VALUE);
    return Object.fromEntries(entries);
  }

  condition(name: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`no condition ${name} in the template`);
    return this.test(definition);
  }

  private test(expression: unknown): boolean {
    if (!isObject(expression)) throw new Error(`unsupported condition ${JSON.stringify(expression)}`);
    if ('Fn::Equals' in expression) {
      const [a, b] = (expression['Fn::Equals'] as [unknown, unknown]).map((v) => this.value(v));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if ('Fn::Not' in expression) return !this.test((expression['Fn::Not'] as unknown[])[0]);
    if ('Fn::And' in expression) return (expression['Fn::And'] as unknown[]).every((e) => this.test(e));
    if ('Fn::Or' in expression) return (expression['Fn::Or'] as unknown[]).some((e) => this.test(e));
    if ('Condition' in expression) return this.condition(expression.Condition as string);
    throw new Error(`unsupported condition ${JSON.stringify(expression)}`);
  }

  private ref(name: string): unknown {
    const { partition, region, account, stackName } = this.deployment;
    const pseudo: Record<string, string> = {
      'AWS::Partition': partition,
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::StackName': stackName,
      'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    };
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name];
    if (this.template.Parameters?.[name]) return this.parameter(name);
    if (this.template.Resources[name]) return this.physical(name).ref;
    throw new Error(`Ref to unknown ${name}`);
  }

  private parameter(name: string): string | string[] {
    const definition = this.template.Parameters![name]!;
    const given = this.deployment.parameters?.[name] ?? definition.Default;
    if (given === undefined) throw new Error(`parameter ${name} has no value and no default`);
    if (definition.Type === 'CommaDelimitedList' || definition.Type.startsWith('List<')) {
      // An empty value is a list of one empty string, as CloudFormation splits it.
      return Array.isArray(given) ? given : given.split(',');
    }
    if (Array.isArray(given)) throw new Error(`parameter ${name} is a ${definition.Type}, not a list`);
    return given;
  }

  private sub(argument: unknown): string {
    const [text, variables] = typeof argument === 'string' ? [argument, {}] : (argument as [string, Record<string, unknown>]);
    return text.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => {
      if (name in variables) return String(this.value(variables[name]));
      if (name.includes('.')) return String(this.getAtt(name.split('.') as [string, string]));
      const value = this.ref(name);
      if (typeof value !== 'string') throw new Error(`Fn::Sub: \${${name}} is not a string`);
      return value;
    });
  }

  private getAtt([logicalId, attribute]: [string, string]): string {
    const physical = this.physical(logicalId);
    const value = physical.attributes[attribute];
    if (value === undefined) throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: not modelled for ${this.template.Resources[logicalId]?.Type}`);
    return value;
  }

  /** What CloudFormation names a resource it creates: its own name property, else `<stack>-<logical id>-<suffix>`. */
  private physical(logicalId: string): { ref: string; attributes: Record<string, string> } {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    const { partition, region, account, stackName } = this.deployment;
    const properties = resource.Properties ?? {};
    const named = (property: string) => {
      const own = properties[property];
      return own === undefined ? `${stackName}-${logicalId}-STANDIN` : String(this.value(own));
    };
    const arn = (service: string, resourcePart: string, inRegion = true) => `arn:${partition}:${service}:${inRegion ? region : ''}:${account}:${resourcePart}`;
    switch (resource.Type) {
      case 'AWS::IAM::Role': {
        const name = named('RoleName');
        const path = String(this.value(properties.Path ?? '/'));
        return { ref: name, attributes: { Arn: arn('iam', `role${path}${name}`, false), RoleId: `AROA${logicalId.toUpperCase()}` } };
      }
      case 'AWS::IAM::ManagedPolicy': {
        const policyArn = arn('iam', `policy/${named('ManagedPolicyName')}`, false);
        return { ref: policyArn, attributes: { PolicyArn: policyArn } };
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName');
        return { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
      }
      case 'AWS::DynamoDB::Table': {
        const name = named('TableName');
        return { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } };
      }
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName');
        return { ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
      }
      case 'AWS::StepFunctions::StateMachine': {
        const stateMachineArn = arn('states', `stateMachine:${named('StateMachineName')}`);
        return { ref: stateMachineArn, attributes: { Arn: stateMachineArn } };
      }
      case 'AWS::Events::Rule': {
        const name = named('Name');
        return { ref: name, attributes: { Arn: arn('events', `rule/${name}`) } };
      }
      default:
        return { ref: `${stackName}-${logicalId}-STANDIN`, attributes: {} };
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
