// How an Auto Scaling instance runs: as its own Node process of the sample
// app (default, like a real server), or `inline` as an HTTP server inside
// this process (hundreds of instances on two cores for benchmarks).
import type { AppFaults } from '../../sample-app.ts';

export type InstanceMode = 'process' | 'inline';

export interface AppSpec {
  instanceId: string;
  version: string;
  /** Every `export NAME=value` of the user data. */
  env: Record<string, string>;
  /** Name of the variable that holds the version. */
  versionVariable: string;
  healthPath: string;
  faults: AppFaults;
}

export interface RunningApp {
  readonly port: number;
  setFaults: (faults: AppFaults) => void;
  /** Graceful stop: SIGTERM (or close) and wait, at most `graceMs`, then kill. */
  stop: (graceMs: number) => Promise<void>;
  /** Called once if the app ends without being asked to. */
  onUnexpectedExit: (listener: (reason: string) => void) => void;
}

export interface InstanceLauncher {
  launch: (spec: AppSpec) => Promise<RunningApp>;
}
