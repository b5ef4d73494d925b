// Servers the tests need, started per test file on free loopback ports:
// moto (an independent AWS emulator) and dynalite (DynamoDB on LevelDB).
// Where moto is not installed, `motoAvailable` is false and suites using it
// skip with a loud warning instead of failing for the wrong reason.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const motoAvailable = (() => {
  const r = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' });
  const ok = r.status === 0;
  if (!ok) console.warn('\n*** moto is not installed (python3 -m moto.server): AWS API tests are SKIPPED ***\n');
  return ok;
})();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  endpoint: string;
  stop(): Promise<void>;
}

/** moto's server with fixes for two of its bugs (see the file). */
const MOTO_SERVER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

/** Starts a private moto server; resolves once it answers. */
export async function startMoto(): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn('python3', [MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${endpoint}/moto-api/`, child, () => stderr);
  return { endpoint, stop: () => kill(child) };
}

/** dynalite in memory on a free port (the same one local runs use). */
export { startDynalite } from '../../local/dynamodb.ts';

/** Static credentials and region for emulators; never real ones. */
export function emulatorClientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`moto did not start within 20 s: ${log()}`);
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  });
}
