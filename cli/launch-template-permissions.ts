// What a launch template needs the step role to be granted beyond what the
// stack always grants, read from its $Latest version (the one each release
// copies): Auto Scaling checks iam:PassRole for the role of the template's
// instance profile, and ssm:GetParameters for a `resolve:ssm:` image, on the
// caller ("Amazon EC2 Auto Scaling API permissions"; "Use AWS Systems Manager
// parameters instead of AMI IDs in launch templates"). Both are deploy
// parameters of the stack: instanceRoleArns, imageParameterArns.
//
// AWS operations: ec2:DescribeLaunchTemplateVersions.
import { DescribeLaunchTemplateVersionsCommand, type EC2Client, type RequestLaunchTemplateData, type ResponseLaunchTemplateData } from '@aws-sdk/client-ec2';
import { call } from '../functions/adapters/aws-errors.ts';
import type { ServiceConfig } from '../functions/core/config.ts';

/** The stack's deploy parameters, as the operator deploys with them (comma-separated lists, split). */
export interface LaunchGrants {
  instanceRoleArns: string[];
  imageParameterArns: string[];
}

export interface LaunchTemplateCheck {
  service: string;
  launchTemplateId: string;
  instanceProfile: string | null;
  image: string | null;
  problems: string[];
}

export async function checkLaunchTemplate(ec2: EC2Client, service: ServiceConfig, index: number, grants: LaunchGrants): Promise<LaunchTemplateCheck> {
  const id = service.launchTemplate.id;
  const field = `services[${index}].launchTemplate.id`;
  const [, partition, , region, account] = service.listener.listenerArn.split(':') as [string, string, string, string, string];
  let data: ResponseLaunchTemplateData | RequestLaunchTemplateData;
  try {
    const described = await call('ec2:DescribeLaunchTemplateVersions', () => ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Latest'] })));
    data = described.LaunchTemplateVersions?.[0]?.LaunchTemplateData ?? {};
  } catch (error) {
    return { service: service.name, launchTemplateId: id, instanceProfile: null, image: null, problems: [`${field}: cannot read ${id}: ${(error as Error).message}`] };
  }
  const profile = data.IamInstanceProfile?.Arn ?? data.IamInstanceProfile?.Name ?? null;
  const problems: string[] = [];
  if (profile && !grants.instanceRoleArns.some((arn) => arn.split(':')[4] === account)) {
    const name = profile.split('/').at(-1)!;
    problems.push(
      `${field}: ${id} launches instances with instance profile ${name}, and Auto Scaling checks iam:PassRole for its role on the step role: ` +
        `deploy with --param instanceRoleArns=<its role ARN> (aws iam get-instance-profile --instance-profile-name ${name} --query 'InstanceProfile.Roles[0].Arn') ` +
        'and give validate the same with --instance-role-arns',
    );
  }
  const parameter = imageParameterArn(data.ImageId, partition, region, account);
  if (parameter && !grants.imageParameterArns.includes(parameter)) {
    problems.push(
      `${field}: ${id} takes its image from ${data.ImageId}, which Auto Scaling reads with the step role's permissions: ` +
        `deploy with --param imageParameterArns=${parameter} and give validate the same with --image-parameter-arns`,
    );
  }
  return { service: service.name, launchTemplateId: id, instanceProfile: profile, image: data.ImageId ?? null, problems };
}

/**
 * The parameter a `resolve:ssm:<name or ARN>[:version or label]` image names,
 * as an ARN; null for an AMI ID and for AWS's public parameters (/aws/service/…),
 * which the stack always grants.
 */
export function imageParameterArn(imageId: string | undefined, partition: string, region: string, account: string): string | null {
  if (!imageId?.startsWith('resolve:ssm:')) return null;
  const reference = imageId.slice('resolve:ssm:'.length);
  if (reference.startsWith('arn:')) {
    const arn = reference.split(':').slice(0, 6).join(':');
    return /:parameter\/?aws\/service\//.test(arn) ? null : arn;
  }
  const name = reference.split(':')[0]!;
  const path = name.startsWith('/') ? name : `/${name}`;
  return path.startsWith('/aws/service/') ? null : `arn:${partition}:ssm:${region}:${account}:parameter${path}`;
}
