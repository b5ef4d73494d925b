// What a command works with, resolved from its options, the `--local` file
// and the environment, in that order of precedence, and only when asked for:
// `plan` never needs the table, `validate` never needs AWS.
//
//   configuration   --config FILE | local configFile | BLUEGREEN_CONFIG / BLUEGREEN_CONFIG_FILE
//   table           --table NAME  | local tableName  | TABLE_NAME
//   state machine   --state-machine ARN | local stateMachineArn | STATE_MACHINE_ARN
//   AWS             local endpoints | the SDK's standard chain (region, credentials)
import { createExecutions, type Executions } from '../functions/adapters/executions.ts';
import { createDeploymentStore, type DeploymentStore } from '../functions/adapters/store.ts';
import { findService, type Config, type ServiceConfig } from '../functions/core/config.ts';
import { ConfigInvalid } from '../functions/core/errors.ts';
import { loadConfig, type Environment } from '../functions/lib/settings.ts';
import { connectAws, type CliAws } from './aws.ts';
import { flag, stringValue, UsageError, type CommandLine } from './command.ts';
import { DEFAULT_LOCAL_FILE, type CliIo } from './io.ts';
import { readLocalEndpoints, type LocalEndpoints } from './local-endpoints.ts';

export interface Session {
  config(): Config;
  /** `UnknownService` names the configured ones. */
  service(name: string): ServiceConfig;
  aws(): CliAws;
  store(): DeploymentStore;
  executions(): Executions;
  /** Null when no state machine is named anywhere. */
  optionalExecutions(): Executions | null;
  /** `cli:<user>`: $USER, else the STS caller. */
  caller(): Promise<string>;
}

/** Credentials for the local cloud, which checks none. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function openSession(line: CommandLine, io: CliIo): Session {
  const local = flag(line, 'local') ? readLocalEndpoints(io.localFile ?? DEFAULT_LOCAL_FILE) : null;
  let config: Config | undefined;
  let aws: CliAws | undefined;

  const session: Session = {
    config: () => (config ??= loadCliConfig(configEnvironment(line, io, local))),
    service: (name) => findService(session.config(), name),
    aws: () =>
      (aws ??= connectAws(
        local
          ? {
              region: local.region,
              credentials: LOCAL_CREDENTIALS,
              endpoints: { aws: local.awsEndpoint, stepFunctions: local.stepFunctionsEndpoint, dynamodb: local.dynamodbEndpoint },
            }
          : {},
      )),
    store: () => createDeploymentStore(session.aws().dynamodb, tableName(line, io, local)),
    executions: () => {
      const arn = stateMachineArn(line, io, local);
      if (!arn) throw new UsageError('no state machine: pass --state-machine ARN, set STATE_MACHINE_ARN, or use --local');
      return createExecutions(session.aws().sfn, arn);
    },
    optionalExecutions: () => (stateMachineArn(line, io, local) ? session.executions() : null),
    async caller() {
      const user = io.env.USER?.trim();
      return `cli:${user || callerName(await session.aws().callerArn())}`;
    },
  };
  return session;
}

/** The environment `loadConfig` reads: `--config` or the local cloud's file replace the process's. */
export function configEnvironment(line: CommandLine, io: CliIo, local: LocalEndpoints | null = null): Environment {
  const file = stringValue(line, 'config') ?? local?.configFile;
  const env = file ? { BLUEGREEN_CONFIG_FILE: file } : io.env;
  if (!env.BLUEGREEN_CONFIG && !env.BLUEGREEN_CONFIG_FILE) {
    throw new UsageError('no services configuration: pass --config FILE, or set BLUEGREEN_CONFIG_FILE (a path) or BLUEGREEN_CONFIG (inline JSON)');
  }
  return env;
}

function loadCliConfig(env: Environment): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigInvalid) throw new UsageError(`${error.message} (bluegreen validate lists every problem)`, { cause: error });
    throw error;
  }
}

function tableName(line: CommandLine, io: CliIo, local: LocalEndpoints | null): string {
  const name = stringValue(line, 'table') ?? local?.tableName ?? io.env.TABLE_NAME;
  if (!name) throw new UsageError('no deployment table: pass --table NAME, set TABLE_NAME, or use --local');
  return name;
}

function stateMachineArn(line: CommandLine, io: CliIo, local: LocalEndpoints | null): string | undefined {
  return stringValue(line, 'state-machine') ?? local?.stateMachineArn ?? (io.env.STATE_MACHINE_ARN || undefined);
}

/** `arn:aws:iam::1:user/alice` → `alice`; `arn:aws:sts::1:assumed-role/Deployer/alice` → `Deployer/alice`. */
function callerName(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.replace(/^(user|assumed-role|federated-user)\//, '') || arn;
}
