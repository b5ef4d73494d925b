// Instances as HTTP servers inside this process: same app, same port per
// instance, no process each — for benchmarks with hundreds of instances.
import { startSampleApp, type SampleApp } from '../../sample-app.ts';
import type { AppSpec, InstanceLauncher, RunningApp } from './launcher.ts';

export class InlineLauncher implements InstanceLauncher {
  private readonly apps = new Set<SampleApp>();

  async launch(spec: AppSpec): Promise<RunningApp> {
    const app = await startSampleApp({ version: spec.version, instanceId: spec.instanceId, healthPath: spec.healthPath, faults: spec.faults });
    this.apps.add(app);
    return {
      port: app.port,
      setFaults: (faults) => app.setFaults(faults),
      stop: async (graceMs) => {
        await app.close(graceMs);
        this.apps.delete(app);
      },
      onUnexpectedExit: () => {},
    };
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.apps].map((app) => app.close(0)));
    this.apps.clear();
  }
}
