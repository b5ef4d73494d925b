// One smoke-test request and its verdict, the same wherever it is sent from:
// the smoke-test step runs it itself (`smokeTest.from: 'step'`), the probe
// function runs it inside the VPC (`from: 'vpc'`, functions/probe.ts) and
// answers the verdict. With a version to check, the answer must name it: a
// status alone cannot tell the new release from the live one, which the
// header reaches until the listener change propagates.
import { z } from 'zod';

/** What the probe function is invoked with: one request, and what its answer must be. */
export const smokeCheckSchema = z.object({
  url: z.url(),
  headers: z.record(z.string(), z.string()),
  timeoutMs: z.number().int().min(1).max(60_000),
  expectStatus: z.number().int().min(100).max(599),
  /** The answer must name `expected` at `field` (dots for nesting). */
  version: z.object({ field: z.string().min(1), expected: z.string() }).optional(),
});

export type SmokeCheck = z.infer<typeof smokeCheckSchema>;

/** What the probe function answers. `problem` ends a sentence that starts with the request: "answered 404, expected 200". */
export const smokeVerdictSchema = z.discriminatedUnion('passed', [
  z.object({ passed: z.literal(true), status: z.number().int() }),
  z.object({ passed: z.literal(false), problem: z.string().min(1) }),
]);

export type SmokeVerdict = z.infer<typeof smokeVerdictSchema>;

export async function runSmokeCheck(fetch: typeof globalThis.fetch, check: SmokeCheck): Promise<SmokeVerdict> {
  let status: number;
  let body = '';
  try {
    const response = await fetch(check.url, { headers: check.headers, signal: AbortSignal.timeout(check.timeoutMs) });
    status = response.status;
    if (check.version) body = await response.text();
    else await response.body?.cancel();
  } catch (error) {
    return { passed: false, problem: `failed: ${describeFailure(error)}` };
  }
  if (status !== check.expectStatus) return { passed: false, problem: `answered ${status}, expected ${check.expectStatus}` };
  if (check.version) {
    const { field, expected } = check.version;
    const reached = versionIn(body, field);
    if (reached !== expected) return { passed: false, problem: `reached version ${JSON.stringify(reached ?? null)} (field "${field}"), expected ${expected}` };
  }
  return { passed: true, status };
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

/** fetch's own message ("fetch failed") with the socket's reason (ECONNREFUSED, ETIMEDOUT…), which tells a closed port from a filtered one. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const reason = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return reason && !message.includes(reason) ? `${message} (${reason})` : message;
}
