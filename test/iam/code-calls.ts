// Every AWS call the deployed code and the CLI can make, read from their
// source: SDK commands sent (`new XCommand(…)`), paginators (`paginateX`), the
// IAM action names the adapters map errors with (`call('service:Op', …)`),
// and the Powertools providers that call AWS themselves. This reaches what
// no test world records: DynamoDB, Step Functions, SSM and STS.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../packaging/package-stack.ts';

/** The IAM prefix of each SDK client package. */
const CLIENT_SERVICES: Record<string, string> = {
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
};

/** Commands whose IAM action is not their name (Service Authorization Reference). */
const COMMAND_ACTIONS: Record<string, string> = {
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** The document client's commands, by the DynamoDB operation they send. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
};

/** Libraries that call AWS on the code's behalf, and the call each makes. */
const PROVIDERS: Record<string, Record<string, string>> = {
  '@aws-lambda-powertools/parameters/ssm': { SSMProvider: 'ssm:GetParameter' },
  '@aws-lambda-powertools/parameters/secrets': { SecretsProvider: 'secretsmanager:GetSecretValue' },
};

const ACTION_NAME = /'((?:elasticloadbalancing|autoscaling|ec2|cloudwatch|dynamodb|states|sts|ssm|secretsmanager|kms|iam|events|lambda):[A-Z][A-Za-z]+)'/g;

export interface CodeCall {
  call: string;
  file: string;
}

/** Every AWS call of functions/ and cli/, with the file it is in. */
export function codeCalls(): CodeCall[] {
  return ['functions', 'cli'].flatMap((dir) => sourceFiles(join(projectRoot, dir))).flatMap((path) => callsIn(relative(projectRoot, path), readFileSync(path, 'utf8')));
}

function callsIn(file: string, source: string): CodeCall[] {
  const imports = importedNames(source);
  const calls = new Set<string>();
  for (const [, name] of source.matchAll(ACTION_NAME)) calls.add(name!);
  for (const [, command] of source.matchAll(/new (\w+Command)\(/g)) {
    const from = imports.get(command!);
    if (from === '@aws-sdk/lib-dynamodb' && DOCUMENT_COMMANDS[command!]) calls.add(`dynamodb:${DOCUMENT_COMMANDS[command!]}`);
    else if (from && CLIENT_SERVICES[from]) {
      const call = `${CLIENT_SERVICES[from]}:${command!.replace(/Command$/, '')}`;
      calls.add(COMMAND_ACTIONS[call] ?? call);
    }
  }
  for (const [, operation] of source.matchAll(/\bpaginate(\w+)\(/g)) {
    const from = imports.get(`paginate${operation!}`);
    if (from && CLIENT_SERVICES[from]) calls.add(`${CLIENT_SERVICES[from]}:${operation!}`);
  }
  for (const [name, from] of imports) {
    const call = PROVIDERS[from]?.[name];
    if (call && new RegExp(`new ${name}\\(`).test(source)) calls.add(call);
  }
  return [...calls].map((call) => ({ call, file }));
}

/** Imported identifier → module, for `import { A, type B, C as D } from 'module'`. */
function importedNames(source: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, list, from] of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    for (const entry of list!.split(',')) {
      const name = entry.trim().replace(/^type\s+/, '').split(/\s+as\s+/).at(-1)!;
      if (name) names.set(name, from!);
    }
  }
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
