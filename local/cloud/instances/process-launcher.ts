// Instances as child processes of `local/sample-app.ts`, each on its own
// loopback port, reported back over the IPC channel. A child whose parent
// dies exits by itself (IPC disconnect).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AppFaults } from '../../sample-app.ts';
import type { AppSpec, InstanceLauncher, RunningApp } from './launcher.ts';

const SAMPLE_APP = fileURLToPath(new URL('../../sample-app.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export class ProcessLauncher implements InstanceLauncher {
  private readonly children = new Set<ChildProcess>();

  async launch(spec: AppSpec): Promise<RunningApp> {
    const child = spawn(process.execPath, [SAMPLE_APP], {
      env: {
        PATH: process.env.PATH ?? '',
        ...spec.env,
        INSTANCE_ID: spec.instanceId,
        VERSION_VARIABLE: spec.versionVariable,
        [spec.versionVariable]: spec.version,
        HEALTH_PATH: spec.healthPath,
        SAMPLE_APP_FAULTS: JSON.stringify(spec.faults),
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const port = await waitForPort(child, () => stderr);
    return new ProcessApp(child, port);
  }

  /** Kills every child still running and resolves once they have exited (the cloud is stopping). */
  async killAll(): Promise<void> {
    const exits = [...this.children].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    this.killAllNow();
    await Promise.all(exits);
  }

  /** Synchronous kill for a process that is exiting. */
  killAllNow(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  get running(): number {
    return this.children.size;
  }
}

function waitForPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance did not listen within ${START_TIMEOUT_MS} ms: ${stderr()}`));
    }, START_TIMEOUT_MS);
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message.type === 'listening' && typeof message.port === 'number') {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited with ${code} before listening: ${stderr()}`));
    });
  });
}

class ProcessApp implements RunningApp {
  readonly port: number;
  private readonly child: ChildProcess;
  private stopping = false;

  constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
  }

  setFaults(faults: AppFaults): void {
    if (this.child.connected) this.child.send({ type: 'faults', faults });
  }

  stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }

  onUnexpectedExit(listener: (reason: string) => void): void {
    this.child.once('exit', (code, signal) => {
      if (!this.stopping) listener(`process exited (${signal ?? `code ${code}`})`);
    });
  }
}
