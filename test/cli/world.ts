// The world the CLI tests run in: moto (ELBv2, Auto Scaling, EC2, CloudWatch,
// STS, Step Functions) and dynalite (the store), a services configuration and
// the `--local` endpoints file pointing at both, and the real workflow steps to
// bring releases up. The CLI runs in-process through `run(argv, io)`.
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createExecutions } from '../../functions/adapters/executions.ts';
import { createDeploymentStore, deploymentTableDefinition, type DeploymentStore } from '../../functions/adapters/store.ts';
import { parseConfig, type Config } from '../../functions/core/config.ts';
import { STEPS } from '../../functions/steps/index.ts';
import type { StepDeps } from '../../functions/steps/deps.ts';
import { serviceAdapterFactory } from '../../functions/steps/service-adapters.ts';
import type { WorkflowState } from '../../functions/steps/workflow-state.ts';
import { seedInfrastructure, type SeededInfrastructure } from '../../local/seed.ts';
import { runCaptured, type CliResult } from './capture.ts';
import { emulatorClientConfig, motoAvailable, startDynalite, startMoto, type RunningServer } from '../support/servers.ts';

export interface World {
  moto: string;
  elbv2: ElasticLoadBalancingV2Client;
  cloudWatch: CloudWatchClient;
  sfn: SFNClient;
  store: DeploymentStore;
  stateMachineArn: string;
  tableName: string;
  config: Config;
  infra: Record<string, SeededInfrastructure>;
  /** Runs `bluegreen <argv…>` in-process against this world, with `--local`; USER is `tester`. */
  cli(...argv: string[]): Promise<CliResult>;
  /** The same with the given environment. */
  cliWithEnv(env: Record<string, string>, ...argv: string[]): Promise<CliResult>;
  /** Runs the real workflow steps from Prepare to ShiftTraffic: the new release takes traffic as its strategy says. */
  bringUp(service: string, version: string): Promise<WorkflowState>;
  /** Runs one more step (promote, advance…) on a state `bringUp` returned. */
  step(name: string, state: WorkflowState): Promise<WorkflowState>;
}

export type ServiceStrategies = Record<string, unknown>;

const TABLE = 'bluegreen-deployments';
/** One execution per deployment, as Step Functions names them: the store gives each its own release number. */
const EXECUTION = (stateMachineArn: string, state: WorkflowState) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:steps-${state.service}-${state.version}`;

/**
 * Starts the servers for the enclosing `describe`, seeds one load balancer per
 * service (`strategies`: service name → strategy) and returns the world.
 * Skips every test when moto is not installed.
 */
export function useWorld(strategies: ServiceStrategies): () => World {
  let moto: RunningServer | undefined;
  let dynalite: RunningServer | undefined;
  let dir: string | undefined;
  let world: World | undefined;

  beforeAll(async () => {
    if (!motoAvailable) return;
    [moto, dynalite] = await Promise.all([startMoto(), startDynalite()]);
    dir = mkdtempSync(join(tmpdir(), 'bluegreen-cli-'));
    world = await createWorld(moto.endpoint, dynalite.endpoint, dir, strategies);
  });
  beforeEach((context) => {
    if (!motoAvailable) context.skip('moto is not installed');
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), dynalite?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return () => {
    if (!world) throw new Error('the world was not started');
    return world;
  };
}

async function createWorld(motoEndpoint: string, dynaliteEndpoint: string, dir: string, strategies: ServiceStrategies): Promise<World> {
  const aws = emulatorClientConfig(motoEndpoint);
  const ec2 = new EC2Client(aws);
  const elbv2 = new ElasticLoadBalancingV2Client(aws);
  const cloudWatch = new CloudWatchClient(aws);
  const sfn = new SFNClient(aws);
  const dynamodb = new DynamoDBClient(emulatorClientConfig(dynaliteEndpoint));
  await dynamodb.send(new CreateTableCommand(deploymentTableDefinition(TABLE)));

  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'bluegreen-deploy',
      roleArn: 'arn:aws:iam::123456789012:role/bluegreen-workflow',
      definition: JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Pass', End: true } } }),
    }),
  );
  const stateMachineArn = created.stateMachineArn!;

  const infra: Record<string, SeededInfrastructure> = {};
  for (const name of Object.keys(strategies)) infra[name] = await seedInfrastructure({ ec2, elbv2 }, { name: `lb-${name}` });
  const document = {
    services: Object.entries(strategies).map(([name, strategy]) => ({
      name,
      github: { repository: `acme/${name}` },
      listener: { loadBalancerArn: infra[name]!.loadBalancerArn, listenerArn: infra[name]!.listenerArn },
      launchTemplate: { id: infra[name]!.launchTemplateId },
      subnets: infra[name]!.subnetIds,
      targetGroup: { vpcId: infra[name]!.vpcId },
      capacity: { min: 1, max: 3, desired: 2 },
      healthGate: { deadlineSeconds: 60, pollSeconds: 1 },
      strategy,
    })),
  };
  const config = parseConfig(document);
  writeFileSync(join(dir, 'services.json'), JSON.stringify(document));
  mkdirSync(join(dir, '.bluegreen'));
  const localFile = join(dir, '.bluegreen', 'local.json');
  writeFileSync(
    localFile,
    JSON.stringify({
      awsEndpoint: motoEndpoint,
      stepFunctionsEndpoint: motoEndpoint,
      dynamodbEndpoint: dynaliteEndpoint,
      tableName: TABLE,
      stateMachineArn,
      configFile: 'services.json',
    }),
  );

  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const store = createDeploymentStore(doc, TABLE);
  const deps: StepDeps = {
    config,
    adapters: serviceAdapterFactory(aws),
    store,
    executions: createExecutions(sfn, stateMachineArn),
    now: Date.now,
    fetch: globalThis.fetch,
    logger: new Logger({ serviceName: 'cli-test', logLevel: 'SILENT' }),
  };
  const step = (name: string, state: WorkflowState) => STEPS[name]!(deps, state, { execution: EXECUTION(stateMachineArn, state) });

  return {
    moto: motoEndpoint,
    elbv2,
    cloudWatch,
    sfn,
    store,
    stateMachineArn,
    tableName: TABLE,
    config,
    infra,
    cli: (...argv) => runCaptured([...argv, '--local'], { env: { USER: 'tester' }, localFile }),
    cliWithEnv: (env, ...argv) => runCaptured([...argv, '--local'], { env, localFile }),
    async bringUp(service, version) {
      let state: WorkflowState = { service, version, trigger: { kind: 'cli', by: 'cli:tester' } };
      for (const name of ['prepare', 'createTargetGroup', 'createFleet', 'attachCandidate', 'checkHealth', 'armAlarms', 'shiftTraffic']) state = await step(name, state);
      if (!state.health?.ready) throw new Error(`release of ${service} ${version} did not become healthy: ${state.health?.detail}`);
      return state;
    },
    step,
  };
}

