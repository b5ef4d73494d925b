// `bluegreen validate --aws`: reads the launch templates of the in-account
// services (here from the local cloud) and names the deploy parameters the
// step role needs for them: the role of an instance profile (iam:PassRole),
// an image from the account's own SSM parameter (ssm:GetParameters). And,
// without AWS, the parameters of each service account's stack.
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidateView } from '../../cli/commands/validate.ts';
import { imageParameterArn } from '../../cli/launch-template-permissions.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud/local-cloud.ts';
import { runCaptured } from './capture.ts';

const LISTENER = (n: number, account = '123456789012') => `arn:aws:elasticloadbalancing:us-east-1:${account}:listener/app/web-${n}/50dc6c495c0c918${n}/f2f7dc8efc522ab${n}`;

function service(name: string, n: number, launchTemplateId: string, roleArn?: string) {
  const listenerArn = LISTENER(n, roleArn ? roleArn.split(':')[4] : undefined);
  return {
    name,
    github: { repository: `acme/${name}` },
    listener: { loadBalancerArn: listenerArn.replace(':listener/', ':loadbalancer/').replace(/\/[0-9a-f]+$/, ''), listenerArn },
    launchTemplate: { id: launchTemplateId },
    subnets: ['subnet-1'],
    targetGroup: { vpcId: 'vpc-1' },
    ...(roleArn ? { roleArn } : {}),
  };
}

describe('bluegreen validate --aws', () => {
  let cloud: LocalCloud;
  let dir: string;
  let localFile: string;
  const templates: Record<string, string> = {};

  beforeAll(async () => {
    cloud = await startLocalCloud({ instanceMode: 'inline' });
    const ec2 = new EC2Client(cloud.clientConfig());
    const create = async (name: string, data: Record<string, unknown>) => {
      const created = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { InstanceType: 't3.micro', ...data } }));
      templates[name] = created.LaunchTemplate!.LaunchTemplateId!;
    };
    await create('plain', { ImageId: 'ami-0123456789abcdef0' });
    await create('with-profile', { ImageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', IamInstanceProfile: { Name: 'web-instance' } });
    await create('own-image', { ImageId: 'resolve:ssm:/golden-ami/web:3' });
    dir = mkdtempSync(join(tmpdir(), 'bluegreen-validate-'));
    localFile = join(dir, 'local.json');
    writeFileSync(
      localFile,
      JSON.stringify({
        awsEndpoint: cloud.endpoint,
        stepFunctionsEndpoint: 'http://127.0.0.1:1',
        dynamodbEndpoint: 'http://127.0.0.1:1',
        tableName: 'unused',
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:unused',
        configFile: join(dir, 'unused.json'),
      }),
    );
  }, 60_000);
  afterAll(() => cloud?.stop());

  const configFile = (...services: unknown[]) => {
    const path = join(dir, `services-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({ services }));
    return path;
  };

  it('fails on an instance profile without instance roles, and on an own image parameter not granted, naming the parameter to set', async () => {
    // Prepare
    const config = configFile(service('plain', 1, templates.plain!), service('web', 2, templates['with-profile']!), service('batch', 3, templates['own-image']!));

    // Act
    const result = await runCaptured(['validate', '--config', config, '--aws', '--local'], { localFile });

    // Assess
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('launch templates: 2 problem(s)');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}services\[1\]\.launchTemplate\.id: lt-\w+ launches instances with instance profile web-instance, .*--param instanceRoleArns=<its role ARN> \(aws iam get-instance-profile --instance-profile-name web-instance/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}services\[2\]\.launchTemplate\.id: lt-\w+ takes its image from resolve:ssm:\/golden-ami\/web:3, .*--param imageParameterArns=arn:aws:ssm:us-east-1:123456789012:parameter\/golden-ami\/web /),
    );
  });

  it('passes once the values deployed with are given, and says what it read', async () => {
    // Prepare
    const config = configFile(service('web', 2, templates['with-profile']!), service('batch', 3, templates['own-image']!));

    // Act
    const result = await runCaptured(
      [
        'validate',
        '--config',
        config,
        '--aws',
        '--local',
        '--json',
        '--instance-role-arns',
        'arn:aws:iam::123456789012:role/web-instance',
        '--image-parameter-arns',
        'arn:aws:ssm:us-east-1:123456789012:parameter/golden-ami/web',
      ],
      { localFile },
    );

    // Assess
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout) as ValidateView;
    expect(view.launchTemplates).toEqual([
      { service: 'web', launchTemplateId: templates['with-profile'], instanceProfile: 'web-instance', image: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', problems: [] },
      { service: 'batch', launchTemplateId: templates['own-image'], instanceProfile: null, image: 'resolve:ssm:/golden-ami/web:3', problems: [] },
    ]);
  });

  it('names a launch template it cannot read', async () => {
    const result = await runCaptured(['validate', '--config', configFile(service('gone', 4, 'lt-0ffffffffffffffff')), '--aws', '--local'], { localFile });

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ {2}services\[0\]\.launchTemplate\.id: cannot read lt-0ffffffffffffffff: /);
  });

  it('prints, without --aws, the service-account.yml parameters of each account the roleArns name', async () => {
    const config = configFile(service('web', 2, 'lt-0a1'), service('catalog', 5, 'lt-0c3', 'arn:aws:iam::210987654321:role/bluegreen-deployer'));

    const result = await runCaptured(['validate', '--config', config]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `service account 210987654321 (catalog): deploy service-account.yml with StepRoleArn=<the stack's StepRoleArn output> RoleName=bluegreen-deployer ListenerArns=${LISTENER(5, '210987654321')} LaunchTemplateArns=arn:aws:ec2:us-east-1:210987654321:launch-template/lt-0c3`,
    );
  });
});

describe('imageParameterArn', () => {
  it.each([
    ['ami-0123456789abcdef0', null],
    ['resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', null],
    ['resolve:ssm:aws/service/bottlerocket/aws-ecs-2/x86_64/latest/image_id', null],
    ['resolve:ssm:/golden-ami/web', 'arn:aws:ssm:us-east-1:123456789012:parameter/golden-ami/web'],
    ['resolve:ssm:golden-ami:prod', 'arn:aws:ssm:us-east-1:123456789012:parameter/golden-ami'],
    ['resolve:ssm:arn:aws:ssm:us-east-1:999999999999:parameter/shared/ami:2', 'arn:aws:ssm:us-east-1:999999999999:parameter/shared/ami'],
  ])('%s → %s', (imageId, arn) => {
    expect(imageParameterArn(imageId, 'aws', 'us-east-1', '123456789012')).toBe(arn);
  });
});
