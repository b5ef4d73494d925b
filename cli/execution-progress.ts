// How far an execution of the workflow has come, from its event history:
// the state it entered last and the workflow state (with its timeline) the
// last finished state left behind. Read newest first, so a long health poll
// loop costs one page.
//
// AWS operations (states:*): GetExecutionHistory.
import { paginateGetExecutionHistory, type SFNClient } from '@aws-sdk/client-sfn';
import { call } from '../functions/adapters/aws-errors.ts';
import type { WorkflowState } from '../functions/steps/workflow-state.ts';

export interface ExecutionProgress {
  /** The state entered last (`CheckHealth`, `Hold`…), null before the first. */
  currentState: string | null;
  /** The workflow state as the last state that finished left it. */
  state: WorkflowState | null;
}

const PAGE_SIZE = 100;

export async function readProgress(sfn: SFNClient, executionArn: string): Promise<ExecutionProgress> {
  return call('states:GetExecutionHistory', async () => {
    let currentState: string | null = null;
    let state: WorkflowState | null = null;
    const pages = paginateGetExecutionHistory({ client: sfn, pageSize: PAGE_SIZE }, { executionArn, reverseOrder: true, includeExecutionData: true });
    for await (const page of pages) {
      for (const event of page.events ?? []) {
        currentState ??= event.stateEnteredEventDetails?.name ?? null;
        state ??= workflowState(event.stateExitedEventDetails?.output);
        if (currentState !== null && state !== null) return { currentState, state };
      }
    }
    return { currentState, state };
  });
}

function workflowState(output: string | undefined): WorkflowState | null {
  if (output === undefined) return null;
  try {
    const value = JSON.parse(output) as unknown;
    return typeof value === 'object' && value !== null && 'service' in value ? (value as WorkflowState) : null;
  } catch {
    return null;
  }
}
