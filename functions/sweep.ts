// The scheduled sweep (EventBridge, every 5 minutes): a lock whose execution
// ended without releasing it (stopped by hand, a crash before its Finish step,
// a start that never happened) is recovered without waiting for the next push.
// For every configured service it does what a push does on a held lock
// (dispatch.ts `recoverLostLock`): a lock older than STALE_LOCK_MS whose
// execution is not RUNNING is recorded as ended (`lost`) and handed to the
// queued version, which starts. A running execution's lock, or a fresh one, is
// left alone. Running it twice, or beside a push, recovers a lock once.
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import { z } from 'zod';
import type { Executions } from './adapters/executions.ts';
import type { ActiveDeployment, DeploymentStore } from './adapters/store.ts';
import type { Config } from './core/config.ts';
import { isStaleLock } from './core/dispatch-rules.ts';
import { awsClients } from './lib/aws-clients.ts';
import { builtOnFirstCall } from './lib/cold-start.ts';
import { recoverLostLock, type LockRecovery } from './lib/dispatch.ts';
import { createLogger, logContext } from './lib/logging.ts';
import { loadSettings } from './lib/settings.ts';

export interface SweepDeps {
  config: Config;
  store: DeploymentStore;
  executions: Executions;
  logger: Logger;
  now?: () => Date;
}

/** Per service, what the sweep found and did; `failed` when reading or recovering it threw. */
export type ServiceSweep = { service: string } & (LockRecovery | { outcome: 'failed'; error: string });

export type SweepReport = { outcome: 'swept'; services: ServiceSweep[] } | { outcome: 'ignored'; reason: string };

const scheduledEvent = z.object({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: z.string().optional(),
});

export function createHandler(deps: SweepDeps) {
  return middy<unknown, SweepReport>()
    .use(logContext(deps.logger))
    .handler((event) => handle(deps, event));
}

async function handle(deps: SweepDeps, event: unknown): Promise<SweepReport> {
  // Parse
  const parsed = scheduledEvent.safeParse(event);
  if (!parsed.success) {
    const reason = `not an EventBridge scheduled event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    deps.logger.info('sweep ignored', { reason });
    return { outcome: 'ignored', reason };
  }
  const services = deps.config.services.map((s) => s.name);

  // Read
  const locks = await Promise.allSettled(services.map((service) => deps.store.active(service)));

  // Plan: only a stale lock may be lost; recoverLostLock reads it again and asks Step Functions.
  const now = (deps.now ?? (() => new Date()))().getTime();
  const plan = services.map((service, i) => planFor(service, locks[i]!, now));

  // Apply
  const swept = await Promise.all(
    plan.map(async (step): Promise<ServiceSweep> => {
      if (step.kind === 'done') return step.result;
      try {
        return { service: step.service, ...(await recoverLostLock(deps, step.service)) };
      } catch (error) {
        return { service: step.service, outcome: 'failed', error: `${(error as Error).name}: ${(error as Error).message}` };
      }
    }),
  );
  for (const s of swept.filter((r) => r.outcome === 'recovered')) deps.logger.info('lost lock recovered', { deployment: s });
  const failed = swept.filter((s) => s.outcome === 'failed');
  deps.logger.info('swept', { services: swept.length, recovered: swept.filter((s) => s.outcome === 'recovered').length, failed: failed.length });
  if (failed.length > 0) {
    // Every other service was swept; the error makes the failure visible (and EventBridge's retry sweeps again).
    throw new Error(`sweep failed for ${failed.map((s) => `${s.service} (${'error' in s ? s.error : ''})`).join(', ')}`);
  }
  return { outcome: 'swept', services: swept };
}

type SweepStep = { kind: 'done'; result: ServiceSweep } | { kind: 'recover'; service: string };

function planFor(service: string, lock: PromiseSettledResult<ActiveDeployment | null>, now: number): SweepStep {
  if (lock.status === 'rejected') {
    const error = lock.reason as Error;
    return { kind: 'done', result: { service, outcome: 'failed', error: `${error.name}: ${error.message}` } };
  }
  if (!lock.value) return { kind: 'done', result: { service, outcome: 'free' } };
  if (!isStaleLock(lock.value.claimedAt, now)) return { kind: 'done', result: { service, outcome: 'fresh', executionName: lock.value.executionName } };
  return { kind: 'recover', service };
}

function depsFromEnvironment(env: NodeJS.ProcessEnv): SweepDeps {
  const settings = loadSettings(env);
  const aws = awsClients(settings);
  return { config: settings.config, store: aws.store, executions: aws.executions, logger: createLogger('sweep') };
}

export const handler = builtOnFirstCall<unknown, SweepReport>(() => createHandler(depsFromEnvironment(process.env)));
