// What the step tests share: the real store on dynalite, executions that
// record what they are sent, and in-memory adapters: a listener that applies
// writes as ELBv2 does, and alarms in whatever state a test sets. Service
// `web` (test/core/fixtures.ts), release 1 live, release 2 the candidate.
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { Alarms } from '../../functions/adapters/alarms.ts';
import type { Executions, SignalOutput } from '../../functions/adapters/executions.ts';
import { createDeploymentStore, deploymentTableDefinition, type DeploymentStore } from '../../functions/adapters/store.ts';
import type { ServiceConfig } from '../../functions/core/config.ts';
import { applyWrites } from '../../functions/core/diff.ts';
import { desiredListener } from '../../functions/core/listener.ts';
import type { AlarmView, DeploymentState, ListenerView } from '../../functions/core/model.ts';
import type { ServiceAdapters, StepDeps } from '../../functions/steps/deps.ts';
import type { WorkflowState } from '../../functions/steps/workflow-state.ts';
import { emulatorClientConfig, startDynalite, type RunningServer } from '../support/servers.ts';
import { r1, r2, state, viewOf } from '../core/fixtures.ts';

export const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:bluegreen-deploy:web-v2-d2';
export const TOKEN = 'token-of-the-hold';

export interface StepWorld {
  deps: StepDeps;
  store: DeploymentStore;
  /** What the steps sent with SendTaskSuccess, in order. */
  sent: Array<{ token: string; output: SignalOutput }>;
  /** The listener as the steps left it. */
  listener(): ListenerView;
  /** Listener writes applied, in order. */
  writes: string[];
  /** The alarms `alarms.list` answers; `onList` runs first (to act between the hold's record and its read). */
  alarms: AlarmView[];
  onList?: () => Promise<void>;
  /** How many times the steps listed the alarms. */
  reads: number;
  /** What SendTaskSuccess throws, if anything (a dead token). */
  sendError?: Error;
  /** The workflow state of the execution, its listener as it wrote it. */
  state(extra?: Partial<WorkflowState>): WorkflowState;
}

/** Starts dynalite for the file; the function it returns gives each test a fresh table and fresh fakes, the listener at `at`. */
export function useStepWorld(): (service: ServiceConfig, at: Partial<DeploymentState>) => Promise<StepWorld> {
  let dynalite: RunningServer;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    dynalite = await startDynalite();
    doc = DynamoDBDocumentClient.from(new DynamoDBClient(emulatorClientConfig(dynalite.endpoint)), { marshallOptions: { removeUndefinedValues: true } });
  });
  afterAll(() => dynalite?.stop());

  return async (service, at) => {
    const tableName = `deployments-${randomBytes(4).toString('hex')}`;
    await doc.send(new CreateTableCommand(deploymentTableDefinition(tableName)));
    const store = createDeploymentStore(doc, tableName);
    const phase = state({ phase: 'canary', live: r1, candidate: r2, ...at });
    let listener = viewOf(desiredListener(service.strategy, phase));

    const world: StepWorld = {
      store,
      sent: [],
      writes: [],
      alarms: [],
      reads: 0,
      listener: () => listener,
      deps: undefined as unknown as StepDeps,
      state: (extra = {}) => ({
        service: 'web',
        version: 'v2',
        trigger: { kind: 'cli', by: 'cli:test' },
        base: r1,
        releases: [r1],
        release: r2,
        expected: desiredListener(service.strategy, phase),
        phase: phase.phase,
        ...extra,
      }),
    };
    const alarms: Alarms = {
      put: () => Promise.resolve(),
      delete: () => Promise.resolve(),
      async list() {
        world.reads++;
        await world.onList?.();
        return world.alarms;
      },
    };
    const adapters = {
      router: {
        readListener: () => Promise.resolve(listener),
        applyWrites: (_arn, writes) => {
          world.writes.push(...writes.map((w) => w.kind));
          listener = applyWrites(listener, writes);
          return Promise.resolve();
        },
        countRules: () => Promise.resolve(listener.rules.length),
      },
      alarms,
    } as Partial<ServiceAdapters> as ServiceAdapters;
    const executions = {
      sendSuccess(token, output) {
        if (world.sendError) return Promise.reject(world.sendError);
        world.sent.push({ token, output });
        return Promise.resolve();
      },
    } as Partial<Executions> as Executions;
    world.deps = {
      config: { services: [service] },
      adapters: () => adapters,
      store,
      executions,
      now: () => Date.parse('2026-11-22T10:00:00.000Z'),
      fetch: globalThis.fetch,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    };
    // The lock, as `startOrQueue` leaves it while the execution runs.
    await store.claim('web', { executionName: 'web-v2-d2', version: 'v2', trigger: { kind: 'cli', by: 'cli:test' } });
    return world;
  };
}

export const alarm = (name: string, state: AlarmView['state'] = 'ALARM'): AlarmView => ({ name, state, reason: state === 'ALARM' ? 'Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (2.0).' : '' });
