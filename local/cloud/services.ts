// The emulated services, named by their IAM action prefix
// (`elasticloadbalancing:ModifyListener`, `cloudwatch:PutMetricAlarm`).
export const CLOUD_SERVICES = ['elasticloadbalancing', 'autoscaling', 'ec2', 'cloudwatch'] as const;
export type CloudService = (typeof CLOUD_SERVICES)[number];
