// Where AWS is slow or eventual, the local cloud is too, by default: each
// behaviour below models an AWS page (titles in the comments of the code that
// applies it), in AWS seconds scaled by the time scale like everything else.
// A test that needs an instant world turns one off (`false`) and says why.

export interface Realism {
  /**
   * ALB metrics at 60-second resolution, each minute's datapoint visible in
   * CloudWatch `delaySeconds` after the minute ends ("CloudWatch metrics for
   * your Application Load Balancer"). `false`: every sample visible at once,
   * at the store's resolution (about one AWS second).
   */
  albMetrics: { delaySeconds: number } | false;
  /**
   * An instance is `Pending` for `bootSeconds` (EC2 launch), then `InService`
   * and registered in its target groups, and its app answers only
   * `appStartSeconds` after that ("Amazon EC2 Auto Scaling instance lifecycle").
   * `false`: InService and answering as soon as the app's process listens.
   */
  instanceBoot: { bootSeconds: number; appStartSeconds: number } | false;
  /**
   * A deleted Auto Scaling group stays `Delete in progress` (its name taken)
   * at least `seconds` after DeleteAutoScalingGroup, and until its last
   * instance is gone ("Delete your Auto Scaling infrastructure"). `false`:
   * gone with its last instance.
   */
  groupDeletion: { seconds: number } | false;
  /**
   * DeleteTargetGroup answers `ResourceInUse` for `seconds` after the last
   * listener or rule stopped forwarding to the group. `false`: deletable at once.
   */
  targetGroupRelease: { seconds: number } | false;
}

/**
 * The defaults. Where the AWS pages give no figure, the worst plausible case:
 * - a minute's ALB datapoint appears a full minute after the minute ends (the
 *   page says only that metrics are sent "in 60-second intervals"); an alarm of
 *   one 60 s period still sees it, as its evaluation range reaches back two
 *   more periods ("Using Amazon CloudWatch alarms");
 * - 30 s of EC2 boot and 20 s of app start (the pages give none; typical for a
 *   small instance and a service started from user data), inside the 60 s
 *   health check grace period the workflow gives its groups;
 * - a group deletion "takes a few minutes": at least two;
 * - a target group stays in use for a minute after its last rule (the pages
 *   give no figure; a caller retrying DeleteTargetGroup for two minutes is
 *   covered);
 */
export const AWS_REALISM: Readonly<Realism> = Object.freeze({
  albMetrics: { delaySeconds: 60 },
  instanceBoot: { bootSeconds: 30, appStartSeconds: 20 },
  groupDeletion: { seconds: 120 },
  targetGroupRelease: { seconds: 60 },
});

export function realismOf(overrides: Partial<Realism> = {}): Realism {
  return { ...AWS_REALISM, ...overrides };
}
