// What the workflow steps need, passed in: the services' configuration, the
// AWS adapters of a service (built per service so a per-service role can be
// assumed), the store, the executions, a clock, fetch and the probe function.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config, ServiceConfig } from '../core/config.ts';
import type { Alarms } from '../adapters/alarms.ts';
import type { Executions } from '../adapters/executions.ts';
import type { Fleet } from '../adapters/fleet.ts';
import type { Probe } from '../adapters/probe.ts';
import type { TrafficRouter } from '../adapters/router.ts';
import type { DeploymentStore } from '../adapters/store.ts';
import type { SlackApi } from '../lib/slack-api.ts';
import type { TargetGroups } from '../adapters/target-groups.ts';

export interface ServiceAdapters {
  router: TrafficRouter;
  targetGroups: TargetGroups;
  fleet: Fleet;
  alarms: Alarms;
}

export interface StepDeps {
  config: Config;
  adapters(service: ServiceConfig): ServiceAdapters;
  store: DeploymentStore;
  executions: Executions;
  now(): number;
  fetch: typeof globalThis.fetch;
  logger: Logger;
  /** Posts and updates the deployment message; absent without a Slack bot token. */
  slack?: SlackApi;
  /** The probe function in the VPC (`smokeTest.from: 'vpc'`); absent when the stack has none. */
  probe?: Probe;
}
