// The sample microservice every local instance runs: its answers, its fault
// switches, and its graceful shutdown on SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSampleApp, type SampleApp } from '../../local/sample-app.ts';

const started: SampleApp[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.close(0)));
});

async function app(options: Parameters<typeof startSampleApp>[0]): Promise<string> {
  const running = await startSampleApp(options);
  started.push(running);
  return `http://127.0.0.1:${running.port}`;
}

describe('sample app', () => {
  it('answers its version and instance on any path, and its health on /health', async () => {
    // Prepare
    const url = await app({ version: '1.2.3', instanceId: 'i-0123456789abcdef0' });

    // Act
    const root = await fetch(`${url}/orders/7`);
    const health = await fetch(`${url}/health`);

    // Assess
    expect(root.status).toBe(200);
    expect(await root.json()).toMatchObject({ version: '1.2.3', instance: 'i-0123456789abcdef0', path: '/orders/7' });
    expect(health.status).toBe(200);
  });

  it.each([
    { name: 'errorRate 1 answers 500 but stays healthy', faults: { errorRate: 1 }, root: 500, health: 200 },
    { name: 'neverHealthy fails its health check but serves', faults: { neverHealthy: true }, root: 200, health: 503 },
    { name: 'slowStartMs fails its health check while starting', faults: { slowStartMs: 60_000 }, root: 200, health: 503 },
  ])('$name', async ({ faults, root, health }) => {
    // Prepare
    const url = await app({ version: 'bad', instanceId: 'i-1', faults });

    // Act
    const answers = await Promise.all([fetch(url), fetch(`${url}/health`)]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([root, health]);
  });

  it('adds latencyMs to every answer, and changes faults while running', async () => {
    // Prepare
    const running = await startSampleApp({ version: 'v', instanceId: 'i-2', faults: { latencyMs: 300 } });
    started.push(running);
    const url = `http://127.0.0.1:${running.port}`;

    // Act
    const before = performance.now();
    await fetch(url);
    const slow = performance.now() - before;
    running.setFaults({ errorRate: 1 });
    const failing = await fetch(url);

    // Assess
    expect(slow).toBeGreaterThanOrEqual(290);
    expect(failing.status).toBe(500);
  });

  it('on SIGTERM finishes the request in flight, refuses new connections, and exits 0', async () => {
    // Prepare: the app as its own process, as the local cloud runs it
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../local/sample-app.ts', import.meta.url))], {
      env: { PATH: process.env.PATH ?? '', APP_VERSION: '9.9', INSTANCE_ID: 'i-3' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const port = await new Promise<number>((resolve) => {
      child.stdout.on('data', (line: Buffer) => {
        const event = JSON.parse(line.toString().split('\n')[0]!) as { event: string; port?: number };
        if (event.event === 'listening') resolve(event.port!);
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const inFlight = fetch(`${url}/?delayMs=500`);
    await new Promise((r) => setTimeout(r, 100));

    // Act
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const refused = await fetch(url, { headers: { connection: 'close' } }).then(
      () => false,
      () => true,
    );
    const answer = await inFlight;

    // Assess
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ version: '9.9', instance: 'i-3' });
    expect(refused).toBe(true);
    expect(await exited).toBe(0);
  });
});
