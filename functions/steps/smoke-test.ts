// Header canary: before anyone is asked to promote, one request through the
// load balancer with `x-client-mode: green` must reach the new release.
import { findService } from '../core/config.ts';
import { SmokeTestFailed } from '../core/errors.ts';
import type { StepDeps } from './deps.ts';
import type { WorkflowState } from './workflow-state.ts';

export async function smokeTest(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const { strategy, smokeTest: test } = service;
  if (strategy.type !== 'header-canary' || state.phase !== 'canary' || !test) return state;
  let status: number;
  try {
    const response = await deps.fetch(test.url, { headers: { [strategy.header]: 'green' }, signal: AbortSignal.timeout(10_000) });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    throw new SmokeTestFailed(`GET ${test.url} with ${strategy.header}: green failed: ${(error as Error).message}`, { cause: error });
  }
  if (status !== test.expectStatus) throw new SmokeTestFailed(`GET ${test.url} with ${strategy.header}: green answered ${status}, expected ${test.expectStatus}`);
  return state;
}
