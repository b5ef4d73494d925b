// Header canary: before anyone is asked to promote, one request through the
// load balancer with `x-client-mode: green` must reach the new release. With
// `versionField` set, reaching it is proven by the version the answer names:
// a status alone cannot tell the new release from the live one, which the
// header reaches until the listener change propagates. The workflow retries
// SmokeTestFailed for about 40 seconds for that reason (statemachines/build.ts).
import { findService } from '../core/config.ts';
import { SmokeTestFailed } from '../core/errors.ts';
import type { StepDeps } from './deps.ts';
import type { WorkflowState } from './workflow-state.ts';

export async function smokeTest(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const { strategy, smokeTest: test } = service;
  if (strategy.type !== 'header-canary' || state.phase !== 'canary' || !test) return state;
  const request = `GET ${test.url} with ${strategy.header}: green`;
  let status: number;
  let body = '';
  try {
    const response = await deps.fetch(test.url, { headers: { [strategy.header]: 'green' }, signal: AbortSignal.timeout(10_000) });
    status = response.status;
    if (test.versionField) body = await response.text();
    else await response.body?.cancel();
  } catch (error) {
    throw new SmokeTestFailed(`${request} failed: ${(error as Error).message}`, { cause: error });
  }
  if (status !== test.expectStatus) throw new SmokeTestFailed(`${request} answered ${status}, expected ${test.expectStatus}`);
  if (test.versionField) {
    const reached = versionIn(body, test.versionField);
    if (reached !== state.version) {
      throw new SmokeTestFailed(`${request} reached version ${JSON.stringify(reached ?? null)} (field "${test.versionField}"), expected ${state.version}`);
    }
  }
  return state;
}

/** The string at `field` (dots for nesting) of a JSON answer, or undefined. */
export function versionIn(body: string, field: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const key of field.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
