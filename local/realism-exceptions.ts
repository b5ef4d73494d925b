// The AWS behaviours of the local cloud that some tests turn off, and why.
// Each one waits for a defect of the workflow to be fixed; delete the
// exception (and its uses) with the fix.
import type { Realism } from '../../local/cloud/local-cloud.ts';

/**
 * The workflow takes capacity from a release right after the listener write that took its traffic: Cleanup deletes
 * a rolled-back release, retention `zero` or `standby` scales the old one in. The load balancer routes by the
 * previous rules for a short time ("Edit a listener rule for your Application Load Balancer"), so the requests that
 * still reach the release find its targets draining and get 503. Fix: wait longer than the propagation between the
 * write and the removal (a Wait state). Until then, these tests route by each listener write at once.
 */
export const UNTIL_THE_WORKFLOW_WAITS_FOR_PROPAGATION: Partial<Realism> = { listenerPropagation: false };

/**
 * Release numbers are one more than the highest release that still exists, so a deployment right after a rollback
 * reuses the rolled-back number while AWS is still deleting that release's Auto Scaling group ("Delete in
 * progress"); the workflow swallows AlreadyExists and adopts the dying group, whose instances never become healthy.
 * Fix: number releases from a counter that never goes back, and check what AlreadyExists names. Until then, these
 * tests see a deleted group gone with its last instance.
 */
export const UNTIL_RELEASE_NUMBERS_NEVER_REPEAT: Partial<Realism> = { groupDeletion: false };
