// The AWS calls a test world really saw (the local cloud counts each call per
// service and operation, local/cloud/api-calls.ts), held against the
// authorization table: a call without a row is a call nobody checked IAM for.
import type { ApiCallCounts } from '../../local/cloud/local-cloud.ts';
import { rowOf } from './authorization.ts';

/** `service:Operation` of every call counted in `after` beyond `before` (what a test did, not what seeding did). */
export function callsSince(before: ApiCallCounts, after: ApiCallCounts): string[] {
  return Object.entries(after).flatMap(([service, operations]) =>
    Object.entries(operations ?? {})
      .filter(([operation, count]) => count > ((before as Record<string, Record<string, number> | undefined>)[service]?.[operation] ?? 0))
      .map(([operation]) => `${service}:${operation}`),
  );
}

/** Throws, naming them, when some of `calls` have no row in the authorization table. */
export function assertEveryCallHasARow(calls: string[]): void {
  const missing = calls.filter((call) => !rowOf(call));
  if (missing.length > 0) {
    throw new Error(`AWS calls without a row in test/iam/authorization.ts (what does AWS authorize for them?): ${missing.sort().join(', ')}`);
  }
}
