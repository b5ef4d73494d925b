// The probe function (functions/probe.ts), as the smoke-test step sees it:
// one synchronous invocation with the request to make, the verdict back. SDK
// errors become named errors; so does a probe that crashed or answered
// something other than a verdict.
//
// AWS operations: lambda:InvokeFunction, on the probe function only.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ProbeFailed, ProbeNotReady } from '../core/errors.ts';
import { smokeVerdictSchema, type SmokeCheck, type SmokeVerdict } from '../lib/smoke-check.ts';
import { awsErrorCode, mapAwsError } from './aws-errors.ts';

export interface Probe {
  run(check: SmokeCheck): Promise<SmokeVerdict>;
}

/**
 * Lambda's answers while it (re)creates a VPC function's network interfaces
 * (Lambda API reference, Invoke, Errors): the function is Pending
 * (ResourceConflictException), or Inactive after weeks unused
 * (ResourceNotReadyException), or its interface is not ready yet (ENINotReadyException).
 */
const NOT_READY = new Set(['ResourceConflictException', 'ResourceNotReadyException', 'ENINotReadyException']);

export function createProbe(lambda: LambdaClient, functionName: string): Probe {
  return {
    async run(check) {
      let output;
      try {
        output = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(check)) }));
      } catch (error) {
        const code = awsErrorCode(error);
        if (NOT_READY.has(code)) throw new ProbeNotReady(`the probe function ${functionName} is not ready: ${code}: ${(error as Error).message}`, { cause: error });
        throw mapAwsError(error, 'lambda:InvokeFunction');
      }
      const text = output.Payload ? new TextDecoder().decode(output.Payload) : '';
      // An error the handler threw, or Lambda's own (a timeout): `{ errorType, errorMessage }`.
      if (output.FunctionError) throw new ProbeFailed(`the probe function ${functionName} failed: ${functionErrorOf(text)}`);
      const verdict = smokeVerdictSchema.safeParse(parseJson(text));
      if (!verdict.success) throw new ProbeFailed(`the probe function ${functionName} answered no verdict: ${text.slice(0, 200) || '(nothing)'}`);
      return verdict.data;
    },
  };
}

function functionErrorOf(payload: string): string {
  const error = parseJson(payload) as { errorType?: unknown; errorMessage?: unknown } | undefined;
  if (typeof error?.errorMessage === 'string') return typeof error.errorType === 'string' ? `${error.errorType}: ${error.errorMessage}` : error.errorMessage;
  return payload.slice(0, 200) || 'no error message';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
