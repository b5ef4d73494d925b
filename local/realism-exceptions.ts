// The AWS behaviours of the local cloud that the rehearsal and some tests
// turn off, and why. Each one waits for a defect of the workflow to be
// fixed; delete the exception (and its uses) with the fix.
import type { Realism } from './cloud/local-cloud.ts';

/**
 * The workflow takes capacity from a release right after the listener write that took its traffic: Cleanup deletes
 * a rolled-back release, retention `zero` or `standby` scales the old one in. The load balancer routes by the
 * previous rules for a short time ("Edit a listener rule for your Application Load Balancer"), so the requests that
 * still reach the release find its targets draining and get 503. Fix: wait longer than the propagation between the
 * write and the removal (a Wait state). Until then, the bad-release rehearsal and these tests route by each
 * listener write at once.
 */
export const UNTIL_THE_WORKFLOW_WAITS_FOR_PROPAGATION: Partial<Realism> = { listenerPropagation: false };
