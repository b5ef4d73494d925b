// `--local`: where the local cloud listens, read from the file it writes when
// it starts (`.bluegreen/local.json` in the repository):
//   { awsEndpoint, stepFunctionsEndpoint, dynamodbEndpoint, tableName, stateMachineArn, configFile }
// `configFile` may be relative to the repository root; the region is the
// state machine ARN's.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from './command.ts';

export interface LocalEndpoints {
  awsEndpoint: string;
  stepFunctionsEndpoint: string;
  dynamodbEndpoint: string;
  tableName: string;
  stateMachineArn: string;
  /** Absolute. */
  configFile: string;
  region: string;
}

const localFileSchema = z.object({
  awsEndpoint: z.string().url(),
  stepFunctionsEndpoint: z.string().url(),
  dynamodbEndpoint: z.string().url(),
  tableName: z.string().min(1),
  stateMachineArn: z.string().regex(/^arn:[\w-]+:states:[a-z0-9-]+:\d{12}:stateMachine:.+$/, 'a state machine ARN'),
  configFile: z.string().min(1),
});

export function readLocalEndpoints(path: string): LocalEndpoints {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new UsageError(`--local: ${path} ${reason}: start the local cloud first (npm start), it writes this file`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new UsageError(`--local: ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = localFileSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UsageError(`--local: ${path}: ${problems.join('; ')}`);
  }
  const file = result.data;
  const repositoryRoot = dirname(dirname(resolve(path)));
  return { ...file, configFile: resolve(repositoryRoot, file.configFile), region: file.stateMachineArn.split(':')[3]! };
}
