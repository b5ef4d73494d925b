// EC2 instances as the Auto Scaling groups launch them: each one runs the
// sample app with the environment its launch template version's user data
// exports, on its own loopback port (the address targets resolve to).
//
// "Amazon EC2 Auto Scaling instance lifecycle": an instance is `pending`
// while EC2 launches it, then `running`; the app its user data starts
// answers only some time after that, so health checks that begin at
// registration fail until then ("Set the health check grace period for an
// Auto Scaling group": the instance "is still initializing"). Both delays are
// the `instanceBoot` realism setting, in AWS seconds.
import type { LaunchTemplateVersion, Subnet, Tag } from '@aws-sdk/client-ec2';
import type { AppFaults } from '../../sample-app.ts';
import type { Clock } from '../clock.ts';
import { hexId } from '../ids.ts';
import type { RunningApp, InstanceLauncher } from '../instances/launcher.ts';
import type { Log } from '../log.ts';
import type { Realism } from '../realism.ts';
import { parseUserDataExports } from './user-data.ts';

export interface Ec2Instance {
  readonly id: string;
  /** The value of the version variable in the user data (`unknown` when absent). */
  readonly version: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly vpcId: string;
  readonly imageId: string;
  readonly instanceType: string;
  /** Absent for an instance run without a launch template. */
  readonly launchTemplate?: { LaunchTemplateId: string; LaunchTemplateName: string; Version: string };
  readonly tags: Tag[];
  readonly launchedAt: Date;
  state: 'pending' | 'running' | 'shutting-down' | 'terminated';
  /** The app stopped on its own (crash): EC2 status checks would fail. */
  impaired: boolean;
  /** Loopback port of the app's process, once it listens. */
  port?: number;
  /** The app has started: the load balancer reaches it (until then connections are refused). */
  answering: boolean;
}

export interface InstanceSettings {
  /** The user-data variable holding the release version (the service config's `versionVariable`). */
  versionVariable: string;
  healthPath: string;
  /** Seconds an app gets to finish in-flight requests after SIGTERM before it is killed (real time). */
  stopGraceSeconds: number;
  /** EC2 launch and app start, in AWS seconds; false: running and answering as soon as the process listens. */
  boot: Realism['instanceBoot'];
}

const LOOPBACK = '127.0.0.1';

export class Instances {
  private readonly launcher: InstanceLauncher;
  private readonly clock: Clock;
  private readonly settings: InstanceSettings;
  private readonly faults: Map<string, AppFaults>;
  private readonly log: Log;
  private readonly instances = new Map<string, Ec2Instance>();
  private readonly apps = new Map<string, RunningApp>();
  private readonly impairedListeners: ((instance: Ec2Instance) => void)[] = [];

  constructor(launcher: InstanceLauncher, clock: Clock, settings: InstanceSettings, faults: Record<string, AppFaults>, log: Log) {
    this.launcher = launcher;
    this.clock = clock;
    this.settings = settings;
    this.faults = new Map(Object.entries(faults));
    this.log = log;
  }

  get(id: string): Ec2Instance | undefined {
    return this.instances.get(id);
  }

  all(): Ec2Instance[] {
    return [...this.instances.values()];
  }

  /** Where the load balancer reaches a running instance whose app has started. */
  address(id: string): { host: string; port: number } | undefined {
    const instance = this.instances.get(id);
    return instance?.state === 'running' && instance.answering && instance.port ? { host: LOOPBACK, port: instance.port } : undefined;
  }

  onImpaired(listener: (instance: Ec2Instance) => void): void {
    this.impairedListeners.push(listener);
  }

  /**
   * Starts an instance from a launch template version (or bare launch data, for RunInstances) in state
   * `pending`; `running` resolves once EC2 has booted it (its app answers `appStartSeconds` later).
   */
  launch(template: Pick<LaunchTemplateVersion, 'LaunchTemplateId' | 'LaunchTemplateName' | 'VersionNumber' | 'LaunchTemplateData'>, subnet: Subnet, tags: Tag[]): { instance: Ec2Instance; running: Promise<void> } {
    const data = template.LaunchTemplateData ?? {};
    const env = parseUserDataExports(data.UserData);
    const version = env[this.settings.versionVariable] ?? 'unknown';
    const instance: Ec2Instance = {
      id: `i-${hexId(17)}`,
      version,
      subnetId: subnet.SubnetId!,
      availabilityZone: subnet.AvailabilityZone!,
      vpcId: subnet.VpcId!,
      imageId: data.ImageId ?? 'ami-00000000000000000',
      instanceType: data.InstanceType ?? 't3.micro',
      ...(template.LaunchTemplateId
        ? { launchTemplate: { LaunchTemplateId: template.LaunchTemplateId, LaunchTemplateName: template.LaunchTemplateName!, Version: String(template.VersionNumber) } }
        : {}),
      tags,
      launchedAt: new Date(),
      state: 'pending',
      impaired: false,
      answering: false,
    };
    this.instances.set(instance.id, instance);
    return { instance, running: this.start(instance, env) };
  }

  private async start(instance: Ec2Instance, env: Record<string, string>): Promise<void> {
    const { boot } = this.settings;
    try {
      // The process starts at once (it takes real time of its own); EC2 reports `running` after the boot time.
      const [app] = await Promise.all([
        this.launcher.launch({
          instanceId: instance.id,
          version: instance.version,
          env,
          versionVariable: this.settings.versionVariable,
          healthPath: this.settings.healthPath,
          faults: this.faults.get(instance.version) ?? {},
        }),
        this.clock.sleep(boot ? boot.bootSeconds : 0),
      ]);
      this.apps.set(instance.id, app);
      if (instance.state !== 'pending') {
        // Terminated while booting.
        await app.stop(0);
        this.apps.delete(instance.id);
        return;
      }
      app.onUnexpectedExit((reason) => this.markImpaired(instance, reason));
      instance.port = app.port;
      instance.state = 'running';
      this.log('ec2', 'instance-running', { instanceId: instance.id, version: instance.version, port: app.port });
      const started = () => {
        if (instance.state !== 'running') return;
        instance.answering = true;
        this.log('ec2', 'app-started', { instanceId: instance.id, version: instance.version });
      };
      if (boot && boot.appStartSeconds > 0) this.clock.after(boot.appStartSeconds, started);
      else started();
    } catch (err) {
      instance.state = 'terminated';
      this.log('ec2', 'instance-failed', { instanceId: instance.id, version: instance.version, error: String(err) });
      throw err;
    }
  }

  /** Stops the app gracefully (SIGTERM, in-flight requests finish) and marks the instance terminated. */
  async terminate(id: string): Promise<void> {
    const instance = this.instances.get(id);
    if (!instance || instance.state === 'terminated') return;
    instance.state = 'shutting-down';
    await this.apps.get(id)?.stop(this.settings.stopGraceSeconds * 1000);
    this.apps.delete(id);
    instance.state = 'terminated';
    this.log('ec2', 'instance-terminated', { instanceId: id, version: instance.version });
  }

  /** Changes the faults of a version: for future launches and for its running instances. */
  setFaults(version: string, faults: AppFaults): void {
    this.faults.set(version, { ...faults });
    for (const instance of this.instances.values()) {
      if (instance.version === version) this.apps.get(instance.id)?.setFaults(faults);
    }
  }

  /** Terminates every instance at once (the cloud is stopping). */
  async terminateAll(): Promise<void> {
    await Promise.all([...this.apps.values()].map((app) => app.stop(0)));
    this.apps.clear();
    for (const instance of this.instances.values()) instance.state = 'terminated';
  }

  private markImpaired(instance: Ec2Instance, reason: string): void {
    instance.impaired = true;
    this.log('ec2', 'instance-impaired', { instanceId: instance.id, version: instance.version, reason });
    for (const listener of this.impairedListeners) listener(instance);
  }
}
