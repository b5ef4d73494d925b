// CloudWatch alarm state changes (EventBridge) → automatic rollback. An ALARM
// of a managed release's alarm (`bg-<service>-<n>-<kind>`) rolls back when that
// service's workflow waits on release n (promotion, bake or retention); the workflow
// then rewrites the listener. Everything else is logged and ignored.
// The same event delivered twice signals once (event id + the atomic wait).
// An event that finds no open wait changes nothing: the workflow reads the
// alarms itself as each hold opens and before it advances or promotes.
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import { z } from 'zod';
import type { Executions } from './adapters/executions.ts';
import type { DeploymentStore } from './adapters/store.ts';
import type { Config } from './core/config.ts';
import { ConcurrentUpdate, NothingToRollBack, TaskTokenRejected } from './core/errors.ts';
import { parseAlarmName } from './core/names.ts';
import { awsClients } from './lib/aws-clients.ts';
import { builtOnFirstCall } from './lib/cold-start.ts';
import { signalAlarm } from './lib/dispatch.ts';
import { createLogger, logContext } from './lib/logging.ts';
import { loadSettings } from './lib/settings.ts';

export interface AlarmDeps {
  config: Config;
  store: DeploymentStore;
  executions: Executions;
  logger: Logger;
}

export interface AlarmOutcome {
  outcome: 'rollback-signalled' | 'ignored';
  reason: string;
}

/** EventBridge retries for up to 24 hours. */
export const EVENT_TTL_SECONDS = 24 * 3600;

const alarmStateChange = z.object({
  id: z.string().min(1),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']), reason: z.string().default('') }),
  }),
});

export function createHandler(deps: AlarmDeps) {
  return middy<unknown, AlarmOutcome>()
    .use(logContext(deps.logger))
    .handler((event) => handle(deps, event));
}

async function handle(deps: AlarmDeps, event: unknown): Promise<AlarmOutcome> {
  const parsed = alarmStateChange.safeParse(event);
  if (!parsed.success) return ignore(deps, `not a CloudWatch alarm state change: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { id, detail } = parsed.data;
  const { alarmName, state } = detail;
  deps.logger.appendKeys({ alarm: alarmName, alarmState: state.value, eventId: id });
  if (state.value !== 'ALARM') return ignore(deps, `state ${state.value} needs nothing`);

  const owner = parseAlarmName(alarmName);
  if (!owner) return ignore(deps, `${alarmName} is not an alarm of a managed release`);
  if (!deps.config.services.some((s) => s.name === owner.service)) return ignore(deps, `service ${owner.service} is not configured`);
  deps.logger.appendKeys({ deployment: { service: owner.service, release: owner.release } });

  const eventKey = `alarm-event:${id}`;
  if (!(await deps.store.firstDelivery(eventKey, EVENT_TTL_SECONDS))) return ignore(deps, `event ${id} was already handled`);
  try {
    await signalAlarm(deps, owner.service, owner.release, { name: alarmName, reason: state.reason });
  } catch (error) {
    if (error instanceof NothingToRollBack || error instanceof ConcurrentUpdate || error instanceof TaskTokenRejected) {
      return ignore(deps, error.message);
    }
    await deps.store.forgetDelivery(eventKey); // let EventBridge's retry try again
    throw error;
  }
  const reason = `rollback of ${owner.service} release ${owner.release} signalled`;
  deps.logger.info(reason);
  return { outcome: 'rollback-signalled', reason };
}

function ignore(deps: AlarmDeps, reason: string): AlarmOutcome {
  deps.logger.info('alarm ignored', { reason });
  return { outcome: 'ignored', reason };
}

function depsFromEnvironment(env: NodeJS.ProcessEnv): AlarmDeps {
  const settings = loadSettings(env);
  const aws = awsClients(settings);
  return { config: settings.config, store: aws.store, executions: aws.executions, logger: createLogger('alarm') };
}

export const handler = builtOnFirstCall<unknown, AlarmOutcome>(() => createHandler(depsFromEnvironment(process.env)));
